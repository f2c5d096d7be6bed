"""Contact (person) writes: update the shared fields, delete the person with every opportunity.

Lever's reference documents `PUT /contacts/:id` ("Update a contact": name, headline, location, emails,
phones; the fields sent replace the contact's, the others stay) [NANGO update-contact, quoting
hire.lever.co/developer/documentation#update-a-contact], and the `contactUpdated` web hook
[L-HELP-WH]. A person deleted in Lever's UI goes with all their opportunities: one
`candidateDeleted` per opportunity.
"""

from __future__ import annotations

from typing import Any

from intrro_gateway.sandboxes.lever import _opportunities as ops
from intrro_gateway.sandboxes.lever._webhooks import DeliveryOptions
from intrro_gateway.sandboxes.lever.errors import InvalidFieldError
from intrro_gateway.sandboxes.lever.state import Record, SandboxState

CONTACT_FIELDS = ("name", "headline", "location", "emails", "phones")


def contact_view(contact: Record) -> dict[str, Any]:
    """A contact as `GET /contacts/:id` shows it."""
    return {
        "id": contact["id"],
        "name": contact["name"],
        "headline": contact["headline"],
        "isAnonymized": contact["isAnonymized"],
        "location": dict(contact["location"]) if contact["location"] else None,
        "emails": list(contact["emails"]),
        "phones": [dict(p) for p in contact["phones"]],
    }


def update_contact(
    state: SandboxState,
    contact_id: str,
    fields: dict[str, Any],
    options: DeliveryOptions | None = None,
) -> tuple[Record, list[str]]:
    """Replace the fields given; fires `contactUpdated` (nothing when nothing changed)."""
    contact = state.get("contacts", contact_id)
    before = contact_view(contact)
    if "name" in fields:
        if not fields["name"].strip():
            raise InvalidFieldError("name", "cannot be empty")
        contact["name"] = fields["name"].strip()
    if "headline" in fields:
        contact["headline"] = fields["headline"]
    if "location" in fields:
        location = fields["location"]
        name = location.get("name") if isinstance(location, dict) else location
        contact["location"] = {"name": name} if name else None
    if "emails" in fields:
        if not fields["emails"]:
            raise InvalidFieldError("emails", "a contact keeps at least one e-mail address")
        contact["emails"] = list(dict.fromkeys(e.strip() for e in fields["emails"]))
    if "phones" in fields:
        contact["phones"] = [
            {"type": p.get("type", "other"), "value": p["value"]} for p in fields["phones"]
        ]
    if contact_view(contact) == before:
        return contact, []
    stamp = state.clock.stamp()
    event_ids = state.webhooks.fire(
        "contactUpdated",
        {"contactId": contact_id},
        origin=None,
        triggered_at=stamp,
        options=options,
    )
    return contact, event_ids


def delete_contact(
    state: SandboxState,
    contact_id: str,
    performer_id: str,
    options: DeliveryOptions | None = None,
) -> list[str]:
    """Delete the person: each of their opportunities (`candidateDeleted` each), then the contact."""
    state.get("contacts", contact_id)
    mine = sorted(
        (o for o in state.tables["opportunities"].values() if o["contact"] == contact_id),
        key=lambda o: o["_seq"],
    )
    event_ids: list[str] = []
    for opportunity in mine:
        event_ids += ops.delete_opportunity(state, opportunity["id"], performer_id, options)
    del state.tables["contacts"][contact_id]
    return event_ids
