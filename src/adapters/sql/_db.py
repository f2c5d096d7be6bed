"""Private helpers: database errors into port errors, and the dialect's INSERT construct."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection

from intrro_gateway.ports.unit_of_work import ConcurrencyError, StorageUnavailableError


@asynccontextmanager
async def translated() -> AsyncIterator[None]:
    """Turn SQLAlchemy and driver errors into the unit-of-work port's errors."""
    try:
        yield
    except IntegrityError as exc:
        # A key someone else stored first: running the use case again sees their row.
        raise ConcurrencyError(f"conflicting write: {type(exc.orig).__name__}") from exc
    except (SQLAlchemyError, OSError, TimeoutError) as exc:
        raise StorageUnavailableError(f"database unavailable: {type(exc).__name__}") from exc


def upsert_insert(conn: AsyncConnection, target: Table) -> Any:
    """The dialect's INSERT, which has `on_conflict_do_nothing` and `on_conflict_do_update`."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(target)
    if conn.dialect.name == "sqlite":
        return sqlite.insert(target)
    raise NotImplementedError(f"no upsert for dialect {conn.dialect.name}")


def is_postgres(conn: AsyncConnection) -> bool:
    """Whether the connection is to PostgreSQL."""
    return conn.dialect.name == "postgresql"
