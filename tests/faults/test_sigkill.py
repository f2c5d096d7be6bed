"""SIGKILL of the gateway and of workers at random (seeded) moments during a stream of 500 deliveries,
the sender retrying what was not acknowledged; each killed process is started again, then everything
drains: nothing acknowledged is lost, nothing is done twice."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import time
from pathlib import Path

import pytest

from tests.e2e.live_events import EXPORTED, intro_of
from tests.faults.ledger import Ledger, assert_clean, drain, oracle, send_stream
from tests.faults.stack import Stack, fault_stack

pytestmark = [pytest.mark.faults, pytest.mark.postgres]

# The stream is 500; GATEWAY_FAULTS_SIGKILL_N shortens it on a machine too loaded for that.
INTRODUCTIONS = int(os.environ.get("GATEWAY_FAULTS_SIGKILL_N", "500"))


async def test_sigkill_at_random_moments_loses_nothing_and_does_nothing_twice(
    postgres_url: str, tmp_path: Path, seed: int, rng: random.Random
) -> None:
    ledger = Ledger()
    async with fault_stack(postgres_url, tmp_path, gateways=1, workers=2) as stack:
        intros = ledger.plan(INTRODUCTIONS, stack.jobs, rng, "kill")
        stop = asyncio.Event()
        chaos = asyncio.create_task(_kill_at_random(stack, rng, stop))
        try:
            await send_stream(stack, ledger, intros, rng=rng, deadline_s=900)
            await _mostly_exported(stack, ledger)  # the kills go on while the workers export
        finally:
            stop.set()
            kills = await chaos
        for proc in [*stack.gateways, *stack.workers]:
            if not proc.alive:
                proc.start()
            await stack.wait_alive(proc)
        await drain(stack, ledger)
        print(f"[sigkill] seed={seed} kills: {', '.join(kills)}")
        verdict = await oracle(stack, ledger, "sigkill")

    assert len(kills) >= 5, kills
    assert {k.split("@")[0] for k in kills} >= {"gateway0"}
    assert_clean(verdict, ledger)


async def _kill_at_random(stack: Stack, rng: random.Random, stop: asyncio.Event) -> list[str]:
    """SIGKILL a random process (every third kill the gateway) every 1.5 to 5 s; start it again
    0.2 to 2 s later, without waiting for it to be up (a process starting may be killed too)."""
    victims = [*stack.gateways, *stack.workers]
    started = time.monotonic()
    kills: list[str] = []
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), rng.uniform(1.5, 5.0))
            break
        except TimeoutError:
            pass
        victim = victims[0] if len(kills) % 3 == 0 else rng.choice(victims)
        victim.kill(signal.SIGKILL)
        kills.append(f"{victim.name}@{time.monotonic() - started:.1f}s")
        await asyncio.sleep(rng.uniform(0.2, 2.0))
        victim.start()
    return kills


async def _mostly_exported(stack: Stack, ledger: Ledger, share: float = 0.9) -> None:
    """Wait (bounded) until most acknowledged introductions were pushed as exported."""
    deadline = time.monotonic() + 60.0 + 2.0 * len(ledger.intros)
    while time.monotonic() < deadline:
        exported = {intro_of(e) for e in stack.receiver.received if e.type == EXPORTED}
        if len(exported & ledger.acknowledged) >= share * len(ledger.acknowledged):
            return
        await asyncio.sleep(0.5)
