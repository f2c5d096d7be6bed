"""PostgreSQL unreachable for 20 s mid-stream (a loopback proxy we control drops every connection and
refuses new ones; the shared server is never stopped): the gateway answers 503 meanwhile, the workers
log one line per failed poll with backoff and no traceback, and everything recovers after."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.faults.ledger import Ledger, assert_clean, drain, oracle, send_stream
from tests.faults.pgproxy import TcpProxy
from tests.faults.stack import fault_stack

pytestmark = [pytest.mark.faults, pytest.mark.postgres]

INTRODUCTIONS = 100
OUTAGE_S = 20.0


async def test_a_database_outage_answers_503_then_recovers_fully(
    postgres_url: str, tmp_path: Path, seed: int, rng: random.Random
) -> None:
    upstream = make_url(postgres_url)
    proxy = TcpProxy(upstream.host or "127.0.0.1", upstream.port or 5432)
    await proxy.start()
    proxied = postgres_url.replace(
        f"{upstream.host}:{upstream.port or 5432}", f"127.0.0.1:{proxy.port}", 1
    )
    ledger = Ledger()
    try:
        async with fault_stack(postgres_url, tmp_path, workers=2, process_db_url=proxied) as stack:
            intros = ledger.plan(INTRODUCTIONS, stack.jobs, rng, "pg")
            sending = asyncio.create_task(send_stream(stack, ledger, intros, rng=rng))
            # Cut mid-stream: after a share is acknowledged, not after a fixed time (the ingress may
            # take all of them within seconds, and then no request would meet the outage).
            await _acknowledged(ledger, rng.randint(10, 30), sending)
            assert not sending.done(), "the stream ended before the outage began"
            marks = {p.name: len(p.output()) for p in [*stack.gateways, *stack.workers]}
            proxy.cut()
            await asyncio.sleep(1.0)
            ready = await stack.http.get(f"{stack.gateway_urls[0]}/readyz")
            await asyncio.sleep(OUTAGE_S - 1.0)
            during = {
                p.name: p.output()[marks[p.name] :] for p in [*stack.gateways, *stack.workers]
            }
            proxy.restore()
            await sending
            await drain(stack, ledger)
            verdict = await oracle(stack, ledger, "postgres outage")
    finally:
        await proxy.close()

    print(f"[postgres outage] sender answers: {dict(ledger.answers)}; refused {proxy.refused}")
    assert ready.status_code == 503
    assert ledger.answers["503"] > 0  # ingress said so while the database was away
    for name, text in during.items():
        assert "Traceback" not in text, f"{name} logged a traceback during the outage:\n{text}"
        if name.startswith("worker"):
            polls = text.count("worker.claim_failed")
            print(f"[postgres outage] {name}: {polls} claim_failed lines in {OUTAGE_S:g} s")
            assert 1 <= polls <= 15, text
    assert_clean(verdict, ledger)


async def _acknowledged(ledger: Ledger, count: int, sending: asyncio.Task[None]) -> None:
    """Wait until `count` introductions are acknowledged (or the stream has ended)."""
    while len(ledger.acknowledged) < count and not sending.done():
        await asyncio.sleep(0.02)
