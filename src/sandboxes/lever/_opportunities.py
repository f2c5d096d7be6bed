"""Opportunity writes: create (with Lever's e-mail de-duplication), stage, archive, hire, delete,
tags/links/sources and notes; each change fires the web hook Lever fires for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from intrro_gateway.sandboxes.lever import _bodies as b
from intrro_gateway.sandboxes.lever._webhooks import DeliveryOptions
from intrro_gateway.sandboxes.lever.errors import (
    InvalidFieldError,
    InvalidStateError,
    UnknownRecordError,
)
from intrro_gateway.sandboxes.lever.state import Record, SandboxState

CLOSED_POSTING_STATES = ("closed", "draft", "pending", "rejected")
LIST_FIELDS = ("tags", "links", "sources")


@dataclass
class CreateRequest:
    """A checked `POST /opportunities` body and who it is performed as."""

    performer_id: str
    fields: dict[str, Any] = field(default_factory=dict)


def _ids(opportunity: Record) -> dict[str, Any]:
    return {
        "opportunityId": opportunity["id"],
        "candidateId": opportunity["id"],
        "contactId": opportunity["contact"],
    }


def _fire(
    state: SandboxState,
    event: str,
    opportunity: Record,
    data: dict[str, Any],
    stamp: int,
    options: DeliveryOptions | None,
) -> list[str]:
    return state.webhooks.fire(
        event,
        {**_ids(opportunity), **data},
        origin=opportunity.get("origin"),
        triggered_at=stamp,
        options=options,
    )


def _user_field(state: SandboxState, name: str, user_id: str) -> str:
    if state.active_user(user_id) is None:
        raise InvalidFieldError(name, f"{user_id} is not an active user of this account")
    return user_id


def _stage_index(state: SandboxState, stage_id: str) -> int:
    order = [s["id"] for s in sorted(state.tables["stages"].values(), key=lambda s: s["_seq"])]
    return order.index(stage_id)


def _find_contact(state: SandboxState, emails: list[str]) -> Record | None:
    wanted = {e.strip().casefold() for e in emails}
    for contact in sorted(state.tables["contacts"].values(), key=lambda c: c["_seq"]):
        if any(e.casefold() in wanted for e in contact["emails"]):
            return contact
    return None


def _merge_unique(first: list[Any], more: list[Any]) -> list[Any]:
    merged = list(first)
    for value in more:
        if value not in merged:
            merged.append(value)
    return merged


def _posting(state: SandboxState, fields: dict[str, Any]) -> Record | None:
    postings = fields.get("postings") or []
    if not postings:
        return None
    posting = state.tables["postings"].get(postings[0])
    if posting is None:
        raise InvalidFieldError("postings", f"posting {postings[0]} does not exist")
    if posting["state"] in CLOSED_POSTING_STATES:
        raise InvalidFieldError("postings", f"posting {posting['id']} is {posting['state']}")
    return posting


def _contact(state: SandboxState, fields: dict[str, Any]) -> tuple[Record, bool]:
    emails: list[str] = fields.get("emails", [])
    phones: list[dict[str, str]] = [
        {"type": p.get("type", "other"), "value": p["value"]} for p in fields.get("phones", [])
    ]
    if "contact" in fields:
        contact = state.tables["contacts"].get(fields["contact"])
        if contact is None:
            raise InvalidFieldError("contact", f"contact {fields['contact']} does not exist")
        found: Record | None = contact
    else:
        found = _find_contact(state, emails) if emails else None
    if found is not None:
        found["emails"] = _merge_unique(found["emails"], emails)
        found["phones"] = _merge_unique(found["phones"], phones)
        return found, True
    if "name" not in fields and not emails:
        raise InvalidFieldError("name", "is required when no emails are given")
    location = fields.get("location", "")
    contact = state.insert(
        "contacts",
        {
            "name": fields.get("name") or emails[0],
            "headline": fields.get("headline", ""),
            "isAnonymized": False,
            "location": {"name": location} if location else None,
            "emails": list(emails),
            "phones": phones,
        },
        stamps=False,
    )
    return contact, False


def _archived_on_create(state: SandboxState, fields: dict[str, Any]) -> dict[str, Any] | None:
    """`archived` on create: a reason is needed (without one Lever ignores `archivedAt`); an
    `archivedAt` needs a `createdAt` before it."""
    if "archived" not in fields:
        return None
    checked = b.check_fields(fields["archived"], b.CREATE_ARCHIVED_SCHEMA)
    if "reason" not in checked:
        return None
    _reason(state, checked["reason"])
    archived_at = checked.get("archivedAt")
    if archived_at is not None:
        created = fields.get("createdAt")
        if created is None or created >= archived_at:
            raise InvalidFieldError("archived", "archivedAt needs a createdAt before it")
        if archived_at > state.clock.now_ms():
            raise InvalidFieldError("archived", "archivedAt cannot be in the future")
    return {"reason": checked["reason"], "archivedAt": archived_at}


def create_opportunity(
    state: SandboxState,
    request: CreateRequest,
    options: DeliveryOptions | None = None,
) -> tuple[Record, bool, list[str]]:
    """Create one opportunity (with one application when a posting is given); returns it, whether
    Lever de-duplicated the person onto an existing contact, and the web hook event ids."""
    fields = request.fields
    performer = request.performer_id
    posting = _posting(state, fields)
    stage_id = fields.get("stage", "lead-new")
    if stage_id not in state.tables["stages"]:
        raise InvalidFieldError("stage", f"stage {stage_id} does not exist")
    owner = _user_field(state, "owner", fields.get("owner", performer))
    followers = [_user_field(state, "followers", f) for f in fields.get("followers", [])]
    now = state.clock.now_ms()
    if fields.get("createdAt", 0) > now:
        raise InvalidFieldError("createdAt", "an opportunity cannot be created in the future")
    archived = _archived_on_create(state, fields)
    contact, deduped = _contact(state, fields)
    stamp = state.clock.stamp()
    created = fields.get("createdAt", stamp)
    if archived is not None and archived["archivedAt"] is None:
        archived["archivedAt"] = stamp
    tags = list(fields.get("tags", []))
    if posting is not None:
        categories = posting["categories"]
        automatic = [posting["text"], categories["department"], categories["team"]]
        automatic += [categories["location"], categories["commitment"]]
        tags = _merge_unique(tags, [t for t in automatic if t])
        followers = _merge_unique(list(posting["followers"]), followers)
    followers = _merge_unique([performer], followers)  # "the creator will always be a follower"
    opportunity = state.insert(
        "opportunities",
        {
            "contact": contact["id"],
            "stage": stage_id,
            "confidentiality": posting["confidentiality"] if posting else "non-confidential",
            "links": _merge_unique([], fields.get("links", [])),
            "archived": archived,
            "tags": tags,
            "sources": _merge_unique([], fields.get("sources", [])),
            "stageChanges": [
                {
                    "toStageId": stage_id,
                    "toStageIndex": _stage_index(state, stage_id),
                    "updatedAt": stamp,
                    "userId": performer,
                }
            ],
            "origin": fields.get("origin", "sourced"),
            "sourcedBy": performer,
            "owner": owner,
            "followers": followers,
            "applications": [],
            "createdAt": created,
            "updatedAt": stamp,
            "lastInteractionAt": stamp,
            "lastAdvancedAt": stamp,
            "snoozedUntil": None,
            "isAnonymized": False,
            "dataProtection": None,
        },
    )
    if posting is not None:
        locations = posting["categories"]["allLocations"]
        default = locations[0] if len(locations) == 1 else "unspecified"
        opportunity["opportunityLocation"] = fields.get("opportunityLocation", default)
    opportunity["urls"] = {
        "list": f"{state.HIRE_URL}/candidates",
        "show": f"{state.HIRE_URL}/candidates/{opportunity['id']}",
    }
    event_ids: list[str] = []
    if posting is not None:
        application = state.insert(
            "applications",
            {
                "type": "user",
                "candidateId": opportunity["id"],
                "opportunityId": opportunity["id"],
                "posting": posting["id"],
                "postingHiringManager": posting["hiringManager"],
                "postingOwner": posting["owner"],
                "name": None,
                "email": None,
                "phone": None,
                "company": None,
                "links": [],
                "comments": None,
                "user": performer,
                "customQuestions": [],
                "createdAt": created,
                "archived": dict(archived) if archived else None,
                "requisitionForHire": None,
            },
            stamps=False,
        )
        opportunity["applications"].append(application["id"])
        event_ids = _fire(
            state,
            "applicationCreated",
            opportunity,
            {"applicationId": application["id"], "postingId": posting["id"]},
            stamp,
            options,
        )
    return opportunity, deduped, event_ids


def _reason(state: SandboxState, reason_id: str) -> Record:
    reason = state.tables["archive_reasons"].get(reason_id)
    if reason is None:
        raise InvalidFieldError("reason", f"archive reason {reason_id} does not exist")
    if reason["status"] != "active":
        raise InvalidFieldError("reason", f"archive reason {reason_id} is inactive")
    return reason


def _live(state: SandboxState, opportunity_id: str) -> Record:
    return state.get("opportunities", opportunity_id)


def change_stage(
    state: SandboxState,
    opportunity_id: str,
    stage_id: str,
    performer_id: str,
    options: DeliveryOptions | None = None,
) -> tuple[Record, list[str]]:
    """Move to a stage; fires `candidateStageChange` (nothing when it is already there)."""
    opportunity = _live(state, opportunity_id)
    if stage_id not in state.tables["stages"]:
        raise InvalidFieldError("stage", f"stage {stage_id} does not exist")
    before = opportunity["stage"]
    if before == stage_id:
        return opportunity, []
    stamp = state.clock.stamp()
    opportunity["stage"] = stage_id
    opportunity["stageChanges"].append(
        {
            "toStageId": stage_id,
            "toStageIndex": _stage_index(state, stage_id),
            "updatedAt": stamp,
            "userId": performer_id,
        }
    )
    opportunity.update(updatedAt=stamp, lastAdvancedAt=stamp, lastInteractionAt=stamp)
    data = {"fromStageId": before, "toStageId": stage_id}
    return opportunity, _fire(state, "candidateStageChange", opportunity, data, stamp, options)


def set_archived(
    state: SandboxState,
    opportunity_id: str,
    reason_id: str | None,
    performer_id: str,
    options: DeliveryOptions | None = None,
) -> tuple[Record, list[str]]:
    """Archive with a reason (None: unarchive); fires `candidateArchiveChange`, then `candidateHired`
    when the reason is of type `hired`. Nothing changes or fires when the state is already so."""
    opportunity = _live(state, opportunity_id)
    before = opportunity["archived"]
    if reason_id is None:
        if before is None:
            return opportunity, []
        after = None
        hired = False
    else:
        reason = _reason(state, reason_id)
        if before is not None and before["reason"] == reason_id:
            return opportunity, []
        hired = reason["type"] == "hired"
        after = {"reason": reason_id, "archivedAt": 0}
    stamp = state.clock.stamp()
    if after is not None:
        after["archivedAt"] = stamp
    opportunity["archived"] = after
    opportunity.update(updatedAt=stamp, lastInteractionAt=stamp)
    for application_id in opportunity["applications"]:
        state.tables["applications"][application_id]["archived"] = dict(after) if after else None
    data = {"fromArchived": before, "toArchived": after}
    event_ids = _fire(state, "candidateArchiveChange", opportunity, data, stamp, options)
    if hired:
        event_ids += _fire(state, "candidateHired", opportunity, {}, stamp, options)
    return opportunity, event_ids


def delete_opportunity(
    state: SandboxState,
    opportunity_id: str,
    performer_id: str,
    options: DeliveryOptions | None = None,
) -> list[str]:
    """Delete an opportunity with its applications and notes; fires `candidateDeleted`."""
    opportunity = _live(state, opportunity_id)
    stamp = state.clock.stamp()
    del state.tables["opportunities"][opportunity_id]
    for application_id in opportunity["applications"]:
        state.tables["applications"].pop(application_id, None)
    notes = state.tables["notes"]
    for note_id in [n["id"] for n in notes.values() if n["_opportunity"] == opportunity_id]:
        del notes[note_id]
    state.deleted_opportunities.append(
        {"id": opportunity_id, "deletedAt": stamp, "deletedBy": performer_id}
    )
    data = {"deletedBy": performer_id}
    return _fire(state, "candidateDeleted", opportunity, data, stamp, options)


def change_values(
    state: SandboxState, opportunity_id: str, name: str, values: list[str], *, add: bool
) -> Record:
    """Add or remove tags, links or sources (no web hook: Lever has none for these)."""
    opportunity = _live(state, opportunity_id)
    if add:
        opportunity[name] = _merge_unique(opportunity[name], values)
    else:
        opportunity[name] = [v for v in opportunity[name] if v not in values]
    opportunity["updatedAt"] = state.clock.stamp()
    return opportunity


def add_note(
    state: SandboxState, opportunity_id: str, fields: dict[str, Any], performer_id: str | None
) -> Record:
    """Add a note (`user` null when no one is performed as)."""
    opportunity = _live(state, opportunity_id)
    stamp = _note_stamp(state, fields)
    note_id = state.new_id()
    note = state.insert(
        "notes",
        {
            "id": note_id,
            "text": "Note",
            "fields": [_comment(opportunity, fields, performer_id, stamp)],
            "user": performer_id,
            "secret": fields.get("secret", False),
            "completedAt": stamp,
            "deletedAt": None,
            "createdAt": stamp,
            "noteId": note_id,
            "_opportunity": opportunity_id,
        },
        stamps=False,
    )
    opportunity.update(updatedAt=state.clock.stamp(), lastInteractionAt=stamp)
    return note


def add_comment(
    state: SandboxState,
    opportunity_id: str,
    note_id: str,
    fields: dict[str, Any],
    performer_id: str | None,
) -> Record:
    """Add a comment to an existing note of the opportunity (`POST .../notes?note_id=`)."""
    opportunity = _live(state, opportunity_id)
    note = state.tables["notes"].get(note_id)
    if note is None or note["_opportunity"] != opportunity_id:
        raise UnknownRecordError("notes", note_id)
    stamp = _note_stamp(state, fields)
    note["fields"].append(_comment(opportunity, fields, performer_id, stamp))
    opportunity.update(updatedAt=state.clock.stamp(), lastInteractionAt=stamp)
    return note


def _note_stamp(state: SandboxState, fields: dict[str, Any]) -> int:
    created = fields.get("createdAt")
    if created is not None and created > state.clock.now_ms():
        raise InvalidFieldError("createdAt", "a note cannot be created in the future")
    return int(created) if created is not None else state.clock.stamp()


def _comment(
    opportunity: Record, fields: dict[str, Any], performer_id: str | None, stamp: int
) -> dict[str, Any]:
    return {
        "createdAt": stamp,
        "score": fields.get("score"),
        "stage": opportunity["stage"],
        "text": "Comment",
        "type": "note",
        "user": performer_id,
        "value": fields["value"],
    }


def next_stage(state: SandboxState, opportunity: Record) -> str:
    """The stage after the opportunity's current one in the account's pipeline."""
    order = [str(s["id"]) for s in sorted(state.tables["stages"].values(), key=lambda s: s["_seq"])]
    position = order.index(opportunity["stage"])
    if position + 1 >= len(order):
        raise InvalidStateError("the opportunity is already on the last stage")
    return order[position + 1]
