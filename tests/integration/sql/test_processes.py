"""Worker processes racing, killed mid-item, and killed by a poison item, on both databases."""

from __future__ import annotations

import asyncio
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy import select

from intrro_gateway.adapters.sql.engine import sync_url
from intrro_gateway.adapters.sql.tables import InboxRow, OutboxRow, table
from intrro_gateway.adapters.sql.uow import SqlUnitOfWorkFactory
from intrro_gateway.ports.unit_of_work import InboundDelivery, OutboundItem
from tests.integration.sql import builders as b
from tests.integration.sql.worker_process import EFFECTS

ROOT = Path(__file__).resolve().parents[3]
_INBOX, _OUTBOX = table(InboxRow), table(OutboxRow)


def _spawn(url: str, worker_id: str, *options: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.integration.sql.worker_process", url, worker_id, *options],
        cwd=ROOT,
    )


def _wait(process: subprocess.Popen[bytes], timeout: float = 240) -> int:
    return process.wait(timeout=timeout)


def _prepare_effects(url: str) -> None:
    engine = create_sync_engine(sync_url(url))
    EFFECTS.metadata.create_all(engine)
    engine.dispose()


def _snapshot(
    url: str,
) -> tuple[list[tuple[str, str, str | None, int | None]], dict[str, tuple[str, int]]]:
    """Every effect (item, worker, key, sequence) in order, and every item's (state, attempts)."""
    engine = create_sync_engine(sync_url(url))
    with engine.connect() as conn:
        effects = [
            (r.item_id, r.worker, r.ordering_key, r.sequence)
            for r in conn.execute(select(EFFECTS).order_by(EFFECTS.c.n))
        ]
        states = {
            r.id: (r.state, r.attempts)
            for source in (_OUTBOX, _INBOX)
            for r in conn.execute(select(source.c.id, source.c.state, source.c.attempts))
        }
    engine.dispose()
    return effects, states


async def _store(
    uow_factory: SqlUnitOfWorkFactory,
    outbound: list[OutboundItem],
    inbound: list[InboundDelivery] = [],  # noqa: B006 - read only
) -> None:
    async with uow_factory() as uow:
        for item in outbound:
            await uow.outbox.add(item)
        for delivery in inbound:
            await uow.inbox.add(delivery)
        await uow.commit()


@pytest.mark.slow
async def test_two_worker_processes_racing_over_1000_items_do_each_exactly_once_in_key_order(
    migrated_url: str, uow_factory: SqlUnitOfWorkFactory
) -> None:
    outbound = [
        b.outbound(ordering_key=f"intro-{k}", sequence=s, payload={"action": "ok"})
        for s in range(1, 11)
        for k in range(60)
    ]
    random.Random(7).shuffle(outbound)  # stored out of sequence: only the claim puts them in order
    inbound = [b.delivery(ordering_key=f"intro-{k % 40}", body=b"ok") for k in range(400)]
    await _store(uow_factory, outbound, inbound)
    _prepare_effects(migrated_url)

    workers = [_spawn(migrated_url, f"w{n}", "--limit", "10") for n in (1, 2)]
    codes = await asyncio.gather(*(asyncio.to_thread(_wait, w) for w in workers))
    effects, states = _snapshot(migrated_url)

    assert codes == [0, 0]
    per_item = Counter(item_id for item_id, *_ in effects)
    assert len(per_item) == 1000 and set(per_item.values()) == {1}
    assert {state for state, _ in states.values()} <= {"done", "processed"}
    assert set(Counter(worker for _, worker, *_ in effects)) == {"w1", "w2"}
    order: dict[str, list[int]] = {}
    for _, _, key, sequence in effects:
        if sequence is not None:
            order.setdefault(str(key), []).append(sequence)
    assert all(seqs == list(range(1, 11)) for seqs in order.values())
    arrival = {d.id: n for n, d in enumerate(inbound)}
    inbox_order: dict[str, list[int]] = {}
    for item_id, _, key, sequence in effects:
        if sequence is None:
            inbox_order.setdefault(str(key), []).append(arrival[item_id])
    assert all(ns == sorted(ns) for ns in inbox_order.values())


