"""The fault scenarios' seed. Each module is marked `faults` and `postgres` (real processes on
PostgreSQL): `pytest -m "not faults"` leaves the suite out while developing; CI runs it."""

from __future__ import annotations

import os
import random
import time

import pytest


@pytest.fixture
def seed() -> int:
    """The scenario's random seed: GATEWAY_FAULTS_SEED to replay one, else a new one (printed)."""
    chosen = int(os.environ.get("GATEWAY_FAULTS_SEED") or time.time_ns() % 1_000_000)
    print(f"seed: {chosen} (replay with GATEWAY_FAULTS_SEED={chosen})")
    return chosen


@pytest.fixture
def rng(seed: int) -> random.Random:
    """A generator seeded with the scenario's seed."""
    return random.Random(seed)
