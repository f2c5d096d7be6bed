"""One Greenhouse allowance per tenant across processes: two workers export under a small window and the
sandbox never answers a 429 of its own (nothing spent beyond the window), nothing is lost, and the
workers use the token minted once for all of them."""

from __future__ import annotations

import random
import time
from pathlib import Path

import psycopg
import pytest

from tests.dbfixtures import postgres_dsn
from tests.faults.ledger import Ledger, assert_clean, drain, oracle, send_stream
from tests.faults.stack import fault_stack

pytestmark = [pytest.mark.faults, pytest.mark.postgres]

INTRODUCTIONS = 24
LIMIT, WINDOW_S = 40, 4.0


async def test_two_workers_share_one_window_and_one_token(
    postgres_url: str, tmp_path: Path, seed: int, rng: random.Random
) -> None:
    ledger = Ledger()
    async with fault_stack(
        postgres_url, tmp_path, workers=2, harvest_limit=LIMIT, harvest_window_s=WINDOW_S
    ) as stack:
        before = await stack.sandbox_control("GET", "/requests")
        started = time.monotonic()
        intros = ledger.plan(INTRODUCTIONS, stack.jobs, rng, "budget")
        await send_stream(stack, ledger, intros, rng=rng)
        await drain(stack, ledger)
        elapsed = time.monotonic() - started
        after = await stack.sandbox_control("GET", "/requests")
        faults = await stack.sandbox_control("GET", "/faults")
        verdict = await oracle(stack, ledger, "shared budget")

    harvest = sum(1 for r in after[len(before) :] if r["path"].startswith("/v3/"))
    minted = sum(1 for r in after[len(before) :] if r["path"] == "/token")
    print(
        f"[shared budget] {harvest} Harvest requests in {elapsed:.1f} s under {LIMIT} per "
        f"{WINDOW_S:g} s; 429s from the window: {faults['rate_limited']}; tokens minted: {minted}"
    )
    with psycopg.connect(postgres_dsn(postgres_url)) as conn:
        budgets = conn.execute('SELECT key, "limit" FROM ats_budgets').fetchall()
    assert budgets == [("greenhouse:acme", LIMIT)]
    assert harvest > 2 * LIMIT  # the stream needed several windows
    assert faults["rate_limited"] == 0
    assert minted == 0  # the workers took the token the gateway minted
    assert_clean(verdict, ledger)
