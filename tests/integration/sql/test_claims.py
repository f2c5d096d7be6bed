"""Claiming: order per key, leases, attempts, deferral, replay, release, listing and locks."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from intrro_gateway.adapters.sql.locks import SqlLocks
from intrro_gateway.adapters.sql.queue import SqlWorkQueue
from intrro_gateway.adapters.sql.uow import SqlUnitOfWorkFactory
from intrro_gateway.ports.unit_of_work import InboundDelivery, InboxState, OutboundItem, OutboxState
from tests.integration.sql import builders as b

LEASE = timedelta(seconds=30)
T0 = b.T0


async def _store(
    uow_factory: SqlUnitOfWorkFactory,
    outbound: list[OutboundItem] = [],  # noqa: B006 - read only
    inbound: list[InboundDelivery] = [],  # noqa: B006 - read only
) -> None:
    async with uow_factory() as uow:
        for item in outbound:
            await uow.outbox.add(item)
        for delivery in inbound:
            await uow.inbox.add(delivery)
        await uow.commit()


async def _claim_out(
    queue: SqlWorkQueue, worker: str = "w1", at: timedelta = timedelta(0)
) -> list[str]:
    items = await queue.claim_outbox(worker_id=worker, now=T0 + at, lease=LEASE, limit=10)
    return [f"{i.ordering_key}#{i.sequence}" for i in items]


async def test_outbox_hands_out_one_item_per_key_lowest_sequence_first(
    uow_factory: SqlUnitOfWorkFactory, work_queue: SqlWorkQueue
) -> None:
    items = [b.outbound(ordering_key="k", sequence=s) for s in (3, 1, 2)]
    await _store(uow_factory, [*items, b.outbound(ordering_key="l", sequence=1)])
    by_seq = {i.sequence: i for i in items}

    assert sorted(await _claim_out(work_queue)) == ["k#1", "l#1"]
    assert await _claim_out(work_queue, "w2") == []
    await work_queue.complete_outbox(by_seq[1].id, worker_id="w1", now=T0)
    assert await _claim_out(work_queue, "w2") == ["k#2"]
    await work_queue.park_outbox(by_seq[2].id, worker_id="w2", error="410", now=T0)
    assert await _claim_out(work_queue, "w2") == ["k#3"]


async def test_a_retried_item_holds_back_the_rest_of_its_key_until_it_is_due(
    uow_factory: SqlUnitOfWorkFactory, work_queue: SqlWorkQueue
) -> None:
    first, second = b.outbound(sequence=1), b.outbound(sequence=2)
    await _store(uow_factory, [first, second])
    assert await _claim_out(work_queue) == ["intro-1#1"]
    await work_queue.retry_outbox(
        first.id, worker_id="w1", not_before=T0 + timedelta(minutes=5), error="503"
    )
    assert await _claim_out(work_queue, at=timedelta(minutes=4)) == []
    claimed = await work_queue.claim_outbox(
        worker_id="w1", now=T0 + timedelta(minutes=5), lease=LEASE, limit=10
    )
    assert [(c.id, c.attempts, c.last_error) for c in claimed] == [(first.id, 2, "503")]


async def test_an_expired_lease_is_claimed_again_and_the_old_holder_can_no_longer_settle(
    uow_factory: SqlUnitOfWorkFactory, work_queue: SqlWorkQueue
) -> None:
    item = b.outbound()
    await _store(uow_factory, [item])
    assert await _claim_out(work_queue, "w1") == ["intro-1#1"]
    assert await _claim_out(work_queue, "w2", at=LEASE - timedelta(seconds=1)) == []
    again = await work_queue.claim_outbox(worker_id="w2", now=T0 + LEASE, lease=LEASE, limit=5)
    assert [(i.id, i.attempts, i.state) for i in again] == [(item.id, 2, OutboxState.LEASED)]

    await work_queue.complete_outbox(item.id, worker_id="w1", now=T0 + LEASE)
    page = await work_queue.deliveries("acme")
    assert [r.state for r in page.items] == ["leased"]
    await work_queue.complete_outbox(item.id, worker_id="w2", now=T0 + LEASE)
    page = await work_queue.deliveries("acme")
    assert [(r.state, r.attempts) for r in page.items] == [("done", 2)]


async def test_attempts_are_counted_when_an_item_is_claimed(
    uow_factory: SqlUnitOfWorkFactory, work_queue: SqlWorkQueue
) -> None:
    delivery = b.delivery()
    await _store(uow_factory, inbound=[delivery])
    for attempt in (1, 2, 3):
        now = T0 + timedelta(minutes=attempt)
        claimed = await work_queue.claim_inbox(worker_id="w", now=now, lease=LEASE, limit=1)
        assert [(d.id, d.attempts) for d in claimed] == [(delivery.id, attempt)]
        await work_queue.retry_inbox(delivery.id, worker_id="w", not_before=now, error="boom")
    async with uow_factory() as uow:
        stored = await uow.inbox.get("acme", delivery.id)
    assert stored is not None and (stored.attempts, stored.last_error) == (3, "boom")


async def test_inbox_hands_out_deliveries_in_arrival_order_one_per_key(
    uow_factory: SqlUnitOfWorkFactory, work_queue: SqlWorkQueue
) -> None:
    first = b.delivery(ordering_key="intro-1")
    second = b.delivery(ordering_key="intro-1")
    loose = [b.delivery(), b.delivery()]
    await _store(uow_factory, inbound=[first, *loose, second])

    claimed = await work_queue.claim_inbox(worker_id="w", now=T0, lease=LEASE, limit=10)
    assert [d.id for d in claimed] == [first.id, loose[0].id, loose[1].id]
    async with uow_factory() as uow:
        await uow.inbox.mark(first.id, InboxState.PROCESSED, at=T0)
        await uow.commit()
    claimed = await work_queue.claim_inbox(worker_id="w", now=T0, lease=LEASE, limit=10)
    assert [d.id for d in claimed] == [second.id]


async def test_a_deferred_delivery_waits_without_spending_an_attempt_and_keeps_its_key_in_order(
    uow_factory: SqlUnitOfWorkFactory, work_queue: SqlWorkQueue
) -> None:
    first = b.delivery(ordering_key="intro-1")
    second = b.delivery(ordering_key="intro-1")
    await _store(uow_factory, inbound=[first, second])
    await work_queue.claim_inbox(worker_id="w", now=T0, lease=LEASE, limit=10)
    later = T0 + timedelta(seconds=2)
    await work_queue.defer_inbox(first.id, worker_id="w", not_before=later)

    assert await work_queue.claim_inbox(worker_id="w", now=T0, lease=LEASE, limit=10) == []
    claimed = await work_queue.claim_inbox(worker_id="w", now=later, lease=LEASE, limit=10)
    assert [(d.id, d.attempts) for d in claimed] == [(first.id, 1)]


async def test_a_parked_delivery_no_longer_holds_back_its_key(
    uow_factory: SqlUnitOfWorkFactory, work_queue: SqlWorkQueue
) -> None:
    first = b.delivery(ordering_key="intro-1")
    second = b.delivery(ordering_key="intro-1")
    await _store(uow_factory, inbound=[first, second])
    await work_queue.claim_inbox(worker_id="w", now=T0, lease=LEASE, limit=10)
    await work_queue.park_inbox(first.id, worker_id="w", error="bad payload", now=T0)
    claimed = await work_queue.claim_inbox(worker_id="w", now=T0, lease=LEASE, limit=10)
    assert [d.id for d in claimed] == [second.id]


async def test_replay_moves_a_dead_item_back_once_however_often_asked(
    uow_factory: SqlUnitOfWorkFactory, work_queue: SqlWorkQueue
) -> None:
    item, delivery = b.outbound(), b.delivery()
    await _store(uow_factory, [item], [delivery])
    assert await work_queue.replay("acme", item.id, now=T0) is False  # pending: unchanged
    await _claim_out(work_queue)
    await work_queue.park_outbox(item.id, worker_id="w1", error="410 gone", now=T0)
    await work_queue.claim_inbox(worker_id="w1", now=T0, lease=LEASE, limit=1)
    await work_queue.park_inbox(delivery.id, worker_id="w1", error="bad", now=T0)

    answers = await asyncio.gather(*(work_queue.replay("acme", item.id, now=T0) for _ in range(5)))
    assert sorted(answers) == [False, False, False, False, True]
    assert await work_queue.replay("beta", delivery.id, now=T0) is False
    assert await work_queue.replay("acme", delivery.id, now=T0) is True
    assert await work_queue.replay("acme", delivery.id, now=T0) is False

    states = {r.id: (r.state, r.attempts) for r in (await work_queue.deliveries("acme")).items}
    assert states == {item.id: ("pending", 0), delivery.id: ("received", 0)}
    claimed = await work_queue.claim_outbox(worker_id="w2", now=T0, lease=LEASE, limit=1)
    assert [(c.id, c.attempts) for c in claimed] == [(item.id, 1)]


async def test_release_gives_back_every_lease_of_a_worker_and_no_other(
    uow_factory: SqlUnitOfWorkFactory, work_queue: SqlWorkQueue
) -> None:
    mine = [b.outbound(ordering_key="a"), b.outbound(ordering_key="b")]
    theirs = b.outbound(ordering_key="c")
    delivery = b.delivery()
    await _store(uow_factory, mine, [delivery])
    await work_queue.claim_outbox(worker_id="w1", now=T0, lease=LEASE, limit=2)
    await work_queue.claim_inbox(worker_id="w1", now=T0, lease=LEASE, limit=1)
    await _store(uow_factory, [theirs])
    await work_queue.claim_outbox(worker_id="w2", now=T0, lease=LEASE, limit=2)

    assert await work_queue.release("w1") == 3
    assert sorted(await _claim_out(work_queue, "w3")) == ["a#1", "b#1"]
    claimed = await work_queue.claim_inbox(worker_id="w3", now=T0, lease=LEASE, limit=1)
    assert [(d.id, d.attempts) for d in claimed] == [(delivery.id, 1)]


async def test_deliveries_lists_inbox_and_outbox_newest_first_with_a_cursor_and_filters(
    uow_factory: SqlUnitOfWorkFactory, work_queue: SqlWorkQueue
) -> None:
    outs = [
        b.outbound(ordering_key=f"k{n}", created_at=T0 + timedelta(minutes=2 * n)) for n in range(3)
    ]
    ins = [b.delivery(received_at=T0 + timedelta(minutes=2 * n + 1)) for n in range(3)]
    await _store(uow_factory, outs, [*ins, b.delivery(tenant_id="beta")])
    newest_first = [x.id for pair in zip(reversed(ins), reversed(outs), strict=True) for x in pair]

    seen: list[str] = []
    cursor: str | None = None
    for _ in range(10):
        page = await work_queue.deliveries("acme", cursor=cursor, limit=4)
        seen += [r.id for r in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == newest_first

    only_in = await work_queue.deliveries("acme", direction="in")
    assert {r.direction for r in only_in.items} == {"in"} and len(only_in.items) == 3
    await _claim_out(work_queue)
    await work_queue.park_outbox(outs[1].id, worker_id="w1", error="410", now=T0)
    dead = await work_queue.deliveries("acme", state="dead")
    assert [(r.id, r.last_error) for r in dead.items] == [(outs[1].id, "410")]


async def test_purge_erases_bodies_of_settled_deliveries_past_the_retention_only(
    uow_factory: SqlUnitOfWorkFactory, work_queue: SqlWorkQueue
) -> None:
    old, recent, dead, waiting = (b.delivery() for _ in range(4))
    await _store(uow_factory, inbound=[old, recent, dead, waiting])
    async with uow_factory() as uow:
        await uow.inbox.mark(old.id, InboxState.PROCESSED, at=T0)
        await uow.inbox.mark(recent.id, InboxState.IGNORED, at=T0 + timedelta(days=8))
        await uow.inbox.mark(dead.id, InboxState.DEAD, at=T0, error="bad")
        await uow.commit()
    assert await work_queue.purge_bodies(older_than=T0 + timedelta(days=7)) == 1
    async with uow_factory() as uow:
        bodies = {d.id: (await uow.inbox.get("acme", d.id)) for d in (old, recent, dead, waiting)}
    assert [bodies[d.id].body is None for d in (old, recent, dead, waiting)] == [  # type: ignore[union-attr]
        True,
        False,
        False,
        False,
    ]


async def test_a_lock_is_held_by_one_owner_until_released_or_expired(sql_locks: SqlLocks) -> None:
    ttl = timedelta(seconds=60)
    assert await sql_locks.acquire("create:acme", owner="a", ttl=ttl, now=T0) is True
    assert await sql_locks.acquire("create:acme", owner="b", ttl=ttl, now=T0) is False
    assert await sql_locks.acquire("create:acme", owner="a", ttl=ttl, now=T0) is True
    assert await sql_locks.acquire("create:beta", owner="b", ttl=ttl, now=T0) is True
    await sql_locks.release("create:acme", owner="b")
    assert await sql_locks.acquire("create:acme", owner="b", ttl=ttl, now=T0) is False
    assert await sql_locks.acquire("create:acme", owner="b", ttl=ttl, now=T0 + ttl) is True
    await sql_locks.release("create:acme", owner="b")
    assert await sql_locks.acquire("create:acme", owner="c", ttl=ttl, now=T0) is True


async def test_concurrent_lock_attempts_let_exactly_one_owner_in(sql_locks: SqlLocks) -> None:
    ttl = timedelta(seconds=60)
    wins = await asyncio.gather(
        *(sql_locks.acquire("k", owner=f"o{n}", ttl=ttl, now=T0) for n in range(8))
    )
    assert wins.count(True) == 1
