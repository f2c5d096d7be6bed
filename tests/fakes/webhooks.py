"""Fakes of the two inbound ports, on a simple JSON format of their own (not Greenhouse's, not Intrro's).

FakeTranslator reads `{"action": str, "signals": [signal, ...], "jobs": {"job_ids", "deleted_job_ids",
"full"}}`, a signal being `{"type": "created"|"stage_changed"|"rejected"|"hired"|"updated"|"deleted"|
"candidate_deleted"|"candidate_merged", "application_id", "candidate_id", "job_id", "occurred_at",
"stage": {"id", "name"}, "into"}`. FakeEventReader reads `{"type", "data"}` with the contract's `data`
shapes, lightly checked. Both build bodies for tests with `body(...)`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from intrro_gateway.domain.candidates import CandidateChanges, CandidateProfile, Referrer
from intrro_gateway.domain.commands import (
    AcceptIntroduction,
    Command,
    UpdateCandidate,
    WithdrawIntroduction,
)
from intrro_gateway.domain.signals import (
    ApplicationCreated,
    ApplicationDeleted,
    ApplicationUpdated,
    AtsSignal,
    CandidateDeleted,
    CandidateMerged,
    Hired,
    Rejected,
    StageChanged,
)
from intrro_gateway.domain.status import StageRef
from intrro_gateway.ports.ats_webhooks import (
    JobsTouched,
    MalformedWebhookError,
    Translation,
    WebhookReading,
)
from intrro_gateway.ports.referral_events import (
    EventSignatureError,
    FieldError,
    InvalidEventError,
    NotJsonError,
    ParsedEvent,
)

USED_ACTIONS = (
    ("application_updated", "Application updated"),
    ("candidate_stage_change", "Candidate has changed stage"),
    ("reject_candidate", "Candidate or prospect rejected"),
    ("hire_candidate", "Candidate has been hired"),
    ("delete_application", "Delete application"),
    ("merge_candidate", "Merged candidate"),
    ("job_updated", "Job updated"),
)


@dataclass
class FakeTranslator:
    """An ATS web hook translator for the fake format; `translated` counts the bodies it read."""

    source: str = "greenhouse"
    translated: list[str] = field(default_factory=list)

    @staticmethod
    def body(
        action: str,
        signals: Sequence[Mapping[str, Any]] = (),
        jobs: Mapping[str, Any] | None = None,
    ) -> bytes:
        """A delivery body of the fake format."""
        doc: dict[str, Any] = {"action": action, "signals": list(signals)}
        if jobs is not None:
            doc["jobs"] = dict(jobs)
        return json.dumps(doc).encode()

    def delivery_id(self, headers: Mapping[str, str], body: bytes) -> str:
        """The `Delivery-Id` header, or the body's SHA-256."""
        return headers.get("delivery-id") or hashlib.sha256(body).hexdigest()

    def verify(self, headers: Mapping[str, str], body: bytes, secrets: Sequence[str]) -> bool:
        """Whether `Signature` is the hex HMAC-SHA256 of the body under one of the secrets."""
        given = headers.get("signature", "")
        return any(
            hmac.compare_digest(given, hmac.new(s.encode(), body, hashlib.sha256).hexdigest())
            for s in secrets
        )

    def action_of(self, body: bytes) -> str | None:
        """The body's action, when it names one."""
        try:
            action = json.loads(body).get("action")
        except (ValueError, AttributeError):
            return None
        return action if isinstance(action, str) else None

    def is_used(self, action: str) -> bool:
        """Whether the action is one of the fake's used actions (or a ping)."""
        return action == "ping" or action in dict(USED_ACTIONS)

    def subscriptions(self) -> Sequence[tuple[str, str]]:
        """The used actions with their labels."""
        return USED_ACTIONS

    def read(self, body: bytes) -> WebhookReading:
        """The action and the translation, parsing the body once (into `translated`)."""
        action = self.action_of(body)
        if action is None:
            return WebhookReading(action=None, problem="not a fake delivery: no action")
        try:
            return WebhookReading(action=action, translation=self.translate(body))
        except MalformedWebhookError as exc:
            return WebhookReading(action=action, problem=str(exc))

    def translate(self, body: bytes) -> Translation:
        """The signals of a fake delivery; MalformedWebhookError when it breaks the format."""
        try:
            doc = json.loads(body)
            action = doc["action"]
            if not isinstance(action, str):
                raise TypeError("action is not a string")
            self.translated.append(action)
            if action == "ping":
                return Translation(action=action, ping=True)
            if not self.is_used(action):
                return Translation(action=action, ignored=True)
            signals = tuple(_signal(s) for s in doc.get("signals", []))
            jobs_doc = doc.get("jobs")
            jobs = (
                JobsTouched(
                    job_ids=tuple(jobs_doc.get("job_ids", ())),
                    deleted_job_ids=tuple(jobs_doc.get("deleted_job_ids", ())),
                    full_resync=bool(jobs_doc.get("full", False)),
                )
                if jobs_doc is not None
                else None
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise MalformedWebhookError(f"not a fake delivery: {exc}") from exc
        return Translation(action=action, signals=signals, jobs=jobs)


def _signal(doc: Mapping[str, Any]) -> AtsSignal:
    kind = doc["type"]
    at = datetime.fromisoformat(doc["occurred_at"]) if doc.get("occurred_at") else None
    stage_doc = doc.get("stage")
    stage = StageRef(id=str(stage_doc["id"]), name=stage_doc["name"]) if stage_doc else None
    common: dict[str, Any] = {
        "application_id": str(doc.get("application_id", "")),
        "candidate_id": doc.get("candidate_id"),
        "job_id": doc.get("job_id"),
        "occurred_at": at,
    }
    if kind == "created":
        return ApplicationCreated(**common, stage=stage)
    if kind == "stage_changed":
        if stage is None:
            raise KeyError("stage")
        return StageChanged(**common, stage=stage)
    if kind == "rejected":
        return Rejected(**common)
    if kind == "hired":
        return Hired(**common)
    if kind == "updated":
        return ApplicationUpdated(**common, stage=stage)
    if kind == "deleted":
        return ApplicationDeleted(**common)
    if kind == "candidate_deleted":
        return CandidateDeleted(
            candidate_id=str(doc["candidate_id"]),
            application_ids=tuple(doc.get("application_ids", ())),
        )
    if kind == "candidate_merged":
        return CandidateMerged(
            candidate_id=str(doc["candidate_id"]), into_candidate_id=str(doc["into"])
        )
    raise ValueError(f"unknown signal type {kind!r}")


@dataclass
class FakeEventReader:
    """A referral event reader for `{"type", "data"}` bodies, signed by a plain hex HMAC."""

    source: str = "intrro"

    @staticmethod
    def body(type_: str, data: Mapping[str, Any]) -> bytes:
        """An event body of the fake format."""
        return json.dumps({"type": type_, "data": dict(data)}).encode()

    def delivery_id(self, headers: Mapping[str, str]) -> str | None:
        """The `webhook-id` header."""
        return headers.get("webhook-id")

    def verify(
        self, headers: Mapping[str, str], body: bytes, secrets: Sequence[str], now: datetime
    ) -> None:
        """Check `webhook-signature` (hex HMAC-SHA256 of the body); raises EventSignatureError."""
        given = headers.get("webhook-signature", "")
        if not any(
            hmac.compare_digest(given, hmac.new(s.encode(), body, hashlib.sha256).hexdigest())
            for s in secrets
        ):
            raise EventSignatureError("bad signature")

    def parse(self, tenant_id: str, body: bytes) -> ParsedEvent:
        """Read an event into a command; NotJsonError or InvalidEventError when it cannot."""
        try:
            doc = json.loads(body)
        except ValueError as exc:
            raise NotJsonError("not JSON") from exc
        if not isinstance(doc, dict) or not isinstance(doc.get("type"), str):
            raise InvalidEventError([FieldError("/type", "required")])
        type_ = doc["type"]
        data = doc.get("data")
        if not isinstance(data, dict):
            raise InvalidEventError([FieldError("/data", "must be an object")])
        try:
            command = _command(tenant_id, type_, data)
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidEventError([FieldError("/data", f"bad field {exc}")]) from exc
        key = data.get("introduction_id") if command is not None else None
        return ParsedEvent(type=type_, command=command, ordering_key=key)


def _command(tenant_id: str, type_: str, data: Mapping[str, Any]) -> Command | None:
    if type_ == "introduction.accepted":
        cand = data["candidate"]
        ref = data["referrer"]
        return AcceptIntroduction(
            tenant_id=tenant_id,
            introduction_id=str(data["introduction_id"]),
            candidate=CandidateProfile(
                first_name=cand["first_name"],
                last_name=cand["last_name"],
                emails=tuple(cand["emails"]),
            ),
            referrer=Referrer(name=ref["name"], email=ref["email"]),
            job_ids=tuple(data["job_ids"]),
            message=data.get("message"),
            accepted_at=datetime.fromisoformat(data["accepted_at"]),
        )
    if type_ == "candidate.updated":
        cand = data["candidate"]
        return UpdateCandidate(
            tenant_id=tenant_id,
            introduction_id=str(data["introduction_id"]),
            changes=CandidateChanges(
                first_name=cand.get("first_name"), last_name=cand.get("last_name")
            ),
            updated_at=datetime.fromisoformat(data["updated_at"]),
        )
    if type_ == "introduction.withdrawn":
        return WithdrawIntroduction(
            tenant_id=tenant_id,
            introduction_id=str(data["introduction_id"]),
            reason=data.get("reason"),
            withdrawn_at=datetime.fromisoformat(data["withdrawn_at"]),
        )
    return None
