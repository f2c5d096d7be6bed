"""The Lever web hook translator: Lever's body-field signature, delivery id, events to signals.

Lever signs `token + triggeredAt` (HMAC-SHA256 under the web hook's signature token, hex, in the
body's `signature`), not the body: `data` is not covered. So every opportunity event becomes an
`ApplicationUpdated` carrying only the opportunity id and `triggeredAt`: the gateway re-reads the
opportunity from Lever before anything changes, and a forged `data` changes nothing. `contactUpdated`
becomes a `CandidateProfileChanged` of the contact: the person is read back and compared likewise.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from intrro_gateway.adapters.json_limits import loads_bounded
from intrro_gateway.domain.signals import ApplicationUpdated, CandidateProfileChanged
from intrro_gateway.ports.ats_webhooks import (
    AtsWebhookTranslator,
    MalformedWebhookError,
    Translation,
    WebhookReading,
)

# The events the gateway needs, with the labels of Lever's Settings → Integrations → Webhooks page.
SUBSCRIPTIONS: Final[tuple[tuple[str, str], ...]] = (
    ("applicationCreated", "Application created"),
    ("candidateStageChange", "Candidate stage change"),
    ("candidateArchiveChange", "Candidate archive state change"),
    ("candidateHired", "Candidate hired"),
    ("candidateDeleted", "Candidate deleted"),
    ("contactUpdated", "Contact updated"),
)
PROFILE_EVENTS: Final = frozenset({"contactUpdated"})
USED: Final = frozenset(event for event, _ in SUBSCRIPTIONS)
PING: Final = "ping"


def _load(body: bytes) -> dict[str, Any]:
    try:
        document = loads_bounded(body)
    except ValueError as exc:
        raise MalformedWebhookError("the body is not JSON") from exc
    if not isinstance(document, dict):
        raise MalformedWebhookError("the body is not a JSON object")
    return document


def _stamp(value: Any) -> str | None:
    """`triggeredAt` as Lever signs it: the integer's decimal digits."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip().isdigit():
        return value.strip()
    return None


def is_ping(document: Mapping[str, Any]) -> bool:
    """A test delivery from Lever's settings page: the envelope with empty `data`."""
    data = document.get("data")
    return data is None or data == {} or data == []


class LeverWebhookTranslator(AtsWebhookTranslator):
    """Reads Lever web hook deliveries into the gateway's neutral signals."""

    source = "lever"

    def delivery_id(self, headers: Mapping[str, str], body: bytes) -> str:
        """`lever:` and the delivery's event `id` (a retry repeats it), else its random `token` (a
        redelivery repeats the body), else the body hash."""
        try:
            document = _load(body)
        except MalformedWebhookError:
            document = {}
        for field in ("id", "token"):
            value = document.get(field)
            if isinstance(value, str) and value.strip():
                return f"lever:{value.strip()}"
        return "sha256:" + hashlib.sha256(body).hexdigest()

    def verify(self, headers: Mapping[str, str], body: bytes, secrets: Sequence[str]) -> bool:
        """Whether `signature` is the HMAC-SHA256 of `token + triggeredAt` under one of the
        tenant's web hook signature tokens (each tried, so the time does not tell which)."""
        try:
            document = _load(body)
        except MalformedWebhookError:
            return False
        token, stamp, signature = (
            document.get("token"),
            _stamp(document.get("triggeredAt")),
            document.get("signature"),
        )
        if not isinstance(token, str) or stamp is None or not isinstance(signature, str):
            return False
        message = (token + stamp).encode()
        given = signature.strip().lower().encode("ascii", "replace")
        matched = False
        for secret in secrets:
            if not secret:
                continue
            expected = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest().encode()
            matched |= hmac.compare_digest(expected, given)
        return matched

    def action_of(self, body: bytes) -> str | None:
        """The delivery's `event`; never raises."""
        try:
            event = _load(body).get("event")
        except MalformedWebhookError:
            return None
        return event if isinstance(event, str) and event else None

    def is_used(self, action: str) -> bool:
        """Whether the gateway acts on this event."""
        return action in USED or action == PING

    def subscriptions(self) -> Sequence[tuple[str, str]]:
        """The web hooks the gateway creates in Lever (or an admin creates by hand)."""
        return SUBSCRIPTIONS

    def read(self, body: bytes) -> WebhookReading:
        """The delivery's event and translation from one parse of the body; never raises."""
        try:
            document = _load(body)
        except MalformedWebhookError as exc:
            return WebhookReading(action=None, problem=str(exc))
        event = document.get("event")
        if not isinstance(event, str) or not event:
            return WebhookReading(action=None, problem="the body names no event")
        try:
            return WebhookReading(action=event, translation=_translation(document))
        except MalformedWebhookError as exc:
            return WebhookReading(action=event, problem=str(exc))

    def translate(self, body: bytes) -> Translation:
        """An opportunity event as `ApplicationUpdated` (re-read before acting); a test delivery
        as a ping; other events ignored."""
        return _translation(_load(body))


def _translation(document: Mapping[str, Any]) -> Translation:
    """What one parsed delivery means."""
    event = document.get("event")
    if not isinstance(event, str) or not event:
        raise MalformedWebhookError("the body names no event")
    if is_ping(document):
        return Translation(action=event, ping=True)
    if event not in USED:
        return Translation(action=event, ignored=True)
    data = document.get("data")
    if not isinstance(data, dict):
        raise MalformedWebhookError("data: not an object")
    if event in PROFILE_EVENTS:
        # A person's edit: which fields changed is read back from Lever and compared with what the
        # gateway last wrote or announced (the echo rule), so `data` need carry the id alone.
        contact = data.get("contactId")
        if not isinstance(contact, str) or not contact.strip():
            raise MalformedWebhookError("data.contactId: missing")
        return Translation(
            action=event, signals=(CandidateProfileChanged(candidate_id=contact.strip()),)
        )
    opportunity = data.get("opportunityId")
    if not isinstance(opportunity, str) or not opportunity.strip():
        raise MalformedWebhookError("data.opportunityId: missing")
    contact = data.get("contactId")
    stamp = _stamp(document.get("triggeredAt"))
    if stamp is None:
        raise MalformedWebhookError("triggeredAt: not epoch milliseconds")
    try:
        occurred_at = datetime.fromtimestamp(int(stamp) / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise MalformedWebhookError("triggeredAt: out of range") from exc
    signal = ApplicationUpdated(
        application_id=opportunity.strip(),
        candidate_id=contact.strip() if isinstance(contact, str) and contact.strip() else None,
        occurred_at=occurred_at,
    )
    return Translation(action=event, signals=(signal,))
