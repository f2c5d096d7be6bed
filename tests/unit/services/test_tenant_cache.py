"""The ingress's tenant cache: held for its time, forgotten on change, a read that raced a change is
not kept, unknown tenants are not kept."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from intrro_gateway.domain.tenant import RotatingSecret
from intrro_gateway.services.tenant_cache import TenantCache
from tests.fakes.unit_of_work import FakeUnitOfWork
from tests.unit.services.runtime_harness import make_runtime


class _Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_a_held_tenant_is_answered_without_a_unit_of_work_until_it_expires() -> None:
    rt = make_runtime()
    rt.add_tenant("acme")
    ticks = _Ticks()
    cache = TenantCache(ttl_s=2.0, now=ticks)

    first = await cache.get(rt.uow, "acme")
    again = await cache.get(rt.uow, "acme")
    assert first is not None and again is first
    assert len(rt.uow.created) == 1

    rt.store.tenants["acme"] = replace(first, webhook_secret=RotatingSecret("another-secret"))
    ticks.now += 2.5  # another process's change is seen once the entry is older than ttl_s
    later = await cache.get(rt.uow, "acme")
    assert later is not None and later.webhook_secret.current == "another-secret"
    assert len(rt.uow.created) == 2


async def test_forget_makes_the_next_get_read_the_change() -> None:
    rt = make_runtime()
    rt.add_tenant("acme")
    cache = TenantCache(ttl_s=60.0)
    assert await cache.get(rt.uow, "acme") is not None

    del rt.store.tenants["acme"]
    cache.forget("acme")

    assert await cache.get(rt.uow, "acme") is None


async def test_a_read_that_raced_a_change_is_not_kept() -> None:
    rt = make_runtime()
    rt.add_tenant("acme")
    cache = TenantCache(ttl_s=60.0)

    class _RacingFactory:
        """A unit of work whose read runs while a writer commits (and so calls `forget`)."""

        def __init__(self) -> None:
            self.reads = 0

        def __call__(self) -> FakeUnitOfWork:
            self.reads += 1
            cache.forget("acme")
            return rt.uow()

    racing = _RacingFactory()
    assert await cache.get(racing, "acme") is not None
    assert await cache.get(racing, "acme") is not None
    assert racing.reads == 2  # the first read was not kept


async def test_an_unknown_tenant_is_not_kept() -> None:
    rt = make_runtime()
    cache = TenantCache(ttl_s=60.0)
    assert await cache.get(rt.uow, "acme") is None

    rt.add_tenant("acme")  # created by another process

    assert await cache.get(rt.uow, "acme") is not None


async def test_concurrent_gets_of_a_tenant_not_held_share_one_read() -> None:
    rt = make_runtime()
    rt.add_tenant("acme")
    cache = TenantCache(ttl_s=60.0)

    found = await asyncio.gather(*(cache.get(rt.uow, "acme") for _ in range(20)))

    assert all(t is not None and t.id == "acme" for t in found)
    assert len(rt.uow.created) == 1
