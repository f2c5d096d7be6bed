"""The shared ATS allowance and token store, on both databases: two processes' budgets never grant
more than the window, priority calls keep their reserve, a 429 holds everyone, tokens are sealed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from intrro_gateway.adapters.ats_allowance import CLOSING
from intrro_gateway.adapters.sql.budgets import SqlAtsBudget, SqlAtsTokenStore
from intrro_gateway.adapters.sql.engine import create_engine
from intrro_gateway.adapters.sql.secrets import SecretCipher
from intrro_gateway.ports.ats_budget import Observation

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
KEY = "greenhouse:acme"
RESET = NOW + timedelta(seconds=10)


def seen(remaining: int, limit: int = 20, reset: datetime = RESET) -> Observation:
    return Observation(limit=limit, remaining=remaining, reset_at=reset)


async def test_two_processes_together_spend_the_window_once(
    engine: AsyncEngine, migrated_url: str
) -> None:
    other = create_engine(migrated_url)  # a second process: its own engine and pool
    try:
        first, second = SqlAtsBudget(engine), SqlAtsBudget(other)
        await first.take(KEY, want=0, priority=True, reserve=0.1, now=NOW, observed=seen(20))

        async def spend(budget: SqlAtsBudget, want: int) -> int:
            granted = 0
            for _ in range(15):
                got, lapse, _ = await budget.take(
                    KEY, want=want, priority=True, reserve=0.1, now=NOW
                )
                assert (
                    got == 0 or lapse == RESET - CLOSING
                )  # spent before the window's closing stretch
                granted += got
            return granted

        counts = await asyncio.gather(spend(first, 3), spend(second, 1))
        _, _, wait = await first.take(KEY, want=1, priority=True, reserve=0.1, now=NOW)
    finally:
        await other.dispose()

    assert sum(counts) == 20
    assert wait == 10.0  # until the window resets


async def test_background_calls_leave_the_reserve_and_yield_to_a_waiting_priority_call(
    engine: AsyncEngine,
) -> None:
    budget = SqlAtsBudget(engine)
    observed = Observation(limit=10, remaining=3, reset_at=NOW + timedelta(seconds=5))
    first = await budget.take(KEY, want=5, priority=False, reserve=0.1, now=NOW, observed=observed)
    second = await budget.take(KEY, want=5, priority=False, reserve=0.1, now=NOW)
    priority = [
        await budget.take(KEY, want=1, priority=True, reserve=0.1, now=NOW) for _ in range(2)
    ]
    later = NOW + timedelta(seconds=5)
    behind = await budget.take(KEY, want=5, priority=False, reserve=0.1, now=later)

    assert first[0] == 2  # one call is kept for people
    assert second == (0, None, 5.0)
    assert [p[0] for p in priority] == [1, 0]
    assert behind[0] == 0 and behind[2] > 0  # the window reset, but a priority call waited
    assert (await budget.take(KEY, want=1, priority=True, reserve=0.1, now=later))[0] == 1


async def test_a_late_answer_never_raises_the_allowance_and_a_429_holds_everyone(
    engine: AsyncEngine,
) -> None:
    budget = SqlAtsBudget(engine)
    reset = NOW + timedelta(seconds=30)
    await budget.take(KEY, want=0, priority=True, reserve=0.1, now=NOW, observed=seen(5, 50, reset))
    await budget.take(KEY, want=0, priority=True, reserve=0.1, now=NOW, observed=seen(9, 50, reset))
    async with engine.connect() as conn:
        remaining = await conn.scalar(text("SELECT remaining FROM ats_budgets"))
    await budget.block(KEY, until=NOW + timedelta(seconds=7))

    assert remaining == 5
    assert await budget.take(KEY, want=1, priority=True, reserve=0.1, now=NOW) == (0, None, 7.0)
    other = await budget.take("greenhouse:other", want=1, priority=False, reserve=0.1, now=NOW)
    assert other[0] == 1


async def test_tokens_are_shared_sealed_and_forgotten_when_refused(
    engine: AsyncEngine, cipher: SecretCipher
) -> None:
    store = SqlAtsTokenStore(engine, cipher)
    await store.save("greenhouse:k", "tok-123", NOW + timedelta(hours=1))
    async with engine.connect() as conn:
        sealed = await conn.scalar(text("SELECT value FROM ats_tokens"))
    loaded = await SqlAtsTokenStore(engine, cipher).load("greenhouse:k", now=NOW)
    expired = await store.load("greenhouse:k", now=NOW + timedelta(hours=2))
    await store.discard("greenhouse:k", "another")
    kept = await store.load("greenhouse:k", now=NOW)
    await store.discard("greenhouse:k", "tok-123")

    assert "tok-123" not in str(sealed)
    assert loaded == ("tok-123", NOW + timedelta(hours=1))
    assert expired is None
    assert kept is not None
    assert await store.load("greenhouse:k", now=NOW) is None


async def test_calls_let_go_near_the_reset_are_carried_into_the_next_window(
    engine: AsyncEngine,
) -> None:
    budget = SqlAtsBudget(engine)
    await budget.take(KEY, want=0, priority=True, reserve=0.1, now=NOW, observed=seen(5))
    closing = await budget.take(
        KEY, want=3, priority=True, reserve=0.1, now=RESET - timedelta(seconds=1)
    )
    after = await budget.take(KEY, want=30, priority=True, reserve=0.1, now=RESET)

    assert closing[:2] == (3, RESET)
    assert after[0] == 20 - 3
