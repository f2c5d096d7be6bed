"""Per-tenant rate limiting from Greenhouse's headers, shared by every worker of the process."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from intrro_gateway.adapters.greenhouse.harvest._parsing import parse_int, parse_reset
from intrro_gateway.ports.clock import Clock

Sleep = Callable[[float], Awaitable[None]]

_YIELD = 0.05  # a background call waiting behind a priority call checks again this often


@dataclass(slots=True)
class _Window:
    """What the last answer said about one tenant's allowance."""

    limit: int | None = None
    remaining: int | None = None
    reset_at: datetime | None = None
    blocked_until: datetime | None = None
    priority_waiting: int = 0


class HarvestRateLimiter:
    """Spends each tenant's allowance; priority calls (a person waits) go before background reads.

    Background calls leave a reserve of the window to priority calls and wait while a priority
    call waits; after a 429 every call of the tenant waits until the time Greenhouse named.
    """

    def __init__(self, clock: Clock, sleep: Sleep, *, reserve: float = 0.1) -> None:
        self._clock = clock
        self._sleep = sleep
        self._reserve = reserve
        self._windows: dict[str, _Window] = {}

    def window(self, tenant: str) -> _Window:
        """The tenant's window as last observed (for tests and reports)."""
        return self._windows.setdefault(tenant, _Window())

    async def acquire(self, tenant: str, *, priority: bool) -> None:
        """Wait until the tenant may make one more call, then count it."""
        window = self.window(tenant)
        if priority:
            window.priority_waiting += 1
        try:
            while (wait := self._wait_needed(window, priority=priority)) > 0:
                await self._sleep(wait)
            if window.remaining is not None:
                window.remaining -= 1
        finally:
            if priority:
                window.priority_waiting -= 1

    def observe(self, tenant: str, headers: dict[str, str]) -> None:
        """Take the allowance from an answer's `X-RateLimit-*` headers (lower-cased keys)."""
        window = self.window(tenant)
        now = self._clock.now()
        limit = parse_int(headers.get("x-ratelimit-limit"))
        remaining = parse_int(headers.get("x-ratelimit-remaining"))
        reset = parse_reset(headers.get("x-ratelimit-reset"), now)
        if limit is not None:
            window.limit = limit
        if remaining is not None:
            window.remaining = remaining
            window.reset_at = reset or now + timedelta(seconds=30)
        elif reset is not None:
            window.reset_at = reset

    def block(self, tenant: str, seconds: float) -> None:
        """Hold every call of the tenant for `seconds` (after a 429)."""
        window = self.window(tenant)
        until = self._clock.now() + timedelta(seconds=max(0.0, seconds))
        if window.blocked_until is None or until > window.blocked_until:
            window.blocked_until = until
        window.remaining = 0
        window.reset_at = until

    def _wait_needed(self, window: _Window, *, priority: bool) -> float:
        now = self._clock.now()
        if window.blocked_until is not None:
            if now < window.blocked_until:
                return (window.blocked_until - now).total_seconds()
            window.blocked_until = None
        if window.reset_at is not None and now >= window.reset_at:
            window.remaining = window.limit
            window.reset_at = None
        if not priority and window.priority_waiting > 0:
            return _YIELD
        if window.remaining is None:
            return 0.0
        floor = 0 if priority else self._reserved(window)
        if window.remaining > floor:
            return 0.0
        if window.reset_at is None:
            # The allowance is spent and Greenhouse named no reset: its window is 30 seconds.
            window.reset_at = now + timedelta(seconds=30)
        return max((window.reset_at - now).total_seconds(), _YIELD)

    def _reserved(self, window: _Window) -> int:
        if window.limit is None:
            return 0
        return max(1, math.ceil(window.limit * self._reserve)) if window.limit > 1 else 0
