"""Work signals across processes on PostgreSQL: NOTIFY in the committing transaction, LISTEN elsewhere.

A transaction that queues inbox or outbox items also runs `pg_notify(channel, current_schema())`; the
server delivers it only if (and when) the transaction commits. Every worker process listens on a
dedicated connection of its engine and rings the process's `Wakeup` for notifications about its own
schema (test runs and benchmarks share one database, one schema each). The listener reconnects with
backoff when the connection drops, and rings once after every (re)connection, since notifications sent
meanwhile are lost. SQLite has no such channel: there the in-process wakeup and the poll remain.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from intrro_gateway.services.wakeup import Relay, Wakeup

__all__ = ["CHANNEL", "notify_work", "postgres_relay"]

logger = structlog.get_logger(__name__)

CHANNEL = "intrro_gateway_work"
_NOTIFY = text(f"SELECT pg_notify('{CHANNEL}', current_schema())")
_BACKOFF_FIRST_S = 0.5
_BACKOFF_CAP_S = 30.0
_IDLE_CHECK_S = 30.0


async def notify_work(conn: AsyncConnection) -> None:
    """Announce, on commit of the connection's transaction, that work was queued (PostgreSQL only)."""
    if conn.dialect.name == "postgresql":
        await conn.execute(_NOTIFY)


def postgres_relay(engine: AsyncEngine) -> Relay | None:
    """The relay that listens for other processes' work on this engine's database; None on SQLite."""
    if engine.dialect.name != "postgresql":
        return None

    async def relay(wakeup: Wakeup) -> None:
        delay = _BACKOFF_FIRST_S
        failing = False
        while True:
            try:
                async for _ in _listen(engine, wakeup):
                    if failing:
                        logger.info("work_listener.reconnected")
                    failing, delay = False, _BACKOFF_FIRST_S
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if not failing:  # one line per outage, not one per attempt
                    logger.warning("work_listener.lost", error=type(exc).__name__)
                failing = True
            await asyncio.sleep(delay)
            delay = min(delay * 2, _BACKOFF_CAP_S)

    return relay


async def _listen(engine: AsyncEngine, wakeup: Wakeup) -> Any:
    """Listen on a dedicated connection; yields once connected, rings the wakeup per notification."""
    conn = await engine.connect()
    try:
        raw = await conn.get_raw_connection()
        driver: Any = raw.driver_connection  # psycopg.AsyncConnection
        await driver.set_autocommit(True)
        cursor = await driver.execute("SELECT current_schema()")
        row = await cursor.fetchone()
        schema = str(row[0]) if row else ""
        await driver.execute(f"LISTEN {CHANNEL}")
        wakeup.ready()  # whatever was notified while not listening
        yield
        while True:
            async for notice in driver.notifies(timeout=_IDLE_CHECK_S):
                if notice.payload == schema:
                    wakeup.ready()
            await driver.execute("SELECT 1")  # a quiet spell: is the connection still there?
    finally:
        # The connection is LISTENing and in autocommit: it never goes back to the pool.
        with contextlib.suppress(Exception):
            await conn.invalidate()
        with contextlib.suppress(Exception):
            await conn.close()
