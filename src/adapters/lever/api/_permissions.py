"""The Lever endpoints the gateway calls, each with the permission label Lever's key form shows.

A Lever API key carries per-endpoint permissions ticked by the Super Admin who made it. Each one is
probed without changing anything: reads with `limit=1`; writes against an id that cannot exist (or
with a body Lever must refuse), so that a key with the permission answers 400/404 and one without 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

NO_SUCH_ID: Final = "00000000-0000-4000-8000-000000000000"


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One endpoint of the report: what it covers, whether it is required, how to probe it."""

    endpoint: str  # "GET /opportunities", the report's `scope`
    covers: tuple[str, ...]
    required: bool
    method: str
    path: str
    body: dict[str, Any] | None = None


ENDPOINTS: Final[tuple[Endpoint, ...]] = (
    Endpoint("GET /users", ("Users: list users",), True, "GET", "/users"),
    Endpoint("GET /postings", ("Postings: list postings",), True, "GET", "/postings"),
    Endpoint("GET /stages", ("Stages: list stages",), True, "GET", "/stages"),
    Endpoint(
        "GET /archive_reasons",
        ("Archive reasons: list archive reasons",),
        True,
        "GET",
        "/archive_reasons",
    ),
    Endpoint(
        "GET /opportunities",
        ("Opportunities: list opportunities", "Opportunities: retrieve a single opportunity"),
        True,
        "GET",
        "/opportunities",
    ),
    Endpoint(
        "POST /opportunities",
        ("Opportunities: create an opportunity",),
        True,
        "POST",
        "/opportunities",
        {"postings": [NO_SUCH_ID]},
    ),
    Endpoint(
        "GET /opportunities/:id/notes",
        ("Notes: list notes",),
        True,
        "GET",
        f"/opportunities/{NO_SUCH_ID}/notes",
    ),
    Endpoint(
        "POST /opportunities/:id/notes",
        ("Notes: create a note",),
        True,
        "POST",
        f"/opportunities/{NO_SUCH_ID}/notes",
        {"value": ""},
    ),
    Endpoint(
        "POST /opportunities/:id/addTags",
        ("Opportunities: update tags",),
        True,
        "POST",
        f"/opportunities/{NO_SUCH_ID}/addTags",
        {"tags": []},
    ),
    Endpoint(
        "PUT /contacts/:id",
        ("Contacts: update a contact",),
        False,
        "PUT",
        f"/contacts/{NO_SUCH_ID}",
        {},
    ),
    Endpoint("GET /webhooks", ("Webhooks: list webhooks",), False, "GET", "/webhooks"),
    Endpoint(
        "POST /webhooks",
        ("Webhooks: create a webhook",),
        False,
        "POST",
        "/webhooks",
        {"event": "", "url": ""},
    ),
    Endpoint(
        "DELETE /webhooks/:id",
        ("Webhooks: delete a webhook",),
        False,
        "DELETE",
        f"/webhooks/{NO_SUCH_ID}",
    ),
)

WEBHOOK_ENDPOINTS: Final = frozenset({"GET /webhooks", "POST /webhooks"})


def permission_steps(endpoint: str) -> tuple[str, ...]:
    """How a Super Admin grants one endpoint to the key."""
    label = next((", ".join(e.covers) for e in ENDPOINTS if e.endpoint == endpoint), endpoint)
    return (
        "In Lever, as a Super Admin: Settings, then Integrations and API, then API Credentials",
        "Edit the key the gateway uses (or generate a new one)",
        f"Tick the endpoint permission {label} ({endpoint}) and save",
        "Connect again (the report is checked anew)",
    )
