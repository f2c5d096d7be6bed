"""Candidate and application records: create, patch, merge and delete, each firing its web hook."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from adapters.greenhouse.sandbox import _payloads
from adapters.greenhouse.sandbox._webhooks import DeliveryOptions
from adapters.greenhouse.sandbox.errors import InvalidFieldError, InvalidStateError
from adapters.greenhouse.sandbox.state import Record, SandboxState

CANDIDATE_FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "company",
    "title",
    "private",
    "can_email",
    "email_addresses",
    "phone_numbers",
    "addresses",
    "website_addresses",
    "social_media_addresses",
    "tags",
    "linked_user_ids",
    "time_zone",
    "custom_fields",
)
APPLICATION_PATCH_FIELDS = (
    "source_id",
    "referrer_id",
    "recruiter_id",
    "coordinator_id",
    "custom_fields",
)


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


def resolve_custom_fields(
    state: SandboxState, field_type: str, values: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """Read-shaped custom field values from write-shaped ones (`name_key` or `custom_field_id`)."""
    fields = [f for f in state.tables["custom_fields"].values() if f["field_type"] == field_type]
    resolved: dict[str, Any] = {}
    for value in values:
        match = [
            f
            for f in fields
            if f["name_key"] == value.get("name_key")
            or f["id"] == value.get("custom_field_id", value.get("id"))
        ]
        if not match:
            raise InvalidFieldError("custom_fields", f"unknown {field_type} custom field {value}")
        field = match[0]
        resolved[field["name_key"]] = {
            "name": field["name"],
            "type": field["value_type"],
            "value": value.get("value"),
        }
    return resolved


def _set_tags(state: SandboxState, candidate: Record, names: Sequence[str]) -> None:
    tags = state.tables["candidate_tags"]
    applied = state.tables["applied_candidate_tags"]
    for stale in [a for a in applied.values() if a["candidate_id"] == candidate["id"]]:
        del applied[stale["id"]]
    for name in names:
        tag = next((t for t in tags.values() if t["name"] == name), None)
        if tag is None:
            tag = state.insert("candidate_tags", {"name": name})
        state.insert(
            "applied_candidate_tags",
            {"candidate_id": candidate["id"], "candidate_tag_id": tag["id"]},
        )
    candidate["tags"] = list(dict.fromkeys(names))


def _apply_candidate_fields(
    state: SandboxState, candidate: Record, fields: Mapping[str, Any], custom: dict[str, Any]
) -> None:
    for name, value in fields.items():
        if name == "custom_fields":
            candidate["custom_fields"] = {**candidate["custom_fields"], **custom}
        elif name == "tags":
            _set_tags(state, candidate, value)
        else:
            candidate[name] = value


def create_candidate(
    state: SandboxState,
    fields: Mapping[str, Any],
    application: ApplicationRequest | None,
    options: DeliveryOptions | None = None,
) -> tuple[Record, Record | None, list[str]]:
    """Add a candidate (and at most one application); fires `new_*_application` for the latter."""
    if application is not None:
        _check_application(state, application)
    custom = resolve_custom_fields(state, "candidate", fields.get("custom_fields", []))
    candidate = state.insert(
        "candidates",
        {
            "first_name": "",
            "last_name": "",
            "preferred_name": None,
            "company": None,
            "title": None,
            "private": False,
            "can_email": True,
            "email_addresses": [],
            "phone_numbers": [],
            "addresses": [],
            "website_addresses": [],
            "social_media_addresses": [],
            "tags": [],
            "linked_user_ids": [],
            "time_zone": None,
            "custom_fields": {},
            "last_activity_at": state.clock.stamp(),
        },
    )
    _apply_candidate_fields(state, candidate, fields, custom)
    if application is None:
        return candidate, None, []
    created, event_ids = create_application(state, candidate["id"], application, options)
    return candidate, created, event_ids


def patch_candidate(
    state: SandboxState,
    candidate_id: int,
    fields: Mapping[str, Any],
    options: DeliveryOptions | None = None,
) -> tuple[Record, list[str]]:
    """Change a candidate's fields (arrays are replaced); fires `update_candidate`."""
    candidate = state.get("candidates", candidate_id)
    custom = resolve_custom_fields(state, "candidate", fields.get("custom_fields", []))
    _apply_candidate_fields(state, candidate, fields, custom)
    state.touch(candidate, "last_activity_at")
    event_ids = state.webhooks.fire(
        "update_candidate", {"candidate": _payloads.candidate_payload(state, candidate)}, options
    )
    return candidate, event_ids


