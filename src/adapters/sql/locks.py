"""Named leases in SQL for the `Locks` port."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from intrro_gateway.adapters.sql._db import translated, upsert_insert
from intrro_gateway.adapters.sql._writer_gate import turn
from intrro_gateway.adapters.sql.tables import LockRow, table
from intrro_gateway.ports.work_queue import Locks

__all__ = ["SqlLocks"]

_LOCKS = table(LockRow)


class SqlLocks(Locks):
    """Locks as rows: taken by an upsert that only overwrites an expired or own lease."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def acquire(self, key: str, *, owner: str, ttl: timedelta, now: datetime) -> bool:
        """Take the lock if free or expired; returns whether this owner holds it now."""
        expires = now + ttl
        async with turn(self._engine), translated(), self._engine.begin() as conn:
            insert = upsert_insert(conn, _LOCKS).values(key=key, owner=owner, expires_at=expires)
            await conn.execute(
                insert.on_conflict_do_update(
                    index_elements=[_LOCKS.c.key],
                    set_={"owner": owner, "expires_at": expires},
                    where=or_(_LOCKS.c.expires_at <= now, _LOCKS.c.owner == owner),
                )
            )
            holder = await conn.scalar(select(_LOCKS.c.owner).where(_LOCKS.c.key == key))
        return holder == owner

    async def release(self, key: str, *, owner: str) -> None:
        """Give the lock back if this owner holds it."""
        async with turn(self._engine), translated(), self._engine.begin() as conn:
            await conn.execute(delete(_LOCKS).where(_LOCKS.c.key == key, _LOCKS.c.owner == owner))