def _wait_for_file(path: Path, process: subprocess.Popen[bytes], timeout: float = 60) -> str:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if path.exists() and path.read_text():
            return path.read_text()
        if process.poll() is not None:
            raise AssertionError(f"the worker exited with {process.returncode} before hanging")
        time.sleep(0.02)
    raise AssertionError("the worker never reached the hanging item")


@pytest.mark.slow
async def test_a_worker_killed_mid_item_loses_its_lease_and_the_item_is_done_exactly_once(
    migrated_url: str, uow_factory: SqlUnitOfWorkFactory, tmp_path: Path
) -> None:
    outbound = [b.outbound(ordering_key=f"intro-{k}", payload={"action": "ok"}) for k in range(10)]
    victim = b.outbound(ordering_key="intro-victim", payload={"action": "hang_first"})
    after = b.outbound(ordering_key="intro-victim", sequence=2, payload={"action": "ok"})
    hung_delivery = b.delivery(body=b"hang_first")
    await _store(uow_factory, [*outbound, victim, after], [hung_delivery])
    _prepare_effects(migrated_url)
    options = ("--lease-s", "1", "--limit", "5")

    hang_file = tmp_path / "hanging"
    first = _spawn(migrated_url, "doomed", *options, "--hang-file", str(hang_file))
    hung = await asyncio.to_thread(_wait_for_file, hang_file, first)
    first.send_signal(signal.SIGKILL)
    assert await asyncio.to_thread(_wait, first) == -signal.SIGKILL
    hang_file.unlink()
    second = _spawn(migrated_url, "heir", *options, "--hang-file", str(hang_file))
    hung_again = await asyncio.to_thread(_wait_for_file, hang_file, second)
    second.send_signal(signal.SIGKILL)
    await asyncio.to_thread(_wait, second)
    third = _spawn(migrated_url, "survivor", *options)
    assert await asyncio.to_thread(_wait, third) == 0

    effects, states = _snapshot(migrated_url)
    per_item = Counter(item_id for item_id, *_ in effects)
    assert {hung, hung_again} == {victim.id, hung_delivery.id}
    assert len(per_item) == 13 and set(per_item.values()) == {1}
    assert states[victim.id] == ("done", 2) and states[hung_delivery.id] == ("processed", 2)
    victim_key = [seq for _, _, key, seq in effects if key == "intro-victim"]
    assert victim_key == [1, 2]


@pytest.mark.slow
async def test_an_item_that_kills_its_worker_every_time_ends_dead_while_others_flow(
    migrated_url: str, uow_factory: SqlUnitOfWorkFactory
) -> None:
    before = [b.outbound(ordering_key=f"a-{k}", payload={"action": "ok"}) for k in range(5)]
    poison = b.outbound(ordering_key="intro-p", payload={"action": "crash"})
    behind = b.outbound(ordering_key="intro-p", sequence=2, payload={"action": "ok"})
    others = [b.outbound(ordering_key=f"b-{k}", payload={"action": "ok"}) for k in range(5)]
    await _store(uow_factory, [*before, poison, behind, *others])
    _prepare_effects(migrated_url)

    max_attempts = 3
    exits = []
    for run in range(10):  # the supervisor: restart the worker until it finishes
        worker = _spawn(
            migrated_url,
            f"run-{run}",
            "--lease-s",
            "0.3",
            "--limit",
            "1",
            "--max-attempts",
            str(max_attempts),
        )
        exits.append(await asyncio.to_thread(_wait, worker))
        if exits[-1] == 0:
            break

    effects, states = _snapshot(migrated_url)
    assert exits == [-signal.SIGKILL] * max_attempts + [0]
    assert states[poison.id] == ("dead", max_attempts + 1)
    per_item = Counter(item_id for item_id, *_ in effects)
    flowing = [*before, behind, *others]
    assert poison.id not in per_item
    assert {i.id: per_item[i.id] for i in flowing} == {i.id: 1 for i in flowing}
    assert all(states[i.id] == ("done", 1) for i in flowing)
