"""Processes sharing one Greenhouse allowance through an `AtsBudget` never meet a 429 of the window.

A simulation on a fake clock: a few "processes" (each its own `SharedRateLimiter`, the one the Harvest
client uses) keep several calls going against one in-memory budget, and every call lands at the
Greenhouse sandbox's own rate limiter a little after it was let go (the way to the ATS takes time),
its answer coming back a little later. The sandbox models Harvest v3: fixed windows that begin with
each window's first request, and `X-RateLimit-Reset` in whole epoch seconds, so the gateway knows a
window's end only to the second. Seeded, so a failure names the run that found it.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import random
from datetime import datetime, timedelta

import pytest

from intrro_gateway.adapters.greenhouse.harvest._ratelimit import (
    HarvestRateLimiter,
    SharedRateLimiter,
)
from intrro_gateway.sandboxes.greenhouse._ratelimit import RateLimit, RateLimiter
from tests.fakes.ats_budget import InMemoryAtsBudget
from tests.fakes.clock import FakeClock

TENANT = "acme"


class VirtualTime:
    """Sleeps that wait on the fake clock: the run jumps from one wake-up to the next."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self._wakes: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    async def sleep(self, seconds: float) -> None:
        when = self.clock.now().timestamp() + max(seconds, 0.0)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._wakes, (when, next(self._order), future))
        await future

    async def run(self, seconds: float) -> None:
        end = self.clock.now().timestamp() + seconds
        for _ in range(8):  # let every call start
            await asyncio.sleep(0)
        while self._wakes and self._wakes[0][0] <= end:
            when, _, future = heapq.heappop(self._wakes)
            self.clock.advance(timedelta(seconds=max(when - self.clock.now().timestamp(), 0.0)))
            future.set_result(None)
            for _ in range(8):  # let the woken call run to its next sleep
                await asyncio.sleep(0)


class Simulation:
    def __init__(self, seed: int, *, limit: int, window_s: float) -> None:
        self.rng = random.Random(seed)
        self.clock = FakeClock()
        self.clock.advance(seconds=self.rng.uniform(0, 1))  # windows fall anywhere in a second
        self.time = VirtualTime(self.clock)
        self.budget = InMemoryAtsBudget()
        self.ats = RateLimiter()
        self.rule = RateLimit(limit=limit, window_s=window_s)
        self.sent = self.refused = 0

    def process(self) -> SharedRateLimiter:
        local = HarvestRateLimiter(self.clock, self.time.sleep)
        return SharedRateLimiter(self.budget, local, self.clock, self.time.sleep)

    async def caller(self, limiter: SharedRateLimiter) -> None:
        while True:
            await limiter.acquire(TENANT, priority=self.rng.random() < 0.3)
            await self.time.sleep(self.rng.uniform(0.0, 0.25))  # on its way to Greenhouse
            decision = self.ats.hit("harvest", TENANT, self.rule, self.clock.now().timestamp())
            self.sent += 1
            await self.time.sleep(self.rng.uniform(0.0, 0.25))  # the answer on its way back
            headers = {k.lower(): v for k, v in decision.headers().items()}
            await limiter.record(TENANT, headers)
            if not decision.allowed:
                self.refused += 1
                await limiter.hold(TENANT, float(decision.retry_after_s))
            idle = self.rng.uniform(1.0, 3.0) if self.rng.random() < 0.1 else 0.05
            await self.time.sleep(self.rng.uniform(0.0, idle))  # now and then a pause


@pytest.mark.parametrize("seed", range(12))
async def test_processes_sharing_a_budget_stay_within_every_window(seed: int) -> None:
    limit, window_s, seconds = 40, 4.0, 60.0
    sim = Simulation(seed, limit=limit, window_s=window_s)
    tasks = [
        asyncio.create_task(sim.caller(limiter))
        for limiter in (sim.process(), sim.process(), sim.process())
        for _ in range(4)
    ]
    try:
        await sim.time.run(seconds)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    windows = seconds / window_s
    assert sim.refused == 0, f"seed {seed}: {sim.refused} of {sim.sent} calls answered 429"
    assert sim.sent >= 0.6 * limit * windows  # the allowance is still used, not hoarded


class ScriptedBudget(InMemoryAtsBudget):
    """Grants lots as scripted, and counts the takes."""

    def __init__(self, lots: list[tuple[int, float]], clock: FakeClock) -> None:
        super().__init__()
        self.lots = lots
        self.clock = clock
        self.takes = 0

    async def take(self, key: str, **_: object) -> tuple[int, datetime | None, float]:
        self.takes += 1
        granted, lapse_s = self.lots.pop(0)
        return granted, self.clock.now() + timedelta(seconds=lapse_s), 0.0


async def test_calls_held_past_their_lapse_never_live_on_in_a_later_lot() -> None:
    clock = FakeClock()
    budget = ScriptedBudget([(4, 1.0), (1, 1.0), (4, 1.0)], clock)
    limiter = SharedRateLimiter(budget, HarvestRateLimiter(clock, clock.sleep), clock, clock.sleep)
    await limiter.acquire(TENANT, priority=True)  # one of four spent, three held
    clock.advance(seconds=2)  # the three lapse
    await limiter.acquire(TENANT, priority=True)  # the lot of one
    await limiter.acquire(TENANT, priority=True)  # needs a take of its own

    assert budget.takes == 3
