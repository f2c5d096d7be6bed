"""The adapters' one back-off: capped, exponential, jittered within [ceiling / 2, ceiling]."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from intrro_gateway.adapters.backoff import jittered_backoff


@given(st.integers(min_value=1, max_value=64), st.integers())
def test_a_back_off_stays_within_half_and_all_of_its_capped_ceiling(
    attempt: int, seed: int
) -> None:
    wait = jittered_backoff(attempt, base=0.5, cap=8.0, rng=random.Random(seed))

    ceiling = min(8.0, 0.5 * 2 ** (attempt - 1))
    assert ceiling / 2 <= wait <= ceiling


def test_workers_retrying_together_do_not_wait_in_step() -> None:
    waits = {jittered_backoff(3, base=0.5, cap=8.0, rng=random.Random(seed)) for seed in range(20)}

    assert len(waits) == 20
