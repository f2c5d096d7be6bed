"""Work signals from SQL commits: in-process always, across processes on PostgreSQL (NOTIFY)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from intrro_gateway.adapters.sql.engine import create_engine
from intrro_gateway.adapters.sql.notify import postgres_relay
from intrro_gateway.adapters.sql.queue import SqlWorkQueue
from intrro_gateway.adapters.sql.secrets import SecretCipher
from intrro_gateway.adapters.sql.uow import SqlUnitOfWorkFactory
from intrro_gateway.services.wakeup import Wakeup
from tests.integration.sql import builders as b

LONG = 30.0  # only a lost signal makes a wait this long; the assertion is on being woken at all


async def test_a_commit_that_queues_work_rings_the_process_wakeup(
    engine: AsyncEngine, cipher: SecretCipher
) -> None:
    wakeup = Wakeup()
    waiter = wakeup.waiter()
    uow_factory = SqlUnitOfWorkFactory(engine, cipher, wakeup=wakeup)
    async with uow_factory() as uow:
        await uow.tenants.add(b.tenant())
        await uow.commit()
    assert await waiter.wait(0) is False  # no work queued, nobody woken

    async with uow_factory() as uow:
        await uow.inbox.add(b.delivery())
        await uow.commit()
    assert await waiter.wait(0) is True
    waiter.clear()

    async with uow_factory() as uow:
        await uow.outbox.add(b.outbound())
        # rolled back on exit: nothing queued, nothing rung
    assert await waiter.wait(0) is False

    async with uow_factory() as uow:
        await uow.outbox.add(b.outbound())
        await uow.commit()
    assert await waiter.wait(0) is True


async def test_released_leases_ring_the_wakeup(engine: AsyncEngine, cipher: SecretCipher) -> None:
    wakeup = Wakeup()
    async with SqlUnitOfWorkFactory(engine, cipher)() as uow:
        await uow.inbox.add(b.delivery())
        await uow.commit()
    queue = SqlWorkQueue(engine, wakeup)
    await queue.claim_inbox(worker_id="w1", now=b.T0, lease=timedelta(seconds=30), limit=10)
    waiter = wakeup.waiter()
    assert await queue.release("w1") == 1
    assert await waiter.wait(0) is True


@pytest.mark.postgres
async def test_a_commit_in_another_process_wakes_a_listening_worker(
    postgres_url: str, cipher: SecretCipher
) -> None:
    from intrro_gateway.adapters.sql import migrate

    migrate.upgrade(postgres_url)
    sender, listener = create_engine(postgres_url), create_engine(postgres_url)
    try:
        relay = postgres_relay(listener)
        assert relay is not None
        wakeup = Wakeup(relay)
        waiter = wakeup.waiter()
        async with wakeup.relaying():
            assert await waiter.wait(LONG) is True  # rung once on connecting
            waiter.clear()
            await asyncio.sleep(0.2)
            async with SqlUnitOfWorkFactory(sender, cipher)() as uow:  # no wakeup: another process
                await uow.tenants.add(b.tenant())
                await uow.commit()
            assert await waiter.wait(0.5) is False  # nothing queued, nothing notified
            async with SqlUnitOfWorkFactory(sender, cipher)() as uow:
                await uow.inbox.add(b.delivery())
                await uow.commit()
            assert await waiter.wait(LONG) is True
    finally:
        await sender.dispose()
        await listener.dispose()


async def test_sqlite_has_no_relay(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    try:
        assert postgres_relay(engine) is None
    finally:
        await engine.dispose()
