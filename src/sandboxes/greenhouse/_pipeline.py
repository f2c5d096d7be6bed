"""Application pipeline actions: move, reject, unreject, hire, unhire, each firing its web hook."""

from __future__ import annotations

from typing import Literal

from intrro_gateway.sandboxes.greenhouse import _payloads
from intrro_gateway.sandboxes.greenhouse._applications import enter_stage, job_stages
from intrro_gateway.sandboxes.greenhouse._webhooks import DeliveryOptions
from intrro_gateway.sandboxes.greenhouse.errors import InvalidFieldError, InvalidStateError
from intrro_gateway.sandboxes.greenhouse.state import Record, SandboxState

RejectionKind = Literal["company", "candidate", "unspecified"]
REJECTION_KEYS: dict[str, str] = {
    "company": "WE_REJECTED_THEM",
    "candidate": "THEY_REJECTED_US",
    "unspecified": "NONE_SPECIFIED",
}


def _require_status(application: Record, *allowed: str) -> None:
    if application["status"] not in allowed:
        wanted = " or ".join(f"'{s}'" for s in allowed)
        raise InvalidStateError(
            f"Application must be {wanted}, is currently '{application['status']}'"
        )


def _fire(
    state: SandboxState, action: str, application: Record, options: DeliveryOptions | None
) -> list[str]:
    candidate = state.tables["candidates"][application["candidate_id"]]
    candidate["last_activity_at"] = application["last_activity_at"]
    build = _payloads.hire_payload if action == "hire_candidate" else _payloads.application_payload
    return state.webhooks.fire(action, {"application": build(state, application)}, options)


def current_stage(state: SandboxState, application: Record) -> Record | None:
    """The job interview stage the application is on, if any."""
    row = state.tables["application_stages"].get(application["stage_id"])
    if row is None:
        return None
    stage: Record | None = state.tables["job_interview_stages"].get(row["job_interview_stage_id"])
    return stage


def move(
    state: SandboxState,
    application_id: int,
    to_stage_id: int | None = None,
    options: DeliveryOptions | None = None,
) -> list[str]:
    """Move an active application to a stage of its job (None: the next one); fires `candidate_stage_change`."""
    application = state.get("applications", application_id)
    _require_status(application, "in_process")
    if application["prospect"] or application["job_id"] is None:
        raise InvalidStateError("a prospect application has no interview plan")
    stages = job_stages(state, application["job_id"])
    here = current_stage(state, application)
    if to_stage_id is None:
        position = stages.index(here) if here in stages else -1
        if position + 1 >= len(stages):
            raise InvalidStateError("the application is already on the job's last stage")
        target = stages[position + 1]
    else:
        found = [s for s in stages if s["id"] == to_stage_id]
        if not found:
            raise InvalidFieldError("to_stage_id", f"{to_stage_id} is not a stage of the job")
        target = found[0]
    if here is not None and target["id"] == here["id"]:
        raise InvalidStateError("the application is already on that stage")
    enter_stage(state, application, target)
    state.touch(application, "last_activity_at")
    return _fire(state, "candidate_stage_change", application, options)


def reject(
    state: SandboxState,
    application_id: int,
    kind: RejectionKind = "company",
    rejection_reason_id: int | None = None,
    rejected_by_id: int | None = None,
    options: DeliveryOptions | None = None,
) -> list[str]:
    """Reject an active application with a reason of the kind asked; fires `reject_candidate`."""
    application = state.get("applications", application_id)
    _require_status(application, "in_process")
    reasons = state.tables["rejection_reasons"]
    if rejection_reason_id is None:
        key = REJECTION_KEYS[kind]
        matching = sorted(r["id"] for r in reasons.values() if r["type"]["key"] == key)
        if not matching:
            raise InvalidStateError(f"no rejection reason of kind {key}")
        rejection_reason_id = matching[0]
    elif rejection_reason_id not in reasons:
        raise InvalidFieldError("rejection_reason_id", f"{rejection_reason_id} does not exist")
    stamp = state.touch(application, "last_activity_at", "rejected_at")
    application["status"] = "rejected"
    application["rejection_reason_id"] = rejection_reason_id
    state.insert(
        "rejection_details",
        {
            "application_id": application_id,
            "rejected_by_id": rejected_by_id,
            "rejection_reason_id": rejection_reason_id,
            "rejection_note_id": None,
            "rejected_at": stamp,
            "question_custom_fields": {},
        },
    )
    return _fire(state, "reject_candidate", application, options)


def unreject(
    state: SandboxState, application_id: int, options: DeliveryOptions | None = None
) -> list[str]:
    """Reinstate a rejected application; fires `unreject_candidate`."""
    application = state.get("applications", application_id)
    _require_status(application, "rejected")
    details = state.tables["rejection_details"]
    for row_id in [d["id"] for d in details.values() if d["application_id"] == application_id]:
        del details[row_id]
    application.update(status="in_process", rejected_at=None, rejection_reason_id=None)
    state.touch(application, "last_activity_at")
    return _fire(state, "unreject_candidate", application, options)


def hire(
    state: SandboxState, application_id: int, options: DeliveryOptions | None = None
) -> list[str]:
    """Hire an active candidate application (it leaves its stage); fires `hire_candidate`."""
    application = state.get("applications", application_id)
    _require_status(application, "in_process")
    if application["prospect"]:
        raise InvalidStateError("a prospect application cannot be hired")
    here = current_stage(state, application)
    row = state.tables["application_stages"].get(application["stage_id"])
    stamp = state.touch(application, "last_activity_at")
    if row is not None:
        row.update(exited_at=stamp, current=False, updated_at=stamp)
    application.update(
        status="hired",
        stage_id=None,
        stage_name=None,
        _hired_from_stage_id=here["id"] if here else None,
    )
    return _fire(state, "hire_candidate", application, options)


def unhire(
    state: SandboxState, application_id: int, options: DeliveryOptions | None = None
) -> list[str]:
    """Undo a hire, putting the application back on its last stage; fires `unhire_candidate`."""
    application = state.get("applications", application_id)
    _require_status(application, "hired")
    stage_id = application.pop("_hired_from_stage_id", None)
    stages = job_stages(state, application["job_id"])
    restored = [s for s in stages if s["id"] == stage_id] or stages[-1:]
    if restored:
        enter_stage(state, application, restored[0])
    application["status"] = "in_process"
    state.touch(application, "last_activity_at")
    return _fire(state, "unhire_candidate", application, options)
