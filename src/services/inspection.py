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
    deps: Dependencies,
    tenant_id: str,
    status: str | None,
    cursor: str | None,
    job_id: str | None = None,
) -> dict[str, Any]:
    """The tenant's linked applications (of one status, when given), a page at a time; `job_id`
    keeps one job's applications of each page (a page may then hold fewer, or none, with a next)."""
    wanted = _status(status)
    async with deps.uow() as uow:
        await _require_tenant(uow, tenant_id)
        page = await uow.introductions.pipeline(
            tenant_id, status=wanted, cursor=cursor, limit=PAGE_SIZE
        )
    items = [e for e in page.items if job_id is None or e.job_id == job_id]
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
            for e in items
        ],
        "next_cursor": page.next_cursor,
    }


async def pipeline_counts(deps: Dependencies, tenant_id: str) -> dict[str, int]:
    """How many of the tenant's applications have each status (every status named, zeros too)."""
    counts = {str(s): 0 for s in ReferralStatus}
    cursor: str | None = None
    async with deps.uow() as uow:
        await _require_tenant(uow, tenant_id)
        while True:
            page = await uow.introductions.pipeline(
                tenant_id, status=None, cursor=cursor, limit=PAGE_SIZE
            )
            for entry in page.items:
                counts[str(entry.status)] += 1
            if page.next_cursor is None:
                return counts
            cursor = page.next_cursor


async def introduction_timeline(
    deps: Dependencies, tenant_id: str, introduction_id: str
) -> dict[str, Any]:
    """An introduction and what happened to it, oldest first: accepted, each status change of each
    application, and each push to Intrro with how it ended (the outbox keeps the state, the attempts,
    the last error and when it was settled; a successful answer's body is not kept)."""
    view = await introduction_view(deps, tenant_id, introduction_id)
    pushes = [
        record
        for record in await _all_deliveries(deps, tenant_id, "out", None)
        if record.subject == introduction_id
    ]
    entries: list[dict[str, Any]] = []
    if view["accepted_at"]:
        entries.append({"at": view["accepted_at"], "what": "accepted", "detail": ""})
    for app in view["applications"]:
        for change in app["history"]:
            stage = change["stage"]["name"] if change["stage"] else None
            entries.append(
                {
                    "at": change["at"],
                    "what": f"job {app['job_id']}: {change['previous_status']} → {change['status']}",
                    "detail": f"stage {stage}" if stage else "",
                }
            )
    for push in pushes:
        entries.append(
            {
                "at": iso(push.created_at),
                "what": f"push {push.kind}",
                "detail": _push_outcome(push),
                "push": _delivery_json(push),
            }
        )
    if view["withdrawn_at"]:
        entries.append({"at": view["withdrawn_at"], "what": "withdrawn", "detail": ""})
    entries.sort(key=lambda e: e["at"] or "")
    return {**view, "timeline": entries}


async def replay_since(deps: Dependencies, tenant_id: str, since: datetime) -> int:
    """Give every dead inbox and outbox item of the tenant created at or after `since` another try;
    returns how many were replayed. The dead items are listed first, then replayed one by one."""
    if since.tzinfo is None:
        raise InvalidInputError(["since must carry a timezone offset"])
    dead = [
        record
        for record in await _all_deliveries(deps, tenant_id, None, "dead")
        if record.created_at >= since
    ]
    replayed = 0
    for record in dead:
        if await deps.queue.replay(tenant_id, record.id, now=deps.clock.now()):
            replayed += 1
    logger.info("delivery.replay_since", tenant=tenant_id, since=iso(since), replayed=replayed)
    return replayed


async def _all_deliveries(
    deps: Dependencies, tenant_id: str, direction: str | None, state: str | None
) -> list[DeliveryRecord]:
    async with deps.uow() as uow:
        await _require_tenant(uow, tenant_id)
    records: list[DeliveryRecord] = []
    cursor: str | None = None
    while True:
        page = await deps.queue.deliveries(
            tenant_id, direction=direction, state=state, cursor=cursor, limit=PAGE_SIZE
        )
        records.extend(page.items)
        if page.next_cursor is None:
            return records
        cursor = page.next_cursor


def _push_outcome(push: DeliveryRecord) -> str:
    if push.state == "done":
        return f"answered 2xx at {iso(push.settled_at)} after {push.attempts} attempt(s)"
    if push.state == "dead":
        return f"dead after {push.attempts} attempt(s): {push.last_error}"
    if push.last_error:
        return f"{push.state}, {push.attempts} attempt(s), last error: {push.last_error}"
    return f"{push.state}, {push.attempts} attempt(s)"


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
        "settled_at": iso(record.settled_at),
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
