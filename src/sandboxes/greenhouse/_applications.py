"""Application records: create (on the job's first stage), patch, delete, and stage history."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from intrro_gateway.sandboxes.greenhouse import _payloads
from intrro_gateway.sandboxes.greenhouse._custom_fields import resolve_custom_fields
from intrro_gateway.sandboxes.greenhouse._webhooks import DeliveryOptions
from intrro_gateway.sandboxes.greenhouse.errors import InvalidFieldError, InvalidStateError
from intrro_gateway.sandboxes.greenhouse.state import Record, SandboxState


@dataclass(frozen=True, slots=True)
class ApplicationRequest:
    """What a new application asks for (the body of `POST /v3/applications` or a nested one)."""

    job_id: int | None = None
    source_id: int | None = None
    referrer_id: int | None = None
    recruiter_id: int | None = None
    coordinator_id: int | None = None
    initial_stage_id: int | None = None
    prospect: bool = False
    job_ids: tuple[int, ...] = ()


def check_reference(state: SandboxState, resource: str, field: str, value: int | None) -> None:
    if value is not None and value not in state.tables[resource]:
        raise InvalidFieldError(field, f"{resource} {value} does not exist")


def check_application(state: SandboxState, request: ApplicationRequest) -> None:
    """Refuse a new application whose job, stage or references Greenhouse would refuse."""
    check_reference(state, "sources", "source_id", request.source_id)
    check_reference(state, "referrers", "referrer_id", request.referrer_id)
    check_reference(state, "users", "recruiter_id", request.recruiter_id)
    check_reference(state, "users", "coordinator_id", request.coordinator_id)
    for job_id in request.job_ids:
        check_reference(state, "jobs", "job_ids", job_id)
    if request.prospect:
        return
    if request.job_id is None:
        raise InvalidFieldError("job_id", "is required for a candidate application")
    check_reference(state, "jobs", "job_id", request.job_id)
    job = state.tables["jobs"][request.job_id]
    if job["status"] != "open" or job["is_template"]:
        raise InvalidFieldError("job_id", f"job {request.job_id} is not open")
    if request.initial_stage_id is not None:
        stage = state.tables["job_interview_stages"].get(request.initial_stage_id)
        if stage is None or stage["job_id"] != request.job_id:
            raise InvalidFieldError("initial_stage_id", "is not a stage of the job")


def job_stages(state: SandboxState, job_id: int) -> list[Record]:
    """The job's active interview stages in plan order."""
    stages = [
        s
        for s in state.tables["job_interview_stages"].values()
        if s["job_id"] == job_id and s["active"]
    ]
    return sorted(stages, key=lambda s: (s["sort_order"], s["id"]))


def enter_stage(state: SandboxState, application: Record, stage: Record) -> None:
    """Put the application on a stage: close the current stage row and open a new one."""
    stamp = state.clock.stamp()
    current = state.tables["application_stages"].get(application["stage_id"])
    if current is not None:
        current.update(exited_at=stamp, current=False, updated_at=stamp)
    row = state.insert(
        "application_stages",
        {
            "application_id": application["id"],
            "job_interview_stage_id": stage["id"],
            "entered_at": stamp,
            "exited_at": None,
            "days_in_stage": 0,
            "current": True,
        },
    )
    application["stage_id"] = row["id"]
    application["stage_name"] = stage["name"]


def create_application(
    state: SandboxState,
    candidate_id: int,
    request: ApplicationRequest,
    options: DeliveryOptions | None = None,
) -> tuple[Record, list[str]]:
    """Add an application on the job's first stage (or a prospect one); fires `new_*_application`."""
    candidate = state.get("candidates", candidate_id)
    check_application(state, request)
    posts = [
        p["id"]
        for p in state.tables["job_posts"].values()
        if p["job_id"] == request.job_id and p["active"]
    ]
    application = state.insert(
        "applications",
        {
            "candidate_id": candidate_id,
            "job_id": None if request.prospect else request.job_id,
            "job_post_id": min(posts) if posts and not request.prospect else None,
            "status": "in_process",
            "prospect": request.prospect,
            "prospective_job_ids": list(request.job_ids),
            "stage_id": None,
            "stage_name": None,
            "needs_decision": False,
            "source_id": request.source_id,
            "referrer_id": request.referrer_id,
            "recruiter_id": request.recruiter_id,
            "coordinator_id": request.coordinator_id,
            "rejected_at": None,
            "rejection_reason_id": None,
            "last_activity_at": None,
            "location_address": None,
            "answers": [],
            "custom_fields": {},
            "agency_note_id": None,
        },
    )
    if not request.prospect and request.job_id is not None:
        stages = job_stages(state, request.job_id)
        chosen = [s for s in stages if s["id"] == request.initial_stage_id] or stages[:1]
        if chosen:
            enter_stage(state, application, chosen[0])
    state.touch(application, "last_activity_at")
    state.touch(candidate, "last_activity_at")
    action = "new_prospect_application" if request.prospect else "new_candidate_application"
    payload = {"application": _payloads.application_payload(state, application)}
    return application, state.webhooks.fire(action, payload, options)


def patch_application(
    state: SandboxState,
    application_id: int,
    fields: Mapping[str, Any],
    options: DeliveryOptions | None = None,
) -> tuple[Record, list[str]]:
    """Change an application's attribution or custom fields; fires `application_updated`."""
    application = state.get("applications", application_id)
    if application["status"] == "converted":
        raise InvalidStateError("a converted application cannot be updated")
    check_reference(state, "sources", "source_id", fields.get("source_id"))
    check_reference(state, "referrers", "referrer_id", fields.get("referrer_id"))
    check_reference(state, "users", "recruiter_id", fields.get("recruiter_id"))
    check_reference(state, "users", "coordinator_id", fields.get("coordinator_id"))
    custom = resolve_custom_fields(state, "application", fields.get("custom_fields", []))
    for name, value in fields.items():
        application[name] = (
            {**application["custom_fields"], **custom} if name == "custom_fields" else value
        )
    state.touch(application, "last_activity_at")
    payload = {"application": _payloads.application_payload(state, application)}
    return application, state.webhooks.fire("application_updated", payload, options)


def drop_application_rows(state: SandboxState, application_id: int) -> None:
    for resource in ("application_stages", "rejection_details"):
        table = state.tables[resource]
        for row_id in [r["id"] for r in table.values() if r["application_id"] == application_id]:
            del table[row_id]
    del state.tables["applications"][application_id]


def delete_application(
    state: SandboxState, application_id: int, options: DeliveryOptions | None = None
) -> list[str]:
    """Destroy one application; fires the flat `delete_application`."""
    application = state.get("applications", application_id)
    payload = {"application": _payloads.flat_application_payload(application)}
    drop_application_rows(state, application_id)
    return state.webhooks.fire("delete_application", payload, options)
