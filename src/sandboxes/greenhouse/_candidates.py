"""Candidate records: create (with at most one application), patch, merge and delete."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from intrro_gateway.sandboxes.greenhouse import _applications, _payloads
from intrro_gateway.sandboxes.greenhouse._applications import drop_application_rows
from intrro_gateway.sandboxes.greenhouse._custom_fields import resolve_custom_fields
from intrro_gateway.sandboxes.greenhouse._webhooks import DeliveryOptions
from intrro_gateway.sandboxes.greenhouse.errors import InvalidStateError
from intrro_gateway.sandboxes.greenhouse.state import Record, SandboxState


def _set_tags(state: SandboxState, candidate: Record, names: Sequence[str]) -> None:
    tags = state.tables["candidate_tags"]
    applied = state.tables["applied_candidate_tags"]
    for stale in [a for a in applied.values() if a["candidate_id"] == candidate["id"]]:
        del applied[stale["id"]]
    for name in names:
        tag = next((t for t in tags.values() if t["name"] == name), None)
        if tag is None:
            tag = state.insert("candidate_tags", {"name": name})
        state.insert(
            "applied_candidate_tags",
            {"candidate_id": candidate["id"], "candidate_tag_id": tag["id"]},
        )
    candidate["tags"] = list(dict.fromkeys(names))


def _apply_candidate_fields(
    state: SandboxState, candidate: Record, fields: Mapping[str, Any], custom: dict[str, Any]
) -> None:
    for name, value in fields.items():
        if name == "custom_fields":
            candidate["custom_fields"] = {**candidate["custom_fields"], **custom}
        elif name == "tags":
            _set_tags(state, candidate, value)
        else:
            candidate[name] = value


def create_candidate(
    state: SandboxState,
    fields: Mapping[str, Any],
    application: _applications.ApplicationRequest | None,
    options: DeliveryOptions | None = None,
) -> tuple[Record, Record | None, list[str]]:
    """Add a candidate (and at most one application); fires `new_*_application` for the latter."""
    if application is not None:
        _applications.check_application(state, application)
    custom = resolve_custom_fields(state, "candidate", fields.get("custom_fields", []))
    candidate = state.insert(
        "candidates",
        {
            "first_name": "",
            "last_name": "",
            "preferred_name": None,
            "company": None,
            "title": None,
            "private": False,
            "can_email": True,
            "email_addresses": [],
            "phone_numbers": [],
            "addresses": [],
            "website_addresses": [],
            "social_media_addresses": [],
            "tags": [],
            "linked_user_ids": [],
            "time_zone": None,
            "custom_fields": {},
            "last_activity_at": state.clock.stamp(),
        },
    )
    _apply_candidate_fields(state, candidate, fields, custom)
    if application is None:
        return candidate, None, []
    created, event_ids = _applications.create_application(
        state, candidate["id"], application, options
    )
    return candidate, created, event_ids


def patch_candidate(
    state: SandboxState,
    candidate_id: int,
    fields: Mapping[str, Any],
    options: DeliveryOptions | None = None,
) -> tuple[Record, list[str]]:
    """Change a candidate's fields (arrays are replaced); fires `update_candidate`."""
    candidate = state.get("candidates", candidate_id)
    custom = resolve_custom_fields(state, "candidate", fields.get("custom_fields", []))
    _apply_candidate_fields(state, candidate, fields, custom)
    state.touch(candidate, "last_activity_at")
    event_ids = state.webhooks.fire(
        "update_candidate", {"candidate": _payloads.candidate_payload(state, candidate)}, options
    )
    return candidate, event_ids


def delete_candidate(
    state: SandboxState, candidate_id: int, options: DeliveryOptions | None = None
) -> list[str]:
    """Destroy a candidate and its applications; fires `delete_candidate` with `payload.person`."""
    candidate = state.get("candidates", candidate_id)
    application_ids = sorted(
        a["id"] for a in state.tables["applications"].values() if a["candidate_id"] == candidate_id
    )
    for application_id in application_ids:
        drop_application_rows(state, application_id)
    _set_tags(state, candidate, [])
    del state.tables["candidates"][candidate_id]
    payload = {"person": _payloads.person_payload(candidate, application_ids)}
    return state.webhooks.fire("delete_candidate", payload, options)


def merge_candidates(
    state: SandboxState,
    from_candidate_id: int,
    into_candidate_id: int,
    options: DeliveryOptions | None = None,
) -> list[str]:
    """Merge one candidate into another; fires `merge_candidate`.

    Its applications move over, except one on a job the survivor already has an application for:
    that duplicate is merged into the survivor's and destroyed, firing the flat `delete_application`
    first (Greenhouse fires it when "two duplicates on the same job" are merged).
    """
    if from_candidate_id == into_candidate_id:
        raise InvalidStateError("a candidate cannot be merged into itself")
    loser = state.get("candidates", from_candidate_id)
    winner = state.get("candidates", into_candidate_id)
    applications = state.tables["applications"]
    kept_jobs = {
        a["job_id"] for a in applications.values() if a["candidate_id"] == into_candidate_id
    }
    event_ids: list[str] = []
    for application in [a for a in applications.values() if a["candidate_id"] == from_candidate_id]:
        if application["job_id"] is not None and application["job_id"] in kept_jobs:
            event_ids += _applications.delete_application(state, application["id"], options)
        else:
            application["candidate_id"] = into_candidate_id
            state.touch(application)
    merged_tags = list(dict.fromkeys([*winner["tags"], *loser["tags"]]))
    _set_tags(state, loser, [])
    _set_tags(state, winner, merged_tags)
    del state.tables["candidates"][from_candidate_id]
    state.touch(winner, "last_activity_at")
    person = _payloads.person_payload(loser, [], new_candidate_id=into_candidate_id)
    return event_ids + state.webhooks.fire("merge_candidate", {"person": person}, options)
