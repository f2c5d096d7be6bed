"""Waking idle workers the moment a commit makes work ready, instead of at their next poll.

A unit of work that queued inbox or outbox items calls `ready()` after its commit; every waiter of the
process wakes at once (waiters on another event loop, a test server's thread say, are woken through
that loop). Other processes are reached through a relay: on PostgreSQL a listener on a dedicated
connection (`adapters.sql.notify`) calls `ready()` for each notification committed elsewhere. The
worker's poll stays as a safety net only: for retries whose time has come, and for processes that no
relay reaches (separate processes on SQLite).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

import structlog

logger = structlog.get_logger(__name__)

Relay = Callable[["Wakeup"], Coroutine[Any, Any, None]]
"""Runs until cancelled, calling `ready()` for work that other processes committed."""


class Waiter:
    """One idle loop's doorbell: `clear()` before looking for work, then `wait()` when none was found.

    A `ready()` that lands between the two is not lost: the flag stays set and `wait()` returns at once.
    """

    def __init__(self, owner: Wakeup) -> None:
        self._owner = owner
        self._event = asyncio.Event()
        self._loop = asyncio.get_running_loop()

    def clear(self) -> None:
        """Forget earlier signals: the caller is about to look for work itself."""
        self._event.clear()

    async def wait(self, timeout: float, stop: asyncio.Event | None = None) -> bool:
        """Wait for a signal, `stop`, or `timeout` seconds; True when signalled (or stopped)."""
        if self._event.is_set():
            return True
        waits = [asyncio.ensure_future(self._event.wait())]
        if stop is not None:
            waits.append(asyncio.ensure_future(stop.wait()))
        try:
            done, _ = await asyncio.wait(
                waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for task in waits:
                task.cancel()
        return bool(done)

    def close(self) -> None:
        """Stop receiving signals."""
        self._owner._waiters.discard(self)

    def _ring(self) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._event.set()
        elif not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                self._loop.call_soon_threadsafe(self._event.set)


class Wakeup:
    """The process's work signal: commits ring it, idle workers wait on it."""

    def __init__(self, relay: Relay | None = None) -> None:
        self._waiters: set[Waiter] = set()
        self._relay = relay
        self._relay_task: asyncio.Task[None] | None = None
        self._relay_users = 0

    def ready(self) -> None:
        """Work was committed: wake every waiter now."""
        for waiter in list(self._waiters):
            waiter._ring()

    def waiter(self) -> Waiter:
        """A new waiter, on the running event loop."""
        waiter = Waiter(self)
        self._waiters.add(waiter)
        return waiter

    @contextlib.asynccontextmanager
    async def relaying(self) -> AsyncIterator[None]:
        """Run the relay from other processes (if any) while at least one user is inside."""
        if self._relay is None:
            yield
            return
        self._relay_users += 1
        if self._relay_task is None or self._relay_task.done():
            self._relay_task = asyncio.create_task(self._relay(self), name="wakeup-relay")
        try:
            yield
        finally:
            self._relay_users -= 1
            if self._relay_users == 0 and self._relay_task is not None:
                task, self._relay_task = self._relay_task, None
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
