"""The inbox's batch insert (the group commit's storage): each delivery learns whether it was new."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from intrro_gateway.adapters.sql.ingest import SqlInboxWriter
from intrro_gateway.adapters.sql.uow import SqlUnitOfWorkFactory
from intrro_gateway.services.wakeup import Wakeup
from tests.integration.sql import builders as b


async def test_add_many_stores_each_new_delivery_once_as_add_would(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        await uow.tenants.add(b.tenant())
        earlier = b.delivery(delivery_id="d-0")
        assert await uow.inbox.add(earlier) is True
        await uow.commit()

    batch = [
        b.delivery(delivery_id="d-1"),
        b.delivery(delivery_id="d-1"),  # the same delivery id again
        b.delivery(delivery_id="d-2", body_hash="h-2"),
        b.delivery(delivery_id="d-3", body_hash="h-2"),  # the same body under a new id
        b.delivery(delivery_id="d-0"),  # stored before
        b.delivery(delivery_id="d-4", body_hash=earlier.body_hash),  # its body stored before
        b.delivery(delivery_id="d-5"),
        b.delivery(tenant_id="other", delivery_id="d-1"),  # another tenant's key is its own
    ]
    async with uow_factory() as uow:
        await uow.tenants.add(b.tenant("other"))
        assert await uow.inbox.add_many(batch) == [
            True,
            False,
            True,
            False,
            False,
            False,
            True,
            True,
        ]
        assert await uow.inbox.add_many([]) == []
        await uow.commit()

    async with uow_factory() as uow:
        for position in (0, 2, 6, 7):
            stored = await uow.inbox.get(batch[position].tenant_id, batch[position].id)
            assert stored is not None and stored.delivery_id == batch[position].delivery_id
        assert await uow.inbox.get("acme", batch[1].id) is None


async def test_the_ingress_writer_stores_a_batch_durably_in_one_trip_as_add_many_would(
    engine: AsyncEngine, uow_factory: SqlUnitOfWorkFactory
) -> None:
    wakeup = Wakeup()
    waiter = wakeup.waiter()
    writer = SqlInboxWriter(engine, uow_factory, wakeup)
    async with uow_factory() as uow:
        await uow.tenants.add(b.tenant())
        await uow.tenants.add(b.tenant("other"))
        earlier = b.delivery(delivery_id="d-0")
        assert await uow.inbox.add(earlier) is True
        await uow.commit()
    batch = [
        b.delivery(delivery_id="d-1"),
        b.delivery(delivery_id="d-1"),  # the same delivery id again
        b.delivery(delivery_id="d-2", body_hash="h-2"),
        b.delivery(delivery_id="d-3", body_hash="h-2"),  # the same body under a new id
        b.delivery(delivery_id="d-0"),  # stored before
        b.delivery(delivery_id="d-4", body_hash=earlier.body_hash),  # its body stored before
        b.delivery(delivery_id="d-5"),
        b.delivery(tenant_id="other", delivery_id="d-1"),  # another tenant's key is its own
    ]

    async with writer.batches() as run:
        assert await run.add_committed(batch) == [
            True,
            False,
            True,
            False,
            False,
            False,
            True,
            True,
        ]
        assert await run.add_committed(batch[:1]) == [False]  # a run goes on: stored, durable
        assert await run.add_committed([]) == []

    assert await waiter.wait(0)  # the worker is woken
    async with uow_factory() as uow:  # committed: another connection sees every row
        for position in (0, 2, 6, 7):
            stored = await uow.inbox.get(batch[position].tenant_id, batch[position].id)
            assert stored is not None and stored.delivery_id == batch[position].delivery_id
            assert stored.body == batch[position].body
            assert stored.received_at == batch[position].received_at
        assert await uow.inbox.get("acme", batch[1].id) is None
    # The connection went back to the pool as it came: a unit of work still rolls back.
    async with uow_factory() as uow:
        assert await uow.inbox.add(b.delivery(delivery_id="d-9")) is True
    async with uow_factory() as uow:
        assert await uow.inbox.body_hash_of("acme", b.delivery().source, "d-9") is None
