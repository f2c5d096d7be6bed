"""When to try a failed item again: capped exponential backoff with jitter, within a budget.

The budget is two limits, whichever comes first: `settings.max_attempts` claims, or
`settings.retry_horizon` since the item was created (outbox) or received (inbox). An item is parked dead
only once a failed attempt happens past the horizon, so retries span at least the whole horizon.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from intrro_gateway.services.settings import ServiceSettings


@dataclass(frozen=True, slots=True)
class RetryDecision:
    """What to do with an item after a failed attempt: retry after `not_before`, or park it dead."""

    dead: bool
    not_before: datetime | None
    reason: str | None = None


def backoff_delay(settings: ServiceSettings, rng: random.Random, attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: min(cap, base * 2**(attempts-1)) * U(0.5, 1)."""
    exponent = max(attempts, 1) - 1
    cap = settings.backoff_cap.total_seconds()
    base = settings.backoff_base.total_seconds()
    # Compare in the exponent's domain so a large attempt count cannot overflow the float.
    ceiling = cap if exponent >= 1024 or base * 2.0**exponent >= cap else base * 2.0**exponent
    return timedelta(seconds=ceiling * rng.uniform(0.5, 1.0))


def next_attempt(
    settings: ServiceSettings,
    rng: random.Random,
    *,
    attempts: int,
    now: datetime,
    started_at: datetime,
    retry_after: float | None = None,
) -> RetryDecision:
    """The fate of an item whose `attempts`-th attempt just failed at `now`.

    `started_at` is when the item was created or received; `retry_after` (seconds) is a not-before the
    other side asked for, honoured when it is later than the backoff.
    """
    if attempts >= settings.max_attempts:
        return RetryDecision(
            dead=True, not_before=None, reason=f"gave up after {attempts} attempts"
        )
    if now - started_at >= settings.retry_horizon:
        return RetryDecision(
            dead=True,
            not_before=None,
            reason=f"gave up after retrying for {settings.retry_horizon}",
        )
    not_before = now + backoff_delay(settings, rng, attempts)
    if retry_after is not None and math.isfinite(retry_after) and retry_after > 0:
        # A not-before beyond the horizon is kept to the horizon: the item still gets its last try.
        wait = min(retry_after, settings.retry_horizon.total_seconds())
        not_before = max(not_before, now + timedelta(seconds=wait))
    return RetryDecision(dead=False, not_before=not_before)
