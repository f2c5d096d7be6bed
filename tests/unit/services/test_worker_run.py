"""The worker's loop: stopping finishes the item in hand and releases the rest; one key at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

import structlog

from intrro_gateway.domain.commands import ApplyAtsSignal, Command
from intrro_gateway.ports.unit_of_work import InboundDelivery, InboxState, OutboxState
from intrro_gateway.services.settings import ServiceSettings
from intrro_gateway.services.worker import Worker
from tests.fakes.webhooks import FakeTranslator
from tests.fakes.work_queue import FakeWorkQueue
from tests.unit.services.runtime_harness import RecordingBus, make_runtime

FAST = ServiceSettings(poll_interval=timedelta(milliseconds=1), batch_size=1)


class GreedyQueue(FakeWorkQueue):
    """A queue that (wrongly) hands out every received item at once, ordering keys or not."""

    async def claim_inbox(
        self, *, worker_id: str, now: datetime, lease: timedelta, limit: int
    ) -> Sequence[InboundDelivery]:
        items = sorted(
            (d for d in self.inbox.values() if d.state is InboxState.RECEIVED),
            key=lambda d: d.received_at,
        )
        for item in items:
            item.attempts += 1
            item.lease_expires_at = now + lease
            self.owners[item.id] = worker_id
        return list(items)


def body(application_id: str) -> bytes:
    return FakeTranslator.body(
        "application_updated", [{"type": "hired", "application_id": application_id}]
    )


async def test_stopping_finishes_the_item_in_hand_and_releases_the_leases_of_the_rest() -> None:
    rt = make_runtime(ServiceSettings(poll_interval=timedelta(milliseconds=1), batch_size=10))
    rt.add_tenant()
    first = rt.receive(body("a1"), ordering_key="intro-1")
    second = rt.receive(body("a2"), ordering_key="intro-1")  # same key: waits behind the first
    event = rt.queue_event()
    stop = asyncio.Event()
    in_hand = asyncio.Event()
    go_on = asyncio.Event()

    async def behaviour(command: Command) -> object:
        in_hand.set()
        await go_on.wait()
        return None

    worker = Worker(rt.deps, RecordingBus(behaviour=behaviour), "w1")
    task = asyncio.create_task(worker.run(stop))
    await in_hand.wait()
    stop.set()  # SIGTERM arrives while the first delivery is being processed
    go_on.set()
    await asyncio.wait_for(task, timeout=5)

    assert rt.store.inbox[first.id].state is InboxState.PROCESSED
    assert rt.store.inbox[second.id].state is InboxState.RECEIVED
    assert rt.store.outbox[event.id].state is OutboxState.PENDING  # never claimed after the stop
    assert rt.platform.attempts == []
    assert rt.queue.owners == {}


async def test_items_claimed_but_not_started_are_released_on_stop() -> None:
    rt = make_runtime(ServiceSettings(poll_interval=timedelta(milliseconds=1), batch_size=10))
    rt.add_tenant()
    items = [rt.receive(body(f"a{n}"), ordering_key="intro-1") for n in range(3)]
    stop = asyncio.Event()

    queue = GreedyQueue(inbox=rt.store.inbox, outbox=rt.store.outbox)
    deps = replace(rt.deps, queue=queue)

    async def behaviour(command: Command) -> object:
        stop.set()
        return None

    worker = Worker(deps, RecordingBus(behaviour=behaviour), "w1")
    await asyncio.wait_for(worker.run(stop), timeout=5)

    states = [rt.store.inbox[i.id].state for i in items]
    assert states == [InboxState.PROCESSED, InboxState.RECEIVED, InboxState.RECEIVED]
    assert all(rt.store.inbox[i.id].lease_expires_at is None for i in items[1:])
    assert queue.owners == {}


async def test_items_of_one_key_in_a_batch_never_run_at_the_same_time() -> None:
    rt = make_runtime(ServiceSettings(batch_size=10))
    rt.add_tenant()
    for n in range(4):
        rt.receive(body(f"k1-{n}"), ordering_key="intro-1")
        rt.receive(body(f"k2-{n}"), ordering_key="intro-2")

    deps = replace(rt.deps, queue=GreedyQueue(inbox=rt.store.inbox, outbox=rt.store.outbox))
    running: dict[str, int] = {"intro-1": 0, "intro-2": 0}
    overlap: list[str] = []
    order: list[str] = []

    async def behaviour(command: Command) -> object:
        assert isinstance(command, ApplyAtsSignal)
        key = "intro-1" if command.signal.application_id.startswith("k1") else "intro-2"
        running[key] += 1
        if running[key] > 1:
            overlap.append(key)
        order.append(command.signal.application_id)
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        running[key] -= 1
        return None

    handled = await Worker(deps, RecordingBus(behaviour=behaviour), "w1").run_once()

    assert handled == 8
    assert overlap == []
    assert [a for a in order if a.startswith("k1")] == [f"k1-{n}" for n in range(4)]
    assert order[:2] == ["k1-0", "k2-0"]  # different keys do run side by side


async def test_the_log_context_names_the_tenant_and_delivery_while_processing_only() -> None:
    rt = make_runtime(FAST)
    rt.add_tenant()
    item = rt.receive(body("a1"))
    seen: list[dict[str, object]] = []

    async def behaviour(command: Command) -> object:
        seen.append(dict(structlog.contextvars.get_contextvars()))
        return None

    structlog.contextvars.clear_contextvars()
    await Worker(rt.deps, RecordingBus(behaviour=behaviour), "w1").run_once()

    assert seen == [{"tenant": "acme", "delivery_id": item.id}]
    assert structlog.contextvars.get_contextvars() == {}


async def test_the_loop_keeps_polling_until_stopped() -> None:
    rt = make_runtime(FAST)
    rt.add_tenant()
    stop = asyncio.Event()
    bus = RecordingBus()
    worker = Worker(rt.deps, bus, "w1")
    task = asyncio.create_task(worker.run(stop))

    await asyncio.sleep(0.01)
    item = rt.receive(body("late"))  # arrives while the worker idles
    for _ in range(500):
        if rt.store.inbox[item.id].state is InboxState.PROCESSED:
            break
        await asyncio.sleep(0.002)
    stop.set()
    await asyncio.wait_for(task, timeout=5)

    assert rt.store.inbox[item.id].state is InboxState.PROCESSED
    assert len(bus.handled) == 1


async def test_an_idle_worker_wakes_when_work_is_signalled_not_at_its_poll() -> None:
    rt = make_runtime(ServiceSettings(poll_interval=timedelta(hours=1), batch_size=10))
    rt.add_tenant()
    stop = asyncio.Event()
    handled = asyncio.Event()

    async def behaviour(command: Command) -> object:
        handled.set()
        return None

    worker = Worker(rt.deps, RecordingBus(behaviour=behaviour), "w1")
    task = asyncio.create_task(worker.run(stop))
    for _ in range(5):
        await asyncio.sleep(0)  # the worker found nothing and waits (for an hour, unless signalled)
    delivery = rt.receive(body("a1"))
    rt.deps.wakeup.ready()  # what the unit of work does after committing queued work
    await asyncio.wait_for(handled.wait(), timeout=30)
    stop.set()
    await asyncio.wait_for(task, timeout=30)
    assert rt.store.inbox[delivery.id].state is InboxState.PROCESSED
