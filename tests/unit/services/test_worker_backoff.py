"""Backoff: capped exponential delays with jitter, Retry-After honoured, a budget that ends in dead."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from intrro_gateway.services.backoff import backoff_delay, next_attempt
from intrro_gateway.services.settings import ServiceSettings

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
SETTINGS = ServiceSettings()

attempts_st = st.integers(min_value=1, max_value=SETTINGS.max_attempts - 1)
seeds = st.integers(min_value=0, max_value=2**32)


@given(attempts=st.integers(min_value=1, max_value=10_000), seed=seeds)
def test_the_delay_is_half_to_all_of_the_capped_exponential(attempts: int, seed: int) -> None:
    ceiling = min(
        SETTINGS.backoff_cap.total_seconds(),
        SETTINGS.backoff_base.total_seconds() * 2.0 ** min(attempts - 1, 64),
    )
    delay = backoff_delay(SETTINGS, random.Random(seed), attempts).total_seconds()
    assert ceiling * 0.5 - 1e-6 <= delay <= ceiling + 1e-6


@given(seed=seeds)
def test_the_delay_never_exceeds_the_cap_however_many_attempts(seed: int) -> None:
    rng = random.Random(seed)
    delays = [backoff_delay(SETTINGS, rng, n) for n in range(1, 200)]
    assert max(delays) <= SETTINGS.backoff_cap
    assert delays[-1] >= SETTINGS.backoff_cap / 2


def test_the_delay_grows_exponentially_before_the_cap() -> None:
    class Top(random.Random):
        def uniform(self, a: float, b: float) -> float:
            return b

    assert [backoff_delay(SETTINGS, Top(), n).total_seconds() for n in (1, 2, 3, 4)] == [
        5.0,
        10.0,
        20.0,
        40.0,
    ]


@given(attempts=attempts_st, seed=seeds, retry_after=st.floats(min_value=0, max_value=1e12))
def test_a_not_before_from_the_other_side_is_honoured_when_later(
    attempts: int, seed: int, retry_after: float
) -> None:
    decision = next_attempt(
        SETTINGS,
        random.Random(seed),
        attempts=attempts,
        now=NOW,
        started_at=NOW,
        retry_after=retry_after,
    )
    backoff = backoff_delay(SETTINGS, random.Random(seed), attempts)
    assert not decision.dead
    assert decision.not_before is not None
    wanted = min(timedelta(seconds=retry_after), SETTINGS.retry_horizon)
    assert decision.not_before - NOW >= max(wanted, backoff) - timedelta(microseconds=1)
    assert decision.not_before - NOW <= max(wanted, backoff) + timedelta(microseconds=1)


@given(
    attempts=st.integers(min_value=1, max_value=200),
    age=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10)),
    seed=seeds,
)
def test_an_item_is_dead_exactly_when_past_the_attempts_or_the_horizon(
    attempts: int, age: timedelta, seed: int
) -> None:
    decision = next_attempt(
        SETTINGS, random.Random(seed), attempts=attempts, now=NOW, started_at=NOW - age
    )
    expected_dead = attempts >= SETTINGS.max_attempts or age >= SETTINGS.retry_horizon
    assert decision.dead is expected_dead
    assert (decision.not_before is None) is expected_dead
    assert (decision.reason is not None) is expected_dead


def test_retries_keep_going_for_the_whole_horizon_before_giving_up() -> None:
    settings = ServiceSettings(max_attempts=1000)
    rng = random.Random(7)
    created = NOW
    now = NOW
    attempts = 0
    while True:
        attempts += 1
        decision = next_attempt(settings, rng, attempts=attempts, now=now, started_at=created)
        if decision.dead:
            break
        assert decision.not_before is not None
        now = decision.not_before
    assert now - created >= settings.retry_horizon
    assert now - created < settings.retry_horizon + settings.backoff_cap


def test_the_default_budget_of_attempts_lasts_the_72_hour_horizon() -> None:
    class Bottom(random.Random):
        def uniform(self, a: float, b: float) -> float:
            return a

    spent = sum(
        (backoff_delay(SETTINGS, Bottom(), n) for n in range(1, SETTINGS.max_attempts)),
        timedelta(0),
    )
    assert spent >= SETTINGS.retry_horizon
