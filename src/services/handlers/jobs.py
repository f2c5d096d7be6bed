"""Import a tenant's jobs into the mirror: all of them, those changed since the last import, or some."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import structlog

from intrro_gateway.domain.commands import ImportJobs
from intrro_gateway.domain.events import JobsChanged
from intrro_gateway.domain.jobs import Job
from intrro_gateway.ports.ats import AtsContext
from intrro_gateway.ports.unit_of_work import UnitOfWork
from intrro_gateway.services.deps import Dependencies
from intrro_gateway.services.handlers._common import ats_context, load_tenant
from intrro_gateway.services.outbound import add_events

logger = structlog.get_logger(__name__)

Progress = Callable[[int, int], None]

JOBS_PER_EVENT = 500  # the most jobs one `jobs.changed` carries


@dataclass(frozen=True, slots=True)
class JobImportResult:
    """What a job import did to the mirror."""

    total: int
    changed: int
    deleted: int


async def import_jobs(
    cmd: ImportJobs, deps: Dependencies, progress: Progress | None = None
) -> JobImportResult:
    """Read the jobs from the ATS, store what changed, announce it in one `jobs.changed`."""
    started = deps.clock.now()
    async with deps.uow() as uow:
        tenant = await load_tenant(uow, cmd.tenant_id)
        ctx = ats_context(tenant)
        if ctx is None:
            logger.info("jobs.import_skipped", reason="not_connected")
            return JobImportResult(total=0, changed=0, deleted=0)
        by_ids = bool(cmd.job_ids or cmd.deleted_job_ids)
        incremental = not by_ids and not cmd.full and tenant.jobs_synced_at is not None
        mirror_open = [] if by_ids or incremental else await _mirror_open_ids(uow, cmd.tenant_id)
    fetched = await _fetch(deps, ctx, cmd, tenant.jobs_synced_at, incremental, mirror_open)
    vanished = [job_id for job_id in mirror_open if job_id not in {j.ats_id for j in fetched}]
    deleted_ids = [*cmd.deleted_job_ids, *vanished]

    async with deps.uow() as uow:
        tenant = await load_tenant(uow, cmd.tenant_id)
        changed: list[Job] = []
        total = len(fetched) + len(deleted_ids)
        done = 0
        for job in fetched:
            if not job.is_template and await uow.jobs.upsert(cmd.tenant_id, job):
                changed.append(job)
            done += 1
            if progress is not None:
                progress(done, total)
        deleted = 0
        for job_id in deleted_ids:
            gone = await _mark_deleted(uow, cmd.tenant_id, job_id, started)
            if gone is not None:
                changed.append(gone)
                deleted += 1
            done += 1
            if progress is not None:
                progress(done, total)
        # One `jobs.changed` per JOBS_PER_EVENT jobs, each with its own sequence: a payload (and a
        # push) of 10,000 jobs at once held about 35 MiB while it was built (bench/job_import.py).
        for start in range(0, len(changed), JOBS_PER_EVENT):
            event = JobsChanged(
                tenant_id=cmd.tenant_id,
                jobs=tuple(changed[start : start + JOBS_PER_EVENT]),
                sequence=tenant.next_jobs_sequence(),
            )
            await add_events(uow, deps, [event])
        if not by_ids:
            tenant.jobs_synced_at = started
        await uow.tenants.save(tenant)
        await uow.commit()
    logger.info("jobs.imported", total=total, changed=len(changed), deleted=deleted)
    return JobImportResult(total=total, changed=len(changed), deleted=deleted)


async def _fetch(
    deps: Dependencies,
    ctx: AtsContext,
    cmd: ImportJobs,
    since: datetime | None,
    incremental: bool,
    mirror_open: Sequence[str],
) -> list[Job]:
    if cmd.job_ids or cmd.deleted_job_ids:
        jobs = (
            list(await deps.registry.client(ctx).list_jobs(ctx, job_ids=cmd.job_ids))
            if cmd.job_ids
            else []
        )
    elif incremental and since is not None:
        jobs = list(await deps.registry.client(ctx).list_jobs(ctx, updated_since=since))
    else:
        jobs = list(await deps.registry.client(ctx).list_jobs(ctx))
        open_now = {j.ats_id for j in jobs}
        no_longer = [job_id for job_id in mirror_open if job_id not in open_now]
        if no_longer:
            # Closed since the last import: read them by id to store their new state.
            jobs += await deps.registry.client(ctx).list_jobs(ctx, job_ids=no_longer)
    return [j for j in jobs if not j.is_template]


async def _mirror_open_ids(uow: UnitOfWork, tenant_id: str) -> list[str]:
    ids: list[str] = []
    cursor: str | None = None
    while True:
        page = await uow.jobs.list(tenant_id, status="open", cursor=cursor, limit=500)
        ids += [j.ats_id for j in page.items]
        cursor = page.next_cursor
        if cursor is None:
            return ids


async def _mark_deleted(uow: UnitOfWork, tenant_id: str, job_id: str, now: datetime) -> Job | None:
    existing = await uow.jobs.get(tenant_id, job_id)
    if existing is None or existing.deleted:
        return None
    gone = replace(existing, deleted=True, updated_at=now)
    await uow.jobs.upsert(tenant_id, gone)
    return gone
