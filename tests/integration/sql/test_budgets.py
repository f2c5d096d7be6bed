"""The shared ATS allowance and token store, on both databases: two processes' budgets never grant
more than the window, priority calls keep their reserve, a 429 holds everyone, tokens are sealed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from intrro_gateway.adapters.sql.budgets import SqlAtsBudget, SqlAtsTokenStore
from intrro_gateway.adapters.sql.engine import create_engine
from intrro_gateway.adapters.sql.secrets import SecretCipher

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
KEY = "greenhouse:acme"


async def test_two_processes_together_spend_the_window_once(
    engine: AsyncEngine, migrated_url: str
) -> None:
    other = create_engine(migrated_url)  # a second process: its own engine and pool
    try:
        first, second = SqlAtsBudget(engine), SqlAtsBudget(other)
        await first.observe(
            KEY, limit=20, remaining=20, reset_at=NOW + timedelta(seconds=10), now=NOW
        )

        async def spend(budget: SqlAtsBudget) -> int:
            granted = 0
            for _ in range(15):
                if await budget.take(KEY, priority=True, reserve=0.1, now=NOW) == 0.0:
                    granted += 1
            return granted

        counts = await asyncio.gather(spend(first), spend(second))
        wait = await first.take(KEY, priority=True, reserve=0.1, now=NOW)
    finally:
        await other.dispose()

    assert sum(counts) == 20
    assert wait == 10.0  # until the window resets


async def test_background_calls_leave_the_reserve_and_yield_to_a_waiting_priority_call(
    engine: AsyncEngine,
) -> None:
    budget = SqlAtsBudget(engine)
    await budget.observe(KEY, limit=10, remaining=3, reset_at=NOW + timedelta(seconds=5), now=NOW)

    background = [await budget.take(KEY, priority=False, reserve=0.1, now=NOW) for _ in range(3)]
    priority = [await budget.take(KEY, priority=True, reserve=0.1, now=NOW) for _ in range(2)]
    behind = await budget.take(KEY, priority=False, reserve=0.1, now=NOW + timedelta(seconds=5))

    assert background == [0.0, 0.0, 5.0]  # one call is kept for people
    assert priority == [0.0, 5.0]
    assert behind > 0  # the window reset, but a priority call waited: it goes first
    assert await budget.take(KEY, priority=True, reserve=0.1, now=NOW + timedelta(seconds=5)) == 0


async def test_a_late_answer_never_raises_the_allowance_and_a_429_holds_everyone(
    engine: AsyncEngine,
) -> None:
    budget = SqlAtsBudget(engine)
    reset = NOW + timedelta(seconds=30)
    await budget.observe(KEY, limit=50, remaining=5, reset_at=reset, now=NOW)
    await budget.observe(KEY, limit=50, remaining=9, reset_at=reset, now=NOW)  # sent earlier
    async with engine.connect() as conn:
        remaining = await conn.scalar(text("SELECT remaining FROM ats_budgets"))
    await budget.block(KEY, until=NOW + timedelta(seconds=7))

    assert remaining == 5
    assert await budget.take(KEY, priority=True, reserve=0.1, now=NOW) == 7.0
    assert await budget.take("greenhouse:other", priority=False, reserve=0.1, now=NOW) == 0.0


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
