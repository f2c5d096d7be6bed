"""Schema migrations with Alembic, run from code: the scripts ship inside this package."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from intrro_gateway.adapters.sql.engine import sync_url
from intrro_gateway.ports.unit_of_work import StorageUnavailableError

__all__ = [
    "SchemaBehindError",
    "current_revision",
    "downgrade",
    "ensure_schema",
    "head_revision",
    "is_current",
    "upgrade",
]

_SCRIPTS = Path(__file__).resolve().parent / "migrations"


class SchemaBehindError(RuntimeError):
    """Raised by `ensure_schema` when the schema is behind and migrating was not allowed."""


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    return config


def upgrade(url: str, revision: str = "head", *, secret_keys: Sequence[str] = ()) -> None:
    """Bring the database's schema up to `revision` (the newest by default); a database already at
    the newest revision is only read, so starting beside running processes takes no write lock.

    `secret_keys` (GATEWAY_SECRET_KEYS) serve the revisions that re-encrypt stored secrets; they are
    needed only when there are secrets to re-encrypt."""
    if revision == "head" and current_revision(url) == head_revision():
        return
    _run(url, lambda config: command.upgrade(config, revision), secret_keys)


def downgrade(url: str, revision: str, *, secret_keys: Sequence[str] = ()) -> None:
    """Take the database's schema down to `revision` (`base` removes every table)."""
    _run(url, lambda config: command.downgrade(config, revision), secret_keys)


def head_revision() -> str | None:
    """The newest revision the package ships."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(url: str) -> str | None:
    """The revision the database's schema is at, None when it has none."""
    engine = create_sync_engine(sync_url(url))
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except SQLAlchemyError as exc:
        raise StorageUnavailableError(f"cannot read the schema revision: {exc}") from exc
    finally:
        engine.dispose()


def is_current(url: str) -> bool:
    """Whether the database's schema is at the newest revision."""
    return current_revision(url) == head_revision()


def ensure_schema(url: str, *, auto_migrate: bool, secret_keys: Sequence[str] = ()) -> bool:
    """Make sure the schema is current before serving; returns whether it migrated.

    Development (`auto_migrate=True`) upgrades a schema that is behind. Production does not: it raises
    SchemaBehindError with one line naming both revisions and the command to run.
    """
    if is_current(url):
        return False
    if not auto_migrate:
        raise SchemaBehindError(
            f"the database schema is at revision {current_revision(url) or 'none'} but this "
            f"version needs {head_revision()}: run `intrro-gateway migrate` first"
        )
    upgrade(url, secret_keys=secret_keys)
    return True


def _migration_engine(url: str) -> Engine:
    engine = create_sync_engine(sync_url(url))
    if engine.dialect.name == "sqlite":
        # As in `adapters.sql.engine`: SQLAlchemy emits BEGIN, so a migration's DDL is one
        # transaction on SQLite too (the driver would otherwise autocommit each statement).
        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _run(url: str, action: Callable[[Config], object], secret_keys: Sequence[str]) -> None:
    engine = _migration_engine(url)
    try:
        with engine.begin() as conn:
            config = _config()
            config.attributes["connection"] = conn
            config.attributes["secret_keys"] = list(secret_keys)
            action(config)
    except SQLAlchemyError as exc:
        raise StorageUnavailableError(f"migration failed: {exc}") from exc
    finally:
        engine.dispose()
