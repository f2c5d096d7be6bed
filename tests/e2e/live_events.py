"""What Intrro sends and receives in the live stories: event bodies, Standard Webhooks signing,
the event types pushed to the receiver."""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from standardwebhooks.webhooks import Webhook

from intrro_gateway.adapters.intrro.receiver import ReceivedEvent

EXPORTED = "introduction.exported"
STATUS_CHANGED = "application.status_changed"
FAILED = "introduction.failed"
REMOVED = "application.removed"
JOBS_CHANGED = "jobs.changed"
CANDIDATE_CHANGED = "candidate.changed"


def new_intrro_secret() -> str:
    """A Standard Webhooks secret, as Intrro issues one."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def candidate(first: str, last: str, email: str) -> dict[str, Any]:
    """The `candidate` of an `introduction.accepted` event, every optional field empty."""
    return {
        "first_name": first,
        "last_name": last,
        "emails": [email],
        "phones": [],
        "linkedin_url": None,
        "social_profiles": [],
        "websites": [],
        "current_company": None,
        "current_title": None,
        "location": None,
    }


ERIN = {"name": "Erin Employee", "email": "erin.employee@sandbox.example", "employee_id": "E-1"}


def accepted_data(
    introduction_id: str,
    job_ids: Sequence[str],
    *,
    person: Mapping[str, Any] | None = None,
    referrer: Mapping[str, Any] | None = None,
    message: str | None = "A great engineer I worked with.",
) -> dict[str, Any]:
    """The `data` of an `introduction.accepted` event (by default a new person referred by Erin)."""
    return {
        "introduction_id": introduction_id,
        "candidate": dict(
            person or candidate("Mary", "Jackson", f"mary.jackson+{introduction_id}@example.org")
        ),
        "referrer": dict(referrer or ERIN),
        "job_ids": list(job_ids),
        "message": message,
        "accepted_at": now_iso(),
    }


def now_iso() -> str:
    """The current time as ISO-8601 UTC with a `Z`."""
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def intrro_envelope(type_: str, data: Mapping[str, Any]) -> bytes:
    """An Intrro event body."""
    return json.dumps({"type": type_, "timestamp": now_iso(), "data": dict(data)}).encode()


def intrro_signed(
    body: bytes, secret: str, message_id: str | None = None, at: datetime | None = None
) -> dict[str, str]:
    """Standard Webhooks headers for the body, signed with the secret now (or at `at`)."""
    message_id = message_id or f"msg_{uuid.uuid4().hex}"
    sent_at = (at or datetime.now(UTC)).replace(microsecond=0)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, sent_at, body.decode()),
        "content-type": "application/json",
    }


def intro_of(event: ReceivedEvent) -> Any:
    """The introduction an event names, if any."""
    return event.data.get("introduction_id") if isinstance(event.data, dict) else None
