"""Per-tenant rate limiting from Greenhouse's headers: the process's own view, and the allowance
shared by every process through an `AtsBudget` (the container wires the shared one)."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import structlog

from intrro_gateway.adapters.greenhouse.harvest._parsing import parse_int, parse_reset
from intrro_gateway.ports.ats_budget import AtsBudget, Observation
from intrro_gateway.ports.clock import Clock
from intrro_gateway.ports.unit_of_work import StorageError

log = structlog.get_logger(__name__)

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

    # -- the seam the HTTP layer calls (async, so a shared budget can sit behind it) -------------

    async def record(self, tenant: str, headers: dict[str, str]) -> None:
        """What an answer said about the allowance."""
        self.observe(tenant, headers)

    async def hold(self, tenant: str, seconds: float) -> None:
        """The ATS answered 429: hold the tenant's calls."""
        self.block(tenant, seconds)


class RateLimiter(Protocol):
    """What the HTTP layer needs of a rate limiter: before each call, and after each answer."""

    async def acquire(self, tenant: str, *, priority: bool) -> None:
        """Wait until the tenant may make one more call, then count it."""
        ...

    async def record(self, tenant: str, headers: dict[str, str]) -> None:
        """What an answer's `X-RateLimit-*` headers said (lower-cased keys)."""
        ...

    async def hold(self, tenant: str, seconds: float) -> None:
        """Hold every call of the tenant for `seconds` (after a 429)."""
        ...


class SharedRateLimiter:
    """The tenant's allowance kept in an `AtsBudget` shared by every process of the deployment.

    Calls are taken from the budget a few at a time (`chunk`), each lot with the time it lapses (the
    budget names it: calls not spent by then may count in the next window, so they are dropped, at most
    a chunk per process and window), and what answers said travels with the next take, so the budget
    costs one short transaction per few calls (priority calls may take them from the reserve). The
    local limiter is kept up to date too (for reports); when the budget cannot be reached (the database
    is down) the local one decides, so an outage of the budget never stops a call on its own.
    """

    def __init__(
        self,
        budget: AtsBudget,
        local: HarvestRateLimiter,
        clock: Clock,
        sleep: Sleep,
        *,
        reserve: float = 0.1,
        chunk: int = 4,
        prefix: str = "greenhouse",
    ) -> None:
        self._budget = budget
        self._local = local
        self._clock = clock
        self._sleep = sleep
        self._reserve = reserve
        self._chunk = chunk
        self._prefix = prefix
        self._credits: dict[
            str, list[tuple[int, datetime]]
        ] = {}  # calls held, each lot until it lapses
        self._seen: dict[str, Observation] = {}

    def _key(self, tenant: str) -> str:
        return f"{self._prefix}:{tenant}"

    def _spend_credit(self, tenant: str) -> bool:
        """Spend one held call that has not lapsed, from the lot that lapses first."""
        now = self._clock.now()
        lots = sorted(
            ((c, lapse) for c, lapse in self._credits.get(tenant, []) if c > 0 and lapse > now),
            key=lambda lot: lot[1],
        )
        if not lots:
            self._credits.pop(tenant, None)
            return False
        count, lapse = lots[0]
        lots[0] = (count - 1, lapse)
        self._credits[tenant] = lots
        return True

    async def acquire(self, tenant: str, *, priority: bool) -> None:
        """Wait until this process holds a call of the shared budget, then spend it."""
        while not self._spend_credit(tenant):
            try:
                granted, lapse, wait = await self._budget.take(
                    self._key(tenant),
                    want=self._chunk,
                    priority=priority,
                    reserve=self._reserve,
                    now=self._clock.now(),
                    observed=self._seen.pop(tenant, None),
                )
            except StorageError as exc:
                log.warning("ats_budget.unavailable", error=str(exc))
                await self._local.acquire(tenant, priority=priority)
                return
            if granted > 0:
                # A lot keeps its own lapse: calls held from an earlier take never live on in a later one.
                self._credits.setdefault(tenant, []).append(
                    (granted, lapse or self._clock.now() + timedelta(seconds=1))
                )
                continue
            await self._sleep(wait)

    async def record(self, tenant: str, headers: dict[str, str]) -> None:
        """Keep what the answer said for the next take (and the local view)."""
        self._local.observe(tenant, headers)
        now = self._clock.now()
        seen = Observation(
            limit=parse_int(headers.get("x-ratelimit-limit")),
            remaining=parse_int(headers.get("x-ratelimit-remaining")),
            reset_at=parse_reset(headers.get("x-ratelimit-reset"), now),
        )
        if seen.limit is None and seen.remaining is None:
            return
        before = self._seen.get(tenant)
        if (
            before is None
            or before.remaining is None
            or seen.remaining is None
            or (seen.reset_at or now) > (before.reset_at or now)
            or seen.remaining < before.remaining
        ):
            self._seen[tenant] = seen

    async def hold(self, tenant: str, seconds: float) -> None:
        """Hold every process's calls of the tenant for `seconds`."""
        self._local.block(tenant, seconds)
        self._credits.pop(tenant, None)
        until = self._clock.now() + timedelta(seconds=max(0.0, seconds))
        try:
            await self._budget.block(self._key(tenant), until=until)
        except StorageError as exc:
            log.warning("ats_budget.unavailable", error=str(exc))
