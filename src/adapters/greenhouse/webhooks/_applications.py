"""Application payloads (`payload.application`) read into application signals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from intrro_gateway.adapters.greenhouse.rejections import rejection_kind
from intrro_gateway.adapters.greenhouse.webhooks._reading import (
    JsonObject,
    array,
    child,
    obj,
    opt_bool,
    opt_child,
    opt_id,
    opt_str,
    opt_time,
    req_id,
)
from intrro_gateway.domain.signals import (
    ApplicationCreated,
    ApplicationDeleted,
    ApplicationSignal,
    ApplicationUpdated,
    Hired,
    Rejected,
    RejectionKind,
    RejectionReason,
    StageChanged,
    Unhired,
    Unrejected,
)
from intrro_gateway.domain.status import StageRef
from intrro_gateway.ports.ats_webhooks import MalformedWebhookError


class _Application:
    """The fields every application payload shares."""

    def __init__(self, payload: JsonObject) -> None:
        where = "payload.application"
        self.raw = child(payload, "application", "payload")
        self.where = where
        self.application_id = req_id(self.raw, "id", where)
        candidate = opt_child(self.raw, "candidate", where)
        self.candidate_id = (
            req_id(candidate, "id", f"{where}.candidate")
            if candidate is not None
            else opt_id(self.raw, "candidate_id", where)
        )
        self.job_id = _job_id(self.raw, where)
        self.occurred_at: datetime | None = opt_time(self.raw, "last_activity_at", where)
        self.source = _source(self.raw, where)
        self.prospect = opt_bool(self.raw, "prospect", where)

    def stage(self) -> StageRef | None:
        """The application's `current_stage`, when it has one."""
        stage = opt_child(self.raw, "current_stage", self.where)
        if stage is None:
            return None
        where = f"{self.where}.current_stage"
        name = opt_str(stage, "name", where)
        return StageRef(id=req_id(stage, "id", where), name=name or "")

    def common(self) -> dict[str, Any]:
        """The keyword arguments every application signal takes."""
        return {
            "application_id": self.application_id,
            "candidate_id": self.candidate_id,
            "job_id": self.job_id,
            "occurred_at": self.occurred_at,
            "source": self.source,
        }


def _job_id(application: JsonObject, where: str) -> str | None:
    """The job of a candidate's application (a prospect on several jobs has no one job)."""
    jobs = [
        obj(job, f"{where}.jobs[{i}]") for i, job in enumerate(array(application, "jobs", where))
    ]
    if len(jobs) == 1:
        return req_id(jobs[0], "id", f"{where}.jobs[0]")
    if jobs:
        return None
    legacy = opt_child(application, "job", where)  # deprecated, still sent on hires
    if legacy is not None:
        return req_id(legacy, "id", f"{where}.job")
    return opt_id(application, "job_id", where)


def _source(application: JsonObject, where: str) -> str | None:
    source = opt_child(application, "source", where)
    if source is None:
        return None
    return opt_str(source, "name", f"{where}.source") or opt_str(
        source, "public_name", f"{where}.source"
    )


def _rejection_reason(application: JsonObject, where: str) -> RejectionReason | None:
    reason = opt_child(application, "rejection_reason", where)
    if reason is None:
        return None
    where = f"{where}.rejection_reason"
    return RejectionReason(
        id=req_id(reason, "id", where),
        name=opt_str(reason, "name", where) or "",
        kind=_rejection_kind(reason.get("type"), f"{where}.type"),
    )


def _rejection_kind(kind: Any, where: str) -> RejectionKind:
    """Who rejected whom, from the reason's type: its `key`, its `name`, or a bare string."""
    if kind is None:
        return RejectionKind.UNSPECIFIED
    if isinstance(kind, str):
        return rejection_kind(kind)
    kind = obj(kind, where)
    return rejection_kind(opt_str(kind, "key", where), opt_str(kind, "name", where))


def stage_changed(payload: JsonObject) -> ApplicationSignal:
    """`candidate_stage_change`: the application is now in `current_stage`."""
    app = _Application(payload)
    stage = app.stage()
    if stage is None:
        raise MalformedWebhookError("payload.application.current_stage: missing")
    return StageChanged(stage=stage, **app.common())


def rejected(payload: JsonObject) -> ApplicationSignal:
    """`reject_candidate`: the application was rejected, for the payload's reason."""
    app = _Application(payload)
    return Rejected(reason=_rejection_reason(app.raw, app.where), **app.common())


def unrejected(payload: JsonObject) -> ApplicationSignal:
    """`unreject_candidate`: the rejection was undone."""
    app = _Application(payload)
    return Unrejected(stage=app.stage(), **app.common())


def hired(payload: JsonObject) -> ApplicationSignal:
    """`hire_candidate`: an offer was accepted (the payload has neither status nor stage)."""
    return Hired(**_Application(payload).common())


def unhired(payload: JsonObject) -> ApplicationSignal:
    """`unhire_candidate`: the hire was undone; the stage it returned to."""
    app = _Application(payload)
    return Unhired(stage=app.stage(), **app.common())


def created(payload: JsonObject) -> ApplicationSignal:
    """`new_candidate_application` and `new_prospect_application`."""
    app = _Application(payload)
    return ApplicationCreated(stage=app.stage(), prospect=app.prospect, **app.common())


def updated(payload: JsonObject) -> ApplicationSignal:
    """`application_updated`: something changed; the stage it is in."""
    app = _Application(payload)
    return ApplicationUpdated(stage=app.stage(), **app.common())


def deleted(payload: JsonObject) -> ApplicationSignal:
    """`delete_application`: a flat payload; deletions carry no time."""
    where = "payload.application"
    app = child(payload, "application", "payload")
    return ApplicationDeleted(
        application_id=req_id(app, "id", where),
        candidate_id=opt_id(app, "candidate_id", where),
        job_id=opt_id(app, "job_id", where),
    )
