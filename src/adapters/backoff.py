"""The one back-off of the adapters' in-call retries (Harvest, its token endpoint, Lever): capped
exponential, with jitter, so that many workers retrying the same outage do not retry in step."""

from __future__ import annotations

import random


def jittered_backoff(attempt: int, *, base: float, cap: float, rng: random.Random) -> float:
    """Seconds before try `attempt + 1`: uniform in [ceiling / 2, ceiling], ceiling = min(cap,
    base * 2 ** (attempt - 1))."""
    ceiling = min(cap, base * 2 ** (max(attempt, 1) - 1))
    return rng.uniform(ceiling / 2, ceiling)
