"""Read-only views for Intrro and operators: an introduction, the pipeline, jobs, deliveries; and
replaying a dead delivery."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog

from intrro_gateway.domain.introduction import ApplicationLink, Introduction, StatusChange
from intrro_gateway.domain.status import ReferralStatus
from intrro_gateway.ports.ats import AtsClient
from intrro_gateway.ports.unit_of_work import InboxState, OutboxState, UnitOfWork
from intrro_gateway.ports.work_queue import DeliveryRecord
from intrro_gateway.services.deps import Dependencies
from intrro_gateway.services.errors import InvalidInputError, NotFoundError
from intrro_gateway.services.outbound import iso, job_json, rejection_json, stage_json

logger = structlog.get_logger(__name__)

JOB_STATUSES = ("open", "closed", "all")
DIRECTIONS = ("in", "out")
DELIVERY_STATES = tuple(
    dict.fromkeys([*(str(s) for s in InboxState), *(str(s) for s in OutboxState)])
)
PAGE_SIZE = 100


async def introduction_view(
    deps: Dependencies, tenant_id: str, introduction_id: str
) -> dict[str, Any]:
    """An introduction: its export status, ATS ids, applications and their status history."""
    async with deps.uow() as uow:
        tenant = await uow.tenants.get(tenant_id)
        if tenant is None:
            raise NotFoundError("tenant", tenant_id)
        intro = await uow.introductions.get(tenant_id, introduction_id)
    if intro is None:
        raise NotFoundError("introduction", introduction_id)
    return _introduction_json(deps.registry.for_tenant(tenant).client, intro)


async def pipeline(
    deps: Dependencies, tenant_id: str, status: str | None, cursor: str | None
) -> dict[str, Any]:
    """The tenant's linked applications (of one status, when given), a page at a time."""
    wanted = _status(status)
    async with deps.uow() as uow:
        await _require_tenant(uow, tenant_id)
        page = await uow.introductions.pipeline(
            tenant_id, status=wanted, cursor=cursor, limit=PAGE_SIZE
        )
    return {
        "applications": [
            {
                "introduction_id": e.introduction_id,
                "job_id": e.job_id,
                "application_id": e.application_id,
                "status": str(e.status),
                "stage": {"id": e.stage_id, "name": e.stage_name} if e.stage_id else None,
                "updated_at": iso(e.updated_at),
            }
            for e in page.items
        ],
        "next_cursor": page.next_cursor,
    }


async def jobs_view(
    deps: Dependencies,
    tenant_id: str,
    status: str | None,
    updated_after: datetime | None,
    cursor: str | None,
) -> dict[str, Any]:
    """The tenant's jobs in the contract's shape; deleted ones only to readers of changes."""
    chosen = status or "open"
    if chosen not in JOB_STATUSES:
        raise InvalidInputError([f"status must be one of {', '.join(JOB_STATUSES)}"])
    if updated_after is not None and updated_after.tzinfo is None:
        raise InvalidInputError(["updated_after must carry a timezone offset"])
    async with deps.uow() as uow:
        await _require_tenant(uow, tenant_id)
        page = await uow.jobs.list(
            tenant_id, status=chosen, updated_after=updated_after, cursor=cursor, limit=PAGE_SIZE
        )
    return {"jobs": [job_json(j) for j in page.items], "next_cursor": page.next_cursor}


async def deliveries(
    deps: Dependencies,
    tenant_id: str,
    direction: str | None,
    state: str | None,
    cursor: str | None,
) -> dict[str, Any]:
    """Inbox and outbox items of a tenant, newest first, filtered by direction and state."""
    problems = []
    if direction is not None and direction not in DIRECTIONS:
        problems.append("direction must be in or out")
    if state is not None and state not in DELIVERY_STATES:
        problems.append(f"state must be one of {', '.join(DELIVERY_STATES)}")
    if problems:
        raise InvalidInputError(problems)
    async with deps.uow() as uow:
        await _require_tenant(uow, tenant_id)
    page = await deps.queue.deliveries(
        tenant_id, direction=direction, state=state, cursor=cursor, limit=PAGE_SIZE
    )
    return {"deliveries": [_delivery_json(r) for r in page.items], "next_cursor": page.next_cursor}


async def replay(deps: Dependencies, tenant_id: str, item_id: str) -> bool:
    """Give a dead inbox or outbox item another try; false (nothing changes) when it is not dead.

    An unknown item id also answers false: the queue keeps one id space for both directions and
    does not tell the two apart. The replayed item keeps its id (the outbound `webhook-id`).
    """
    async with deps.uow() as uow:
        await _require_tenant(uow, tenant_id)
    replayed = await deps.queue.replay(tenant_id, item_id, now=deps.clock.now())
    logger.info("delivery.replay", tenant=tenant_id, item=item_id, replayed=replayed)
    return replayed


# -- shapes ------------------------------------------------------------------------------------


def _introduction_json(ats: AtsClient, intro: Introduction) -> dict[str, Any]:
    candidate_id = intro.ats_candidate_id
    return {
        "introduction_id": intro.introduction_id,
        "status": str(intro.export_state),
        "accepted_at": iso(intro.accepted_at),
        "withdrawn_at": iso(intro.withdrawn_at),
        "job_ids": list(intro.job_ids),
        "ats": ats.name,
        "ats_candidate_id": candidate_id,
        "candidate_url": ats.candidate_url(candidate_id) if candidate_id else None,
        "referral_credit": intro.referral_credit,
        "sequence": intro.sequence,
        "applications": [_link_json(link) for link in intro.links],
    }


def _link_json(link: ApplicationLink) -> dict[str, Any]:
    return {
        "job_id": link.job_id,
        "application_id": link.application_id,
        "status": str(link.status),
        "stage": stage_json(link.stage),
        "rejection_reason": rejection_json(link.rejection),
        "problem": link.problem,
        "closed": str(link.closed) if link.closed else None,
        "last_change_at": iso(link.last_change_at),
        "history": [_change_json(change) for change in link.history],
    }


def _change_json(change: StatusChange) -> dict[str, Any]:
    return {
        "previous_status": str(change.previous),
        "status": str(change.status),
        "sequence": change.sequence,
        "at": iso(change.at),
        "stage": stage_json(change.stage),
    }


def _delivery_json(record: DeliveryRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "direction": record.direction,
        "kind": record.kind,
        "state": record.state,
        "attempts": record.attempts,
        "last_error": record.last_error,
        "created_at": iso(record.created_at),
        "not_before": iso(record.not_before),
    }


def _status(status: str | None) -> ReferralStatus | None:
    if status is None:
        return None
    try:
        return ReferralStatus(status)
    except ValueError:
        allowed = ", ".join(str(s) for s in ReferralStatus)
        raise InvalidInputError([f"status must be one of {allowed}"]) from None


async def _require_tenant(uow: UnitOfWork, tenant_id: str) -> None:
    if await uow.tenants.get(tenant_id) is None:
        raise NotFoundError("tenant", tenant_id)