def _check_reference(state: SandboxState, resource: str, field: str, value: int | None) -> None:
    if value is not None and value not in state.tables[resource]:
        raise InvalidFieldError(field, f"{resource} {value} does not exist")


def _check_application(state: SandboxState, request: ApplicationRequest) -> None:
    _check_reference(state, "sources", "source_id", request.source_id)
    _check_reference(state, "referrers", "referrer_id", request.referrer_id)
    _check_reference(state, "users", "recruiter_id", request.recruiter_id)
    _check_reference(state, "users", "coordinator_id", request.coordinator_id)
    for job_id in request.job_ids:
        _check_reference(state, "jobs", "job_ids", job_id)
    if request.prospect:
        return
    if request.job_id is None:
        raise InvalidFieldError("job_id", "is required for a candidate application")
    _check_reference(state, "jobs", "job_id", request.job_id)
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
    _check_application(state, request)
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
    _check_reference(state, "sources", "source_id", fields.get("source_id"))
    _check_reference(state, "referrers", "referrer_id", fields.get("referrer_id"))
    _check_reference(state, "users", "recruiter_id", fields.get("recruiter_id"))
    _check_reference(state, "users", "coordinator_id", fields.get("coordinator_id"))
    custom = resolve_custom_fields(state, "application", fields.get("custom_fields", []))
    for name, value in fields.items():
        application[name] = (
            {**application["custom_fields"], **custom} if name == "custom_fields" else value
        )
    state.touch(application, "last_activity_at")
    payload = {"application": _payloads.application_payload(state, application)}
    return application, state.webhooks.fire("application_updated", payload, options)


def _drop_application_rows(state: SandboxState, application_id: int) -> None:
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
    _drop_application_rows(state, application_id)
    return state.webhooks.fire("delete_application", payload, options)


def delete_candidate(
    state: SandboxState, candidate_id: int, options: DeliveryOptions | None = None
) -> list[str]:
    """Destroy a candidate and its applications; fires `delete_candidate` with `payload.person`."""
    candidate = state.get("candidates", candidate_id)
    application_ids = sorted(
        a["id"] for a in state.tables["applications"].values() if a["candidate_id"] == candidate_id
    )
    for application_id in application_ids:
        _drop_application_rows(state, application_id)
    _set_tags(state, candidate, [])
    del state.tables["candidates"][candidate_id]
    payload = {"person": _payloads.person_payload(candidate, application_ids)}
    return state.webhooks.fire("delete_candidate", payload, options)


def merge_candidates(
    state: SandboxState,
    from_candidate_id: int,
    into_candidate_id: int,
    options: DeliveryOptions | None = None,
) -> list[str]:
    """Merge one candidate into another (its applications move over); fires `merge_candidate`."""
    if from_candidate_id == into_candidate_id:
        raise InvalidStateError("a candidate cannot be merged into itself")
    loser = state.get("candidates", from_candidate_id)
    winner = state.get("candidates", into_candidate_id)
    for application in state.tables["applications"].values():
        if application["candidate_id"] == from_candidate_id:
            application["candidate_id"] = into_candidate_id
            state.touch(application)
    merged_tags = list(dict.fromkeys([*winner["tags"], *loser["tags"]]))
    _set_tags(state, loser, [])
    _set_tags(state, winner, merged_tags)
    del state.tables["candidates"][from_candidate_id]
    state.touch(winner, "last_activity_at")
    person = _payloads.person_payload(loser, [], new_candidate_id=into_candidate_id)
    return state.webhooks.fire("merge_candidate", {"person": person}, options)
