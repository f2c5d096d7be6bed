"""Intrro's inbound events: Standard Webhooks signatures checked, envelopes read into commands."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from intrro_gateway.adapters.intrro._signing import ID_HEADER, SignatureMismatchError, check
from intrro_gateway.adapters.intrro.fields import field_errors
from intrro_gateway.adapters.intrro.inbound import INBOUND_EVENTS, Envelope
from intrro_gateway.adapters.json_limits import loads_bounded
from intrro_gateway.ports.referral_events import (
    EventSignatureError,
    FieldError,
    InvalidEventError,
    NotJsonError,
    ParsedEvent,
    ReferralEventReader,
)


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
        if not isinstance(document, dict):
            raise InvalidEventError([FieldError("", "the event must be a JSON object")])
        try:
            envelope = Envelope.model_validate(document)
        except ValidationError as exc:
            raise InvalidEventError(field_errors(exc)) from None
        model = INBOUND_EVENTS.get(envelope.type)
        if model is None:
            key = envelope.data.get("introduction_id")
            return ParsedEvent(type=envelope.type, command=None, ordering_key=_key(key))
        try:
            data = model.model_validate(envelope.data)
        except ValidationError as exc:
            raise InvalidEventError(field_errors(exc, ("data",))) from None
        command = data.command(tenant_id)
        return ParsedEvent(type=envelope.type, command=command, ordering_key=data.introduction_id)


def _key(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
