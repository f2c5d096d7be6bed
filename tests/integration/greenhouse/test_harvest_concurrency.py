"""Many workers, one client: shared tokens, and people's writes before background reads."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

from intrro_gateway.adapters.greenhouse.harvest._ratelimit import HarvestRateLimiter
from tests.fakes.clock import FakeClock
from tests.integration.greenhouse.harvest_fake import HARVEST_NOW
from tests.integration.greenhouse.harvest_support import context, make_client, new_fake


def _yielding(clock: FakeClock) -> Callable[[float], Awaitable[None]]:
    async def sleep(seconds: float) -> None:
        clock.current += timedelta(seconds=min(seconds, 0.05))
        await asyncio.sleep(0)

    return sleep


async def test_concurrent_workers_of_one_tenant_share_a_single_token() -> None:
    fake = new_fake()
    fake.add("sources", name="Intrro")
    client = make_client(fake)

    await asyncio.gather(*(client.list_sources(context()) for _ in range(10)))

    assert client.tokens.minted == 1
    assert len(fake.api_requests("GET", "/v3/sources")) == 10


async def test_after_a_429_a_person_waiting_goes_before_background_reads() -> None:
    clock = FakeClock(HARVEST_NOW)
    limiter = HarvestRateLimiter(clock, _yielding(clock))
    limiter.block("acme", 2.0)
    order: list[str] = []

    async def call(name: str, priority: bool) -> None:
        await limiter.acquire("acme", priority=priority)
        order.append(name)

    await asyncio.gather(call("sync 1", False), call("sync 2", False), call("person", True))

    assert order[0] == "person"
    assert sorted(order[1:]) == ["sync 1", "sync 2"]


async def test_a_429_holds_every_worker_of_the_tenant_and_no_other_tenant() -> None:
    clock = FakeClock(HARVEST_NOW)
    limiter = HarvestRateLimiter(clock, _yielding(clock))
    limiter.block("acme", 5.0)
    start = clock.now()

    await limiter.acquire("other", priority=False)
    assert clock.now() == start

    await limiter.acquire("acme", priority=False)
    assert clock.now() - start >= timedelta(seconds=5)


async def test_a_spent_window_makes_background_calls_wait_for_its_reset() -> None:
    clock = FakeClock(HARVEST_NOW)
    limiter = HarvestRateLimiter(clock, _yielding(clock))
    reset = str(int((clock.now() + timedelta(seconds=3)).timestamp()))
    limiter.observe(
        "acme",
        {"x-ratelimit-limit": "50", "x-ratelimit-remaining": "5", "x-ratelimit-reset": reset},
    )
    start = clock.now()

    await limiter.acquire("acme", priority=True)  # 5 left: a person may use the reserve
    assert clock.now() == start
    await limiter.acquire("acme", priority=False)  # 4 left, reserve is 5: wait for the reset
    assert clock.now() - start >= timedelta(seconds=3)
    assert limiter.window("acme").remaining == 49
