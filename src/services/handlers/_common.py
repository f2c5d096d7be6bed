"""What several handlers share: loading, the ATS context, saving with the events announced."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from intrro_gateway.domain.introduction import Introduction
from intrro_gateway.domain.status import StageRef
from intrro_gateway.domain.tenant import Tenant
from intrro_gateway.ports.ats import AtsContext
from intrro_gateway.ports.unit_of_work import ConcurrencyError, UnitOfWork
from intrro_gateway.services.deps import Dependencies
from intrro_gateway.services.errors import NotFoundError
from intrro_gateway.services.outbound import add_events

T = TypeVar("T")

CONFLICT_ATTEMPTS = 5


async def load_tenant(uow: UnitOfWork, tenant_id: str) -> Tenant:
    """The tenant; raises NotFoundError."""
    tenant = await uow.tenants.get(tenant_id)
    if tenant is None:
        raise NotFoundError("tenant", tenant_id)
    return tenant


async def load_introduction(uow: UnitOfWork, tenant_id: str, introduction_id: str) -> Introduction:
    """The introduction; raises NotFoundError."""
    intro = await uow.introductions.get(tenant_id, introduction_id)
    if intro is None:
        raise NotFoundError("introduction", introduction_id)
    return intro


def ats_context(tenant: Tenant, *, priority: bool = False) -> AtsContext | None:
    """The ATS context of a connected tenant, or None when it has no credential."""
    if tenant.connection is None:
        return None
    return AtsContext(
        tenant_id=tenant.id,
        credentials=tenant.connection.credentials,
        priority=priority,
        ats=tenant.ats,
    )


async def job_stages(uow: UnitOfWork, tenant_id: str, job_id: str | None) -> tuple[StageRef, ...]:
    """The job's stages from the mirror, for the stage mapping (none when unknown)."""
    if job_id is None:
        return ()
    return await uow.jobs.stage_refs(tenant_id, job_id)


async def save_and_announce(uow: UnitOfWork, deps: Dependencies, intro: Introduction) -> int:
    """Save the introduction and queue the events it recorded; returns how many events."""
    events = list(intro.events)
    await uow.introductions.save(intro)
    await add_events(uow, deps, events)
    intro.events.clear()
    return len(events)


async def retry_on_conflict(run: Callable[[], Awaitable[T]]) -> T:
    """Run a read-change-save unit again when someone else saved the same record first."""
    for _ in range(CONFLICT_ATTEMPTS - 1):
        try:
            return await run()
        except ConcurrencyError:
            continue
    return await run()
