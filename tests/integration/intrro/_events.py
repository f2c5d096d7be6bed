"""Valid Intrro events as the contract describes them, and Standard Webhooks signing for tests."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from standardwebhooks.webhooks import Webhook

SECRET = "whsec_" + base64.b64encode(b"intrro-test-secret-0123456789abc").decode()
OTHER_SECRET = "whsec_" + base64.b64encode(b"another-secret-for-rotation-xyz").decode()


def accepted() -> dict[str, Any]:
    """A full `introduction.accepted` event."""
    return {
        "type": "introduction.accepted",
        "timestamp": "2026-11-24T05:00:00Z",
        "data": {
            "introduction_id": "intro-1",
            "candidate": {
                "first_name": "Ana",
                "last_name": "Sousa",
                "emails": ["ana.sousa@example.com", "ana@work.example.org"],
                "phones": ["+351 910 000 000"],
                "linkedin_url": "https://www.linkedin.com/in/ana-sousa",
                "social_profiles": ["https://github.com/anasousa"],
                "websites": ["http://ana.example.org/"],
                "current_company": "Acme",
                "current_title": "Engineer",
                "location": "Lisbon",
            },
            "referrer": {
                "name": "Rita Referrer",
                "email": "rita@acme.example",
                "employee_id": "E-17",
            },
            "job_ids": ["5001", "5002"],
            "message": "Great engineer, worked with her for years.",
            "accepted_at": "2026-11-24T04:59:00+01:00",
        },
    }


def updated() -> dict[str, Any]:
    """A `candidate.updated` event changing a few fields."""
    return {
        "type": "candidate.updated",
        "timestamp": "2026-11-24T05:01:00Z",
        "data": {
            "introduction_id": "intro-1",
            "candidate": {"last_name": "Sousa-Lima", "emails": ["ana.lima@example.com"]},
            "updated_at": "2026-11-24T05:01:00Z",
        },
    }


def withdrawn() -> dict[str, Any]:
    """An `introduction.withdrawn` event."""
    return {
        "type": "introduction.withdrawn",
        "timestamp": "2026-11-24T05:02:00Z",
        "data": {
            "introduction_id": "intro-1",
            "reason": "took another offer",
            "withdrawn_at": "2026-11-24T05:02:00Z",
        },
    }


def encode(event: Any) -> bytes:
    """An event as the bytes Intrro sends."""
    return json.dumps(event).encode()


def signed_headers(
    body: bytes, at: datetime, *, secret: str = SECRET, msg_id: str = "msg_1"
) -> dict[str, str]:
    """Standard Webhooks headers for `body`, signed by the library itself."""
    signature = Webhook(secret).sign(msg_id=msg_id, timestamp=at, data=body.decode())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }
