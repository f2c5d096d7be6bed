"""The Greenhouse Recruiting web hook translator: signature, delivery id and payloads to signals."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Final

from intrro_gateway.adapters.greenhouse.webhooks import _applications, _jobs, _people
from intrro_gateway.adapters.greenhouse.webhooks._catalogue import PING, SUBSCRIPTIONS, USED_ACTIONS
from intrro_gateway.adapters.greenhouse.webhooks._reading import JsonObject, load_json, obj
from intrro_gateway.domain.signals import AtsSignal
from intrro_gateway.ports.ats_webhooks import (
    AtsWebhookTranslator,
    JobsTouched,
    MalformedWebhookError,
    Translation,
    WebhookReading,
)

EVENT_ID_HEADER: Final = "greenhouse-event-id"
SIGNATURE_HEADER: Final = "signature"

_SIGNALS: Final[dict[str, Callable[[JsonObject], AtsSignal]]] = {
    "candidate_stage_change": _applications.stage_changed,
    "reject_candidate": _applications.rejected,
    "unreject_candidate": _applications.unrejected,
    "hire_candidate": _applications.hired,
    "unhire_candidate": _applications.unhired,
    "new_candidate_application": _applications.created,
    "new_prospect_application": _applications.created,
    "application_updated": _applications.updated,
    "delete_application": _applications.deleted,
    "update_candidate": _people.profile_changed,
    "delete_candidate": _people.deleted,
    "merge_candidate": _people.merged,
    "candidate_anonymized": _people.anonymized,
}

_JOBS: Final[dict[str, Callable[[JsonObject], JobsTouched]]] = {
    "job_created": _jobs.job_changed,
    "job_updated": _jobs.job_changed,
    "job_deleted": _jobs.job_deleted,
    "job_post_created": _jobs.job_post_changed,
    "job_post_updated": _jobs.job_post_changed,
    "job_post_deleted": _jobs.job_post_deleted,
    "job_interview_stage_deleted": _jobs.stage_deleted,
    "department_deleted": partial(_jobs.organisation_deleted, "department"),
    "office_deleted": partial(_jobs.organisation_deleted, "office"),
}


_SIGNATURE = re.compile(r"sha256 ([0-9a-f]{64})")


class GreenhouseWebhookTranslator(AtsWebhookTranslator):
    """Reads Greenhouse Recruiting web hook deliveries into the gateway's neutral signals."""

    source = "greenhouse"

    def delivery_id(self, headers: Mapping[str, str], body: bytes) -> str:
        """The `Greenhouse-Event-ID` header, else `sha256:` and the hex SHA-256 of the body."""
        event_id = _header(headers, EVENT_ID_HEADER)
        if event_id is not None and event_id.strip():
            return event_id.strip()
        return "sha256:" + hashlib.sha256(body).hexdigest()

    def verify(self, headers: Mapping[str, str], body: bytes, secrets: Sequence[str]) -> bool:
        """Whether `Signature: sha256 <hex>` is the HMAC-SHA256 of the raw body under a secret; any
        other form of the header (another case, spacing or algorithm name) does not verify."""
        signature = _header(headers, SIGNATURE_HEADER)
        # Exactly as Greenhouse documents and sends it: `sha256 ` and 64 lower-case hex digits.
        match = _SIGNATURE.fullmatch(signature) if signature is not None else None
        if match is None:
            return False
        given = match.group(1).encode("ascii")
        matched = False
        for secret in secrets:
            if not secret:
                continue
            expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest().encode()
            # Every secret is tried, so the time taken does not tell which one matched.
            matched |= hmac.compare_digest(expected, given)
        return matched

    def action_of(self, body: bytes) -> str | None:
        """The delivery's `action`, when the body is a JSON object naming one; never raises."""
        try:
            document = load_json(body)
        except MalformedWebhookError:
            return None
        if isinstance(document, dict):
            action = document.get("action")
            if isinstance(action, str) and action:
                return action
        return None

    def is_used(self, action: str) -> bool:
        """Whether the gateway acts on this action (the subscriptions and the ping)."""
        return action in USED_ACTIONS

    def subscriptions(self) -> Sequence[tuple[str, str]]:
        """The web hooks an admin must create in Greenhouse: (action, the UI's "When" label)."""
        return SUBSCRIPTIONS

    def translate(self, body: bytes) -> Translation:
        """The signals of a delivery; raises MalformedWebhookError for a body it cannot read."""
        document = obj(load_json(body), "the body")
        action = document.get("action")
        if not isinstance(action, str) or not action:
            raise MalformedWebhookError("the body names no action")
        return _translate(document, action)

    def read(self, body: bytes) -> WebhookReading:
        """The delivery parsed once: its action, and its translation when it can be read."""
        try:
            document = load_json(body)
        except MalformedWebhookError as exc:
            return WebhookReading(action=None, problem=str(exc))
        action = document.get("action") if isinstance(document, dict) else None
        if not isinstance(action, str) or not action:
            return WebhookReading(action=None, problem="the body names no action")
        try:
            return WebhookReading(action=action, translation=_translate(document, action))
        except MalformedWebhookError as exc:
            return WebhookReading(action=action, problem=str(exc))


def _translate(document: JsonObject, action: str) -> Translation:
    """What a document naming `action` means; raises MalformedWebhookError for a bad payload."""
    if action == PING:
        return Translation(action=action, ping=True)
    if action not in USED_ACTIONS:
        return Translation(action=action, ignored=True)
    payload = obj(document.get("payload"), "payload")
    if action in _JOBS:
        return Translation(action=action, jobs=_JOBS[action](payload))
    return Translation(action=action, signals=(_SIGNALS[action](payload),))


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by its case-insensitive name."""
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None
