"""The unit of work: state and outbox commit together or not at all; database errors are translated."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from intrro_gateway.adapters.sql.engine import create_engine
from intrro_gateway.adapters.sql.queue import SqlWorkQueue
from intrro_gateway.adapters.sql.secrets import SecretCipher
from intrro_gateway.adapters.sql.uow import SqlUnitOfWorkFactory
from intrro_gateway.ports.unit_of_work import ConcurrencyError, StorageUnavailableError
from tests.integration.sql import builders as b


class HandlerFailedError(Exception):
    """Raised by the test handler after it wrote, to show the rollback."""


async def _outbox_ids(engine: AsyncEngine) -> list[str]:
    page = await SqlWorkQueue(engine).deliveries("acme", direction="out")
    return [r.id for r in page.items]


async def test_commit_makes_the_state_change_and_its_outbox_item_durable_together(
    uow_factory: SqlUnitOfWorkFactory, engine: AsyncEngine
) -> None:
    item = b.outbound()
    async with uow_factory() as uow:
        await uow.introductions.add(b.introduction())
        await uow.outbox.add(item)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.introductions.get("acme", "intro-1") is not None
    assert await _outbox_ids(engine) == [item.id]


async def test_an_exception_in_the_unit_rolls_back_the_state_and_the_outbox(
    uow_factory: SqlUnitOfWorkFactory, engine: AsyncEngine
) -> None:
    with pytest.raises(HandlerFailedError):
        async with uow_factory() as uow:
            await uow.introductions.add(b.introduction())
            await uow.outbox.add(b.outbound())
            raise HandlerFailedError
    async with uow_factory() as uow:
        assert await uow.introductions.get("acme", "intro-1") is None
    assert await _outbox_ids(engine) == []


async def test_leaving_the_unit_without_commit_drops_everything_and_rollback_does_too(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        await uow.tenants.add(b.tenant())
    async with uow_factory() as uow:
        await uow.tenants.add(b.tenant("beta"))
        await uow.rollback()
        await uow.tenants.add(b.tenant("gamma"))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.tenants.list_ids() == ["gamma"]


async def test_adding_a_tenant_twice_is_a_concurrency_error_not_a_driver_error(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        await uow.tenants.add(b.tenant())
        await uow.commit()
    async with uow_factory() as uow:
        with pytest.raises(ConcurrencyError) as caught:
            await uow.tenants.add(b.tenant())
    assert caught.value.__cause__ is not None


async def test_an_unreachable_postgres_is_storage_unavailable(cipher: SecretCipher) -> None:
    engine = create_engine(
        "postgresql://postgres@127.0.0.1:9/none", connect_timeout_s=1, pool_timeout_s=1
    )
    try:
        with pytest.raises(StorageUnavailableError) as caught:
            async with SqlUnitOfWorkFactory(engine, cipher)() as uow:
                await uow.tenants.list_ids()
    finally:
        await engine.dispose()
    assert caught.value.__cause__ is not None


async def test_an_unmigrated_sqlite_file_is_storage_unavailable(
    tmp_path: Path, cipher: SecretCipher
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        with pytest.raises(StorageUnavailableError):
            async with SqlUnitOfWorkFactory(engine, cipher)() as uow:
                await uow.tenants.get("acme")
    finally:
        await engine.dispose()
