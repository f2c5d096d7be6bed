"""The ingress's inbox writer: a batch of deliveries durable in one trip to the database.

The group commit (`services.group_commit`) hands over a batch and answers every sender once it is
committed. Through a unit of work a batch took five to seven waits on the event loop (pool check-out,
pre-ping, BEGIN, the body-hash look-up, the INSERT, the NOTIFY, the COMMIT), and under load each wait
lasts as long as the loop's turn over every other request: bench/ingress.py measured 46 ms per batch on
PostgreSQL and 21 ms on SQLite. Here:

- **PostgreSQL**: one statement, prepared once per connection, on a connection held for a run of
  batches in autocommit mode, so the statement is its own transaction, committed (`synchronous_commit`
  on) when it returns. It takes the batch as arrays (`unnest`: one statement text for every batch
  size), skips a delivery whose body is stored already (tenant, source, body hash) and one whose
  delivery id is (ON CONFLICT DO NOTHING), returns the ids it stored and notifies the workers in the
  same transaction (`pg_notify`, delivered on commit).
- **SQLite** (a file): the whole transaction (BEGIN IMMEDIATE, the look-up, the INSERT, the COMMIT,
  `synchronous=FULL`) runs in one call on a thread of its own, on a synchronous twin of the engine (the
  same file, pragmas and SQLAlchemy types), while the event loop holds the process's writer turn
  (`_writer_gate`), so it never races the engine's own writers. An in-memory database has no twin: its
  batches go through units of work.

Either way a batch is answered only after its commit; any failure raises StorageUnavailableError for
the batch (the senders get 503) and the next batch starts afresh.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import AsyncIterator, Sequence
from typing import Any

import psycopg
import sqlalchemy
from sqlalchemy import Engine, select, tuple_
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from intrro_gateway.adapters.sql._db import translated
from intrro_gateway.adapters.sql._queue_mapping import inbox_values
from intrro_gateway.adapters.sql._writer_gate import gate_timeout, take_turn
from intrro_gateway.adapters.sql.engine import durable_sqlite
from intrro_gateway.adapters.sql.notify import CHANNEL
from intrro_gateway.adapters.sql.tables import InboxRow, table
from intrro_gateway.ports.unit_of_work import (
    InboundDelivery,
    InboxBatches,
    StorageUnavailableError,
    UnitOfWorkFactory,
)
from intrro_gateway.services.group_commit import UnitsOfWorkWriter
from intrro_gateway.services.wakeup import Wakeup

__all__ = ["SqlInboxWriter"]

_INBOX = table(InboxRow)
_COLUMNS = (
    ("id", "text"),
    ("tenant_id", "text"),
    ("source", "text"),
    ("delivery_id", "text"),
    ("body_hash", "text"),
    ("body", "bytea"),
    ("kind", "text"),
    ("received_at", "timestamptz"),
    ("ordering_key", "text"),
    ("state", "text"),
    ("attempts", "integer"),
    ("not_before", "timestamptz"),
    ("lease_expires_at", "timestamptz"),
    ("last_error", "text"),
    ("processed_at", "timestamptz"),
    ("subject_id", "text"),
)
_NAMES = ", ".join(name for name, _ in _COLUMNS)
_ARRAYS = ", ".join(f"%s::{kind}[]" for _, kind in _COLUMNS)
# Built from the constants above only (column names and the channel); every value is a parameter.
_PG_ADD = (
    f"WITH incoming AS (SELECT * FROM unnest({_ARRAYS}) AS v({_NAMES})), "  # noqa: S608
    f"stored AS (INSERT INTO inbox ({_NAMES}) SELECT {_NAMES} FROM incoming v "
    "WHERE NOT EXISTS (SELECT 1 FROM inbox i WHERE i.tenant_id = v.tenant_id "
    "AND i.source = v.source AND i.body_hash = v.body_hash) "
    "ON CONFLICT (tenant_id, source, delivery_id) DO NOTHING RETURNING id) "
    f"SELECT id, pg_notify('{CHANNEL}', current_schema()) FROM stored"
)
_SQLITE_ADD = (
    sqlite.insert(_INBOX)
    .on_conflict_do_nothing(
        index_elements=[_INBOX.c.tenant_id, _INBOX.c.source, _INBOX.c.delivery_id]
    )
    .returning(_INBOX.c.id)
)


def _first_of_each(deliveries: Sequence[InboundDelivery]) -> list[InboundDelivery]:
    """The deliveries a batch may store: the first of each delivery id and of each body (the later
    ones of the same batch repeat it)."""
    bodies: set[tuple[str, str, str]] = set()
    keys: set[tuple[str, str, str]] = set()
    first: list[InboundDelivery] = []
    for d in deliveries:
        body, key = (d.tenant_id, d.source, d.body_hash), (d.tenant_id, d.source, d.delivery_id)
        if body in bodies or key in keys:
            continue
        bodies.add(body)
        keys.add(key)
        first.append(d)
    return first


class SqlInboxWriter:
    """`InboxWriter` on the engine (see the module's docstring); `uow` serves in-memory SQLite."""

    def __init__(
        self, engine: AsyncEngine, uow: UnitOfWorkFactory, wakeup: Wakeup | None = None
    ) -> None:
        self._engine = engine
        self._uow = uow
        self._wakeup = wakeup
        self._twin: _SqliteTwin | None = None
        if engine.dialect.name == "sqlite" and not _in_memory(engine):
            self._twin = _SqliteTwin(engine)

    @contextlib.asynccontextmanager
    async def batches(self) -> AsyncIterator[InboxBatches]:
        """Hold a connection (PostgreSQL) or the twin (SQLite) for a run of batches."""
        if self._engine.dialect.name == "postgresql":
            async with self._postgres() as run:
                yield run
        elif self._twin is not None:
            yield _SqliteBatches(self._twin, self._wakeup)
        else:
            async with UnitsOfWorkWriter(self._uow).batches() as run:
                yield run

    @contextlib.asynccontextmanager
    async def _postgres(self) -> AsyncIterator[InboxBatches]:
        async with translated():
            conn = await self._engine.connect()
        healthy = False
        try:
            async with translated():
                raw = await conn.get_raw_connection()
            driver: psycopg.AsyncConnection[Any] = raw.driver_connection  # type: ignore[assignment]
            try:
                if driver.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                    await driver.rollback()
                await driver.set_autocommit(True)
                yield _PostgresBatches(driver, self._wakeup)
                await driver.set_autocommit(False)  # back to the pool as it came
                healthy = True
            except psycopg.Error as exc:
                raise StorageUnavailableError(
                    f"database unavailable: {type(exc).__name__}"
                ) from exc
        finally:
            if not healthy:
                with contextlib.suppress(Exception):
                    await conn.invalidate()  # never pooled again in an unknown state
            with contextlib.suppress(Exception):
                await conn.close()


class _PostgresBatches:
    def __init__(self, driver: psycopg.AsyncConnection[Any], wakeup: Wakeup | None) -> None:
        self._driver = driver
        self._wakeup = wakeup

    async def add_committed(self, deliveries: Sequence[InboundDelivery]) -> list[bool]:
        first = _first_of_each(deliveries)
        rows = [inbox_values(d) for d in first]
        arrays = [[row[name] for row in rows] for name, _ in _COLUMNS]
        try:
            cursor = await self._driver.execute(_PG_ADD, arrays, prepare=True)
            stored = {str(row[0]) for row in await cursor.fetchall()}
        except psycopg.Error as exc:
            raise StorageUnavailableError(f"database unavailable: {type(exc).__name__}") from exc
        if stored and self._wakeup is not None:
            self._wakeup.ready()
        return [d.id in stored for d in deliveries]


class _SqliteBatches:
    def __init__(self, twin: _SqliteTwin, wakeup: Wakeup | None) -> None:
        self._twin = twin
        self._wakeup = wakeup

    async def add_committed(self, deliveries: Sequence[InboundDelivery]) -> list[bool]:
        first = _first_of_each(deliveries)
        stored = await self._twin.run(first)
        if stored and self._wakeup is not None:
            self._wakeup.ready()
        return [d.id in stored for d in deliveries]


class _SqliteTwin:
    """A synchronous engine on the same SQLite file, used from one thread of its own."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._async = engine
        self._busy_s = gate_timeout(engine) or 5.0
        self._sync: Engine | None = None
        self._lock = threading.Lock()
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="inbox-writer"
        )

    async def run(self, deliveries: Sequence[InboundDelivery]) -> set[str]:
        """Store the deliveries in one transaction, holding the process's writer turn."""
        lock = await take_turn(self._async)
        try:
            loop = asyncio.get_running_loop()
            async with translated():
                return await loop.run_in_executor(self._executor, self._write, deliveries)
        finally:
            if lock is not None:
                lock.release()

    def _write(self, deliveries: Sequence[InboundDelivery]) -> set[str]:
        engine = self._engine()
        with engine.begin() as conn:  # BEGIN IMMEDIATE … COMMIT
            return _sqlite_add(conn, deliveries)

    def _engine(self) -> Engine:
        with self._lock:
            if self._sync is None:
                url = self._async.url.set(drivername="sqlite+pysqlite")
                self._sync = sqlalchemy.create_engine(
                    url, connect_args={"timeout": self._busy_s}, pool_size=1
                )
                durable_sqlite(self._sync, int(self._busy_s * 1000))
            return self._sync


def _sqlite_add(conn: Connection, deliveries: Sequence[InboundDelivery]) -> set[str]:
    if not deliveries:
        return set()
    wanted = list({(d.tenant_id, d.source, d.body_hash) for d in deliveries})
    seen = {
        (r[0], r[1], r[2])
        for r in conn.execute(
            select(_INBOX.c.tenant_id, _INBOX.c.source, _INBOX.c.body_hash).where(
                tuple_(_INBOX.c.tenant_id, _INBOX.c.source, _INBOX.c.body_hash).in_(wanted)
            )
        )
    }
    rows = [inbox_values(d) for d in deliveries if (d.tenant_id, d.source, d.body_hash) not in seen]
    if not rows:
        return set()
    return {str(r[0]) for r in conn.execute(_SQLITE_ADD, rows)}


def _in_memory(engine: AsyncEngine) -> bool:
    database = engine.url.database or ""
    return database in ("", ":memory:") or "mode=memory" in str(engine.url)
