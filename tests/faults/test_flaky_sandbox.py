"""Greenhouse answering 30 % of requests with 429, 500 (after applying), 503 or too late: every
export completes exactly once."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.faults.ledger import Ledger, assert_clean, drain, oracle, send_stream
from tests.faults.stack import fault_stack

pytestmark = [pytest.mark.faults, pytest.mark.postgres]

INTRODUCTIONS = 30


async def test_every_export_completes_exactly_once_against_a_flaky_greenhouse(
    postgres_url: str, tmp_path: Path, seed: int, rng: random.Random
) -> None:
    ledger = Ledger()
    async with fault_stack(postgres_url, tmp_path, workers=2, GREENHOUSE_TIMEOUT="1s") as stack:
        await stack.sandbox_control(
            "POST",
            "/faults",
            {"rate": 0.3, "kinds": ["429", "500", "503", "timeout"], "hold_s": 1.5, "seed": seed},
        )
        intros = ledger.plan(INTRODUCTIONS, stack.jobs, rng, "flaky")
        await send_stream(stack, ledger, intros, rng=rng)
        await drain(stack, ledger)
        faults = await stack.sandbox_control("POST", "/faults", {"rate": 0.0})
        print(f"[flaky greenhouse] injected: {faults['injected']}")
        verdict = await oracle(stack, ledger, "flaky greenhouse")

    assert sum(faults["injected"].values()) > INTRODUCTIONS  # the faults really happened
    assert_clean(verdict, ledger)
