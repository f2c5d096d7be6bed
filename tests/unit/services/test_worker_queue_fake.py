"""The fake work queue keeps the real queue's rules, so worker tests mean what they say."""

from __future__ import annotations

from datetime import timedelta

from intrro_gateway.ports.unit_of_work import InboxState, OutboxState
from tests.unit.services.runtime_harness import make_runtime

LEASE = timedelta(seconds=30)


async def test_one_outbox_item_per_key_lowest_sequence_first_and_a_dead_one_no_longer_blocks() -> (
    None
):
    rt = make_runtime()
    items = {s: rt.queue_event(sequence=s) for s in (3, 1, 2)}
    rt.queue_event(key="other", sequence=1)
    now = rt.clock.now()

    first = await rt.queue.claim_outbox(worker_id="w1", now=now, lease=LEASE, limit=10)
    assert sorted((i.ordering_key, i.sequence) for i in first) == [("intro-1", 1), ("other", 1)]
    assert await rt.queue.claim_outbox(worker_id="w2", now=now, lease=LEASE, limit=10) == []

    await rt.queue.park_outbox(items[1].id, worker_id="w1", error="410", now=now)
    [second] = await rt.queue.claim_outbox(worker_id="w2", now=now, lease=LEASE, limit=10)
    assert second.sequence == 2
    assert rt.store.outbox[second.id].state is OutboxState.LEASED


async def test_an_expired_lease_is_claimed_again_and_the_old_holder_cannot_settle() -> None:
    rt = make_runtime()
    rt.add_tenant()
    item = rt.receive(b"{}")
    now = rt.clock.now()
    await rt.queue.claim_inbox(worker_id="w1", now=now, lease=LEASE, limit=10)
    assert await rt.queue.claim_inbox(worker_id="w2", now=now, lease=LEASE, limit=10) == []

    later = now + LEASE
    [again] = await rt.queue.claim_inbox(worker_id="w2", now=later, lease=LEASE, limit=10)
    assert again.attempts == 2
    await rt.queue.park_inbox(item.id, worker_id="w1", error="late", now=later)

    assert rt.store.inbox[item.id].state is InboxState.RECEIVED
    assert rt.queue.settled_by_stranger == [item.id]


async def test_inbox_items_of_one_key_are_handed_out_in_arrival_order_one_at_a_time() -> None:
    rt = make_runtime()
    first = rt.receive(b"1", ordering_key="k")
    rt.clock.advance(seconds=1)
    second = rt.receive(b"2", ordering_key="k")
    loose = rt.receive(b"3")
    now = rt.clock.now()

    claimed = await rt.queue.claim_inbox(worker_id="w1", now=now, lease=LEASE, limit=10)
    assert [c.id for c in claimed] == [first.id, loose.id]

    await rt.queue.retry_inbox(first.id, worker_id="w1", not_before=now + LEASE, error="x")
    assert await rt.queue.claim_inbox(worker_id="w1", now=now, lease=LEASE, limit=10) == []
    again = await rt.queue.claim_inbox(worker_id="w1", now=now + LEASE, lease=LEASE, limit=10)
    ids = [c.id for c in again]  # the retried head still goes before the next of its key
    assert first.id in ids
    assert second.id not in ids


async def test_release_gives_back_only_this_workers_leases() -> None:
    rt = make_runtime()
    rt.queue_event(key="a")
    rt.queue_event(key="b")
    now = rt.clock.now()
    await rt.queue.claim_outbox(worker_id="w1", now=now, lease=LEASE, limit=1)
    await rt.queue.claim_outbox(worker_id="w2", now=now, lease=LEASE, limit=1)

    assert await rt.queue.release("w1") == 1

    states = sorted(str(o.state) for o in rt.store.outbox.values())
    assert states == ["leased", "pending"]
    assert list(rt.queue.owners.values()) == ["w2"]
