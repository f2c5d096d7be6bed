"""The Intrro receiver down for a while (connections refused) while status changes happen: afterwards
every push arrives, in sequence order per introduction.

The issue asks for 2 minutes; the suite keeps it to RECEIVER_DOWN_S (60 s) with the retry schedule
shortened by settings (backoff 200 ms doubling to a 2 s cap), which puts every introduction through many
failed retries with its later events waiting behind its first: the same situation, at half the cost.
"""

from __future__ import annotations

import asyncio
import os
import random
from pathlib import Path

import pytest

from tests.e2e.live_events import EXPORTED, STATUS_CHANGED, intro_of
from tests.faults.ledger import Ledger, assert_clean, drain, oracle, send_stream
from tests.faults.stack import TENANT, Stack, fault_stack

pytestmark = [pytest.mark.faults, pytest.mark.postgres]

INTRODUCTIONS = 40
RECEIVER_DOWN_S = float(os.environ.get("GATEWAY_FAULTS_RECEIVER_DOWN_S", "60"))


async def test_every_push_arrives_in_order_after_the_receiver_comes_back(
    postgres_url: str, tmp_path: Path, seed: int, rng: random.Random
) -> None:
    ledger = Ledger()
    async with fault_stack(postgres_url, tmp_path, workers=2) as stack:
        intros = ledger.plan(INTRODUCTIONS, stack.jobs, rng, "down")
        await send_stream(stack, ledger, intros, rng=rng)
        await drain(stack, ledger)
        exported = {intro_of(e): e.data for e in stack.receiver.received if e.type == EXPORTED}

        await stack.receiver.down()
        loop = asyncio.get_running_loop()
        back_at = loop.time() + RECEIVER_DOWN_S
        stages = await _stages_by_job(stack)
        moves = 0
        for intro in intros:
            for entry in exported[intro.introduction_id]["applications"]:
                # Two stage changes per application (to the second stage, interviewing, then to the
                # last, offer): two status pushes behind the receiver's outage.
                job_stages = stages[entry["job_id"]]
                for stage in (job_stages[1], job_stages[-1]):
                    await stack.sandbox_control(
                        "POST",
                        f"/applications/{entry['application_id']}/move",
                        {"to_stage_id": stage},
                    )
                    moves += 1
                    await asyncio.sleep(0.05)  # the sandbox does not retry a web hook: no bursts
        print(f"[receiver down] {moves} stage changes made while the receiver was down")
        await asyncio.sleep(max(0.0, back_at - loop.time()))
        await stack.receiver.up()
        # The second change may be applied before the first (web hooks carry no order; the first is
        # then stale): at least the last status of each application arrives, and nothing out of order.
        expected = {intro.introduction_id: 1 + len(intro.jobs) for intro in intros}
        await drain(stack, ledger)
        await _wait_pushes(stack, expected)
        verdict = await oracle(stack, ledger, "receiver down", expected_pushes=expected)

    last: dict[tuple[str, str], tuple[int, str]] = {}
    for event in stack.receiver.received:
        if event.type == STATUS_CHANGED:
            key = (str(intro_of(event)), str(event.data["job_id"]))
            sequence = int(event.data["sequence"])
            if key not in last or sequence > last[key][0]:
                last[key] = (sequence, event.data["status"])
    assert len(last) == sum(len(intro.jobs) for intro in intros)
    assert {status for _, status in last.values()} == {"offer"}
    assert_clean(verdict, ledger)


async def _stages_by_job(stack: Stack) -> dict[str, list[int]]:
    stages: dict[str, list[int]] = {}
    params = {"status": "all"}
    while True:
        page = await stack.api("GET", f"/api/tenants/{TENANT}/jobs", params=params)
        for job in page["jobs"]:
            stages[str(job["id"])] = [int(s["id"]) for s in job["stages"]]
        if not page.get("next_cursor"):
            return stages
        params = {"status": "all", "cursor": page["next_cursor"]}


async def _wait_pushes(stack: Stack, expected: dict[str, int], timeout_s: float = 120.0) -> None:
    """Wait until each introduction got its number of distinct pushes."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while asyncio.get_running_loop().time() < deadline:
        got: dict[str, set[str]] = {}
        for event in stack.receiver.received:
            intro = intro_of(event)
            if intro is not None:
                got.setdefault(str(intro), set()).add(event.webhook_id)
        if all(len(got.get(i, ())) >= n for i, n in expected.items()):
            return
        await asyncio.sleep(0.5)
