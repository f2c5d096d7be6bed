"""Domain events as outbox rows: the contract's `data` object for each event type."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from intrro_gateway.domain.events import (
    ApplicationRemoved,
    ApplicationStatusChanged,
    ApplicationView,
    CandidateChanged,
    DomainEvent,
    IntroductionExported,
    IntroductionFailed,
    JobsChanged,
)
from intrro_gateway.domain.jobs import Job
from intrro_gateway.domain.profiles import HeldProfile
from intrro_gateway.domain.signals import RejectionReason
from intrro_gateway.domain.status import StageRef
from intrro_gateway.ports.unit_of_work import OutboundItem, UnitOfWork
from intrro_gateway.services.deps import Dependencies

TARGET = "intrro"


def iso(when: datetime | None) -> str | None:
    """A time as ISO-8601 in UTC with `Z`."""
    if when is None:
        return None
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def stage_json(stage: StageRef | None) -> dict[str, Any] | None:
    """A stage as events carry it: `{id, name}`."""
    return None if stage is None else {"id": stage.id, "name": stage.name}


def rejection_json(reason: RejectionReason | None) -> dict[str, Any] | None:
    """A rejection reason as events carry it: `{id, name, kind}`."""
    if reason is None:
        return None
    return {"id": reason.id, "name": reason.name, "kind": str(reason.kind)}


def application_json(view: ApplicationView) -> dict[str, Any]:
    """One application of the `applications` snapshot."""
    return {
        "job_id": view.job_id,
        "application_id": view.application_id,
        "status": str(view.status),
        "problem": view.problem,
    }


def candidate_json(held: HeldProfile) -> dict[str, Any]:
    """The contract's candidate fields, as `candidate.changed` carries them."""
    return {
        "first_name": held.first_name,
        "last_name": held.last_name,
        "emails": list(held.emails),
        "phones": list(held.phones),
        "linkedin_url": held.linkedin_url,
        "social_profiles": list(held.social_profiles),
        "websites": list(held.websites),
        "current_company": held.current_company,
        "current_title": held.current_title,
        "location": held.location,
    }


def job_json(job: Job) -> dict[str, Any]:
    """A job as `jobs.changed` and the jobs listing show it."""
    return {
        "id": job.ats_id,
        "title": job.title,
        "status": str(job.status),
        "departments": [{"id": d.id, "name": d.name} for d in job.departments],
        "offices": [{"id": o.id, "name": o.name} for o in job.offices],
        "posts": [{"id": p.id, "title": p.title, "url": p.url} for p in job.posts],
        "stages": [{"id": s.id, "name": s.name, "order": s.order} for s in job.ordered_stages],
        "updated_at": iso(job.updated_at),
        "deleted": job.deleted,
    }


def event_type(event: DomainEvent) -> str:
    """The contract's type name of an event."""
    if isinstance(event, IntroductionExported):
        return "introduction.exported"
    if isinstance(event, ApplicationStatusChanged):
        return "application.status_changed"
    if isinstance(event, ApplicationRemoved):
        return "application.removed"
    if isinstance(event, IntroductionFailed):
        return "introduction.failed"
    if isinstance(event, CandidateChanged):
        return "candidate.changed"
    if isinstance(event, JobsChanged):
        return "jobs.changed"
    raise TypeError(f"no outbound type for {type(event).__name__}")


def payload(event: DomainEvent) -> dict[str, Any]:
    """The contract's `data` object of an event."""
    if isinstance(event, JobsChanged):
        return {"jobs": [job_json(j) for j in event.jobs], "sequence": event.sequence}
    data: dict[str, Any] = {"introduction_id": event.introduction_id}
    if isinstance(event, IntroductionExported):
        data |= {
            "ats": event.ats,
            "ats_candidate_id": event.ats_candidate_id,
            "candidate_url": event.candidate_url,
            "referral_credit": event.referral_credit,
            "applications": [application_json(v) for v in event.applications],
        }
    elif isinstance(event, ApplicationStatusChanged):
        data |= {
            "job_id": event.job_id,
            "application_id": event.application_id,
            "status": str(event.status),
            "previous_status": str(event.previous_status),
            "stage": stage_json(event.stage),
            "rejection_reason": rejection_json(event.rejection_reason),
            "occurred_at": iso(event.occurred_at),
            "applications": [application_json(v) for v in event.applications],
        }
    elif isinstance(event, ApplicationRemoved):
        data |= {
            "job_id": event.job_id,
            "application_id": event.application_id,
            "reason": event.reason,
            "applications": [application_json(v) for v in event.applications],
        }
    elif isinstance(event, IntroductionFailed):
        data |= {"code": event.code, "message": event.message}
    elif isinstance(event, CandidateChanged):
        data |= {"candidate": candidate_json(event.candidate), "changed": list(event.changed)}
    else:
        raise TypeError(f"no outbound payload for {type(event).__name__}")
    data["sequence"] = event.sequence
    return data


def ordering_key(event: DomainEvent) -> str:
    """Events of one introduction (or of one tenant's jobs) go out in order."""
    if isinstance(event, JobsChanged):
        return f"jobs:{event.tenant_id}"
    return event.introduction_id


def to_item(event: DomainEvent, *, item_id: str, now: datetime) -> OutboundItem:
    """The outbox row announcing an event."""
    kind = event_type(event)
    key = ordering_key(event)
    return OutboundItem(
        id=item_id,
        tenant_id=event.tenant_id,
        target=TARGET,
        kind=kind,
        payload=payload(event),
        idempotency_key=f"{kind}:{key}:{event.sequence}",
        ordering_key=key,
        sequence=event.sequence,
        created_at=now,
    )


async def add_events(uow: UnitOfWork, deps: Dependencies, events: Iterable[DomainEvent]) -> None:
    """Queue the events in the caller's unit of work (they commit with the change they announce)."""
    now = deps.clock.now()
    items = [to_item(event, item_id=deps.ids.new_id(), now=now) for event in events]
    if items:
        await uow.outbox.add_many(items)
