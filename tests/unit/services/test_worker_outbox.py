"""The worker on the outbox: pushes to Intrro, refusals, retries over the horizon, order per key."""

from __future__ import annotations

from datetime import timedelta

from intrro_gateway.ports.unit_of_work import OutboxState
from intrro_gateway.services.settings import ServiceSettings
from intrro_gateway.services.worker import Worker
from tests.unit.services.runtime_harness import CALLBACK, INTRRO_SECRET, RecordingBus, make_runtime


async def test_an_event_is_pushed_to_the_tenants_callback_with_its_outbox_id() -> None:
    rt = make_runtime()
    rt.add_tenant()
    item = rt.queue_event(payload={"introduction_id": "intro-1", "status": "applied"})

    assert await Worker(rt.deps, RecordingBus(), "w1").run_once() == 1

    [(target, message)] = rt.platform.pushes
    assert target.url == CALLBACK
    assert target.secret == INTRRO_SECRET
    assert message.message_id == item.id
    assert message.type == "application.status_changed"
    assert message.timestamp == item.created_at
    assert message.data == {"introduction_id": "intro-1", "status": "applied"}
    assert rt.store.outbox[item.id].state is OutboxState.DONE


async def test_a_refused_push_is_parked_dead_at_once_and_does_not_hold_back_the_next() -> None:
    rt = make_runtime()
    rt.add_tenant()
    first = rt.queue_event("introduction.failed", sequence=1)
    second = rt.queue_event("application.status_changed", sequence=2)
    rt.platform.refuse_types.add("introduction.failed")
    worker = Worker(rt.deps, RecordingBus(), "w1")

    await worker.run_once()
    await worker.run_once()

    dead = rt.store.outbox[first.id]
    assert dead.state is OutboxState.DEAD
    assert dead.attempts == 1
    assert dead.last_error is not None and "PushRefusedError" in dead.last_error
    assert rt.store.outbox[second.id].state is OutboxState.DONE


async def test_a_failed_push_honours_the_retry_after_the_platform_gave() -> None:
    rt = make_runtime()
    rt.add_tenant()
    item = rt.queue_event()
    rt.platform.fail_next = 1
    rt.platform.retry_after = 900.0
    worker = Worker(rt.deps, RecordingBus(), "w1")

    await worker.run_once()

    stored = rt.store.outbox[item.id]
    assert stored.state is OutboxState.PENDING
    assert stored.not_before is not None
    assert stored.not_before - rt.clock.now() >= timedelta(seconds=900)
    rt.clock.advance(seconds=899)
    assert await worker.run_once() == 0
    rt.clock.set(stored.not_before)
    assert await worker.run_once() == 1
    assert rt.store.outbox[item.id].state is OutboxState.DONE


async def test_a_push_that_always_fails_is_retried_over_the_72_hour_horizon_then_dead() -> None:
    rt = make_runtime(ServiceSettings(max_attempts=1000))
    rt.add_tenant()
    item = rt.queue_event()
    rt.platform.fail_next = 10**6
    worker = Worker(rt.deps, RecordingBus(), "w1")

    for _ in range(200):
        await worker.run_once()
        stored = rt.store.outbox[item.id]
        if stored.state is OutboxState.DEAD:
            break
        assert stored.not_before is not None
        rt.clock.set(stored.not_before)

    stored = rt.store.outbox[item.id]
    assert stored.state is OutboxState.DEAD
    assert rt.clock.now() - item.created_at >= timedelta(hours=72)
    assert len(rt.platform.attempts) == stored.attempts
    assert {m.message_id for _, m in rt.platform.attempts} == {item.id}


async def test_events_of_one_introduction_go_out_in_sequence_across_retries() -> None:
    rt = make_runtime()
    rt.add_tenant()
    items = [rt.queue_event(sequence=n, payload={"n": n}) for n in (1, 2, 3)]
    other = rt.queue_event(key="intro-2", sequence=1, payload={"n": 99})
    rt.platform.fail_next = 1  # the first push fails once
    worker = Worker(rt.deps, RecordingBus(), "w1")

    for _ in range(10):
        await worker.run_once()
        waiting = [i.not_before for i in rt.store.outbox.values() if i.state is OutboxState.PENDING]
        if not waiting:
            break
        rt.clock.set(max([rt.clock.now(), *(w for w in waiting if w is not None)]))

    ours = [m.data["n"] for m in rt.platform.messages if m.data["n"] != 99]
    assert ours == [1, 2, 3]
    assert all(rt.store.outbox[i.id].state is OutboxState.DONE for i in [*items, other])


async def test_a_tenant_without_a_callback_url_keeps_its_events_until_one_is_set() -> None:
    rt = make_runtime()
    tenant = rt.add_tenant(callback=None)
    item = rt.queue_event()
    worker = Worker(rt.deps, RecordingBus(), "w1")

    await worker.run_once()
    stored = rt.store.outbox[item.id]
    assert stored.state is OutboxState.PENDING
    assert stored.last_error is not None and "callback" in stored.last_error
    assert rt.platform.attempts == []

    tenant.intrro_callback_url = CALLBACK
    assert stored.not_before is not None
    rt.clock.set(stored.not_before)
    await worker.run_once()
    assert rt.store.outbox[item.id].state is OutboxState.DONE


async def test_an_event_of_a_deleted_tenant_is_parked_dead() -> None:
    rt = make_runtime()
    item = rt.queue_event(tenant_id="gone")

    await Worker(rt.deps, RecordingBus(), "w1").run_once()

    assert rt.store.outbox[item.id].state is OutboxState.DEAD


async def test_a_dead_event_replayed_goes_out_with_the_same_webhook_id() -> None:
    rt = make_runtime()
    rt.add_tenant()
    item = rt.queue_event()
    rt.platform.refuse_all = True
    worker = Worker(rt.deps, RecordingBus(), "w1")
    await worker.run_once()
    assert rt.store.outbox[item.id].state is OutboxState.DEAD

    rt.platform.refuse_all = False
    assert await rt.queue.replay("acme", item.id, now=rt.clock.now())
    await worker.run_once()

    assert [m.message_id for m in rt.platform.messages] == [item.id]
    assert rt.store.outbox[item.id].state is OutboxState.DONE
