"""Two `serve` and two `worker` processes on one PostgreSQL under one stream, some deliveries sent to
both gateways: nothing is done twice."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.faults.ledger import Ledger, assert_clean, drain, oracle, send_stream
from tests.faults.stack import fault_stack

pytestmark = [pytest.mark.faults, pytest.mark.postgres]

INTRODUCTIONS = 100


async def test_two_gateways_and_two_workers_do_nothing_twice(
    postgres_url: str, tmp_path: Path, seed: int, rng: random.Random
) -> None:
    ledger = Ledger()
    async with fault_stack(postgres_url, tmp_path, gateways=2, workers=2) as stack:
        intros = ledger.plan(INTRODUCTIONS, stack.jobs, rng, "scale")
        await send_stream(stack, ledger, intros, rng=rng, resend_elsewhere=0.3)
        await drain(stack, ledger)
        verdict = await oracle(stack, ledger, "two serve + two workers")

    assert ledger.answers["202"] + ledger.answers["200"] > INTRODUCTIONS  # resends reached both
    assert_clean(verdict, ledger)
