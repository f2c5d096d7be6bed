"""SQLite's one writer, queued in the event loop instead of in SQLite's busy handler.

Every SQLite transaction here begins IMMEDIATE (it takes the write lock up front). Transactions of one
process that find the lock taken would wait in sqlite3's busy handler, which polls with sleeps of up to
100 ms and serves nobody in order: bench/ingress.py measured a p99 above a second at 16 concurrent
requests. The gate lets a process's transactions take turns first (FIFO, `asyncio.Lock`), so the busy
handler is left with the waits between processes. One lock per engine and event loop, so an engine used
from two loops (a test's and a server thread's) never shares a lock across them. PostgreSQL needs no gate.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

from intrro_gateway.ports.unit_of_work import StorageUnavailableError

_TIMEOUTS: weakref.WeakKeyDictionary[Engine, float] = weakref.WeakKeyDictionary()
_LOCKS: weakref.WeakKeyDictionary[
    Engine, weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock]
] = weakref.WeakKeyDictionary()


def gate_engine(engine: AsyncEngine, timeout_s: float) -> None:
    """Queue this (SQLite) engine's transactions in-process; a turn waited for longer than
    `timeout_s` fails as the database being unavailable, as SQLite's own busy timeout would."""
    _TIMEOUTS[engine.sync_engine] = timeout_s


async def take_turn(engine: AsyncEngine) -> asyncio.Lock | None:
    """Wait for this process's turn to write; the lock to release, or None for an ungated engine."""
    timeout_s = _TIMEOUTS.get(engine.sync_engine)
    if timeout_s is None:
        return None
    per_loop = _LOCKS.setdefault(engine.sync_engine, weakref.WeakKeyDictionary())
    lock = per_loop.setdefault(asyncio.get_running_loop(), asyncio.Lock())
    try:
        async with asyncio.timeout(timeout_s):
            await lock.acquire()
    except TimeoutError:
        raise StorageUnavailableError(
            f"the SQLite database stayed busy for {timeout_s:g} s"
        ) from None
    return lock


@asynccontextmanager
async def turn(engine: AsyncEngine) -> AsyncIterator[None]:
    """Hold this process's turn to write for the block (a no-op for an ungated engine)."""
    lock = await take_turn(engine)
    try:
        yield
    finally:
        if lock is not None:
            lock.release()


def gate_timeout(engine: AsyncEngine) -> float | None:
    """How long a turn of this engine may be waited for; None for an ungated engine."""
    return _TIMEOUTS.get(engine.sync_engine)
