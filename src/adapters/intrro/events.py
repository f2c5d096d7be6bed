"""Intrro's inbound events: Standard Webhooks signatures checked, envelopes read into commands."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from intrro_gateway.adapters.intrro import _candidate
from intrro_gateway.adapters.intrro._fields import Fields
from intrro_gateway.adapters.intrro._signing import ID_HEADER, SignatureMismatchError, check
from intrro_gateway.adapters.json_limits import loads_bounded
from intrro_gateway.domain.commands import AcceptIntroduction, UpdateCandidate, WithdrawIntroduction
from intrro_gateway.ports.referral_events import (
    EventSignatureError,
    InvalidEventError,
    NotJsonError,
    ParsedEvent,
    ReferralEventReader,
)

Data = Mapping[str, Any]
IntroductionCommand = AcceptIntroduction | UpdateCandidate | WithdrawIntroduction


class IntrroEventReader(ReferralEventReader):
    """Checks Intrro's Standard Webhooks signatures and reads its events into commands."""

    source = "intrro"

    def delivery_id(self, headers: Mapping[str, str]) -> str | None:
        """The `webhook-id` header (any case), if present and not blank."""
        for key, value in headers.items():
            if key.lower() == ID_HEADER and value.strip():
                return value.strip()
        return None

    def verify(
        self, headers: Mapping[str, str], body: bytes, secrets: Sequence[str], now: datetime
    ) -> None:
        """Check the signature against any of the secrets and the timestamp against `now`."""
        try:
            check(headers, body, secrets, now)
        except SignatureMismatchError as exc:
            raise EventSignatureError(str(exc)) from exc

    def parse(self, tenant_id: str, body: bytes) -> ParsedEvent:
        """Read an event into its command; raises NotJsonError or InvalidEventError."""
        try:
            document = loads_bounded(body)
        except ValueError as exc:
            raise NotJsonError("the body is not JSON") from exc
        fields = Fields()
        if not isinstance(document, dict):
            fields.fail("", "the event must be a JSON object")
            raise InvalidEventError(fields.errors)
        event_type = fields.text(document, "type", "type")
        fields.time(document, "timestamp", "timestamp")
        data = fields.object(document, "data", "data")
        if fields.errors or event_type is None or data is None:
            raise InvalidEventError(fields.errors)
        read = _READERS.get(event_type)
        if read is None:
            key = data.get("introduction_id")
            return ParsedEvent(type=event_type, command=None, ordering_key=_key(key))
        command = read(fields, tenant_id, data)
        if fields.errors or command is None:
            raise InvalidEventError(fields.errors)
        return ParsedEvent(type=event_type, command=command, ordering_key=command.introduction_id)


def _key(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _accepted(fields: Fields, tenant_id: str, data: Data) -> IntroductionCommand | None:
    introduction_id = fields.text(data, "introduction_id", "data.introduction_id")
    candidate = fields.object(data, "candidate", "data.candidate")
    referrer = _candidate.referrer(fields, data, "data.referrer")
    job_items = fields.items(data, "job_ids", "data.job_ids", required=True, min_items=1)
    job_ids = [fields.non_blank(item, path) for item, path in job_items or []]
    message = fields.optional_text(data, "message", "data.message")
    accepted_at = fields.time(data, "accepted_at", "data.accepted_at")
    profile = (
        _candidate.profile(fields, candidate, "data.candidate") if candidate is not None else None
    )
    if fields.errors or not (introduction_id and profile and referrer and accepted_at):
        return None
    return AcceptIntroduction(
        tenant_id=tenant_id,
        introduction_id=introduction_id,
        candidate=profile,
        referrer=referrer,
        job_ids=tuple(dict.fromkeys(job_id for job_id in job_ids if job_id is not None)),
        message=message,
        accepted_at=accepted_at,
    )


def _updated(fields: Fields, tenant_id: str, data: Data) -> IntroductionCommand | None:
    introduction_id = fields.text(data, "introduction_id", "data.introduction_id")
    candidate = fields.object(data, "candidate", "data.candidate")
    updated_at = fields.time(data, "updated_at", "data.updated_at")
    changes = (
        _candidate.changes(fields, candidate, "data.candidate") if candidate is not None else None
    )
    if fields.errors or not (introduction_id and changes is not None and updated_at):
        return None
    return UpdateCandidate(
        tenant_id=tenant_id,
        introduction_id=introduction_id,
        changes=changes,
        updated_at=updated_at,
    )


def _withdrawn(fields: Fields, tenant_id: str, data: Data) -> IntroductionCommand | None:
    introduction_id = fields.text(data, "introduction_id", "data.introduction_id")
    reason = fields.optional_text(data, "reason", "data.reason")
    withdrawn_at = fields.time(data, "withdrawn_at", "data.withdrawn_at")
    if fields.errors or not (introduction_id and withdrawn_at):
        return None
    return WithdrawIntroduction(
        tenant_id=tenant_id,
        introduction_id=introduction_id,
        reason=reason,
        withdrawn_at=withdrawn_at,
    )


_READERS: Final[dict[str, Callable[[Fields, str, Data], IntroductionCommand | None]]] = {
    "introduction.accepted": _accepted,
    "candidate.updated": _updated,
    "introduction.withdrawn": _withdrawn,
}
