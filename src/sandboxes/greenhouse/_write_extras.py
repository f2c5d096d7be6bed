"""Harvest v3 writes to notes, candidate tags, applied tags and custom fields."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from intrro_gateway.sandboxes.greenhouse import _bodies as b
from intrro_gateway.sandboxes.greenhouse._auth import Principal
from intrro_gateway.sandboxes.greenhouse._harvest import harvest_endpoint
from intrro_gateway.sandboxes.greenhouse._http import (
    json_response,
    path_id,
    read_body,
    sandbox_state,
)
from intrro_gateway.sandboxes.greenhouse._listing import public
from intrro_gateway.sandboxes.greenhouse.errors import InvalidFieldError

_VISIBILITY = {
    "admin_only": "admin_only_visible",
    "private": "privately_visible",
    "public": "publicly_visible",
}


@harvest_endpoint("harvest:notes:create")
async def create_note(request: Request, principal: Principal) -> Response:
    """`POST /v3/notes`; like Greenhouse, it does not check that `candidate_id` exists."""
    fields = await read_body(
        request, b.NOTE_SCHEMA, ("candidate_id", "user_id", "body", "visibility", "note_type")
    )
    state = sandbox_state(request)
    if fields["user_id"] not in state.tables["users"]:
        raise InvalidFieldError("user_id", f"user {fields['user_id']} does not exist")
    note = state.insert(
        "notes",
        {
            "candidate_id": fields["candidate_id"],
            "application_id": fields.get("application_id"),
            "user_id": fields["user_id"],
            "body": fields["body"],
            "visibility": _VISIBILITY[fields["visibility"]],
            "type": "NOTE",
        },
    )
    return json_response(public(note, None), 201)


@harvest_endpoint("harvest:candidate_tags:create")
async def create_candidate_tag(request: Request, principal: Principal) -> Response:
    """`POST /v3/candidate_tags {name}`: 201 when new, 200 with the existing tag (any casing)."""
    fields = await read_body(request, {"name": b.TEXT}, ("name",))
    state = sandbox_state(request)
    wanted = fields["name"].casefold()
    for tag in state.tables["candidate_tags"].values():
        if str(tag["name"]).casefold() == wanted:
            return json_response(public(tag, None), 200)
    return json_response(
        public(state.insert("candidate_tags", {"name": fields["name"]}), None), 201
    )


@harvest_endpoint("harvest:applied_candidate_tags:create")
async def apply_candidate_tag(request: Request, principal: Principal) -> Response:
    """`POST /v3/applied_candidate_tags {candidate_id, candidate_tag_id}` (`tag`, `tag_id` refused)."""
    schema = {"candidate_id": b.ID, "candidate_tag_id": b.ID}
    fields = await read_body(request, schema, ("candidate_id", "candidate_tag_id"))
    state = sandbox_state(request)
    candidate = state.tables["candidates"].get(fields["candidate_id"])
    tag = state.tables["candidate_tags"].get(fields["candidate_tag_id"])
    if candidate is None:
        raise InvalidFieldError(
            "candidate_id", f"candidate {fields['candidate_id']} does not exist"
        )
    if tag is None:
        raise InvalidFieldError(
            "candidate_tag_id", f"tag {fields['candidate_tag_id']} does not exist"
        )
    for row in state.tables["applied_candidate_tags"].values():
        if row["candidate_id"] == candidate["id"] and row["candidate_tag_id"] == tag["id"]:
            return json_response(public(row, None), 200)
    row = state.insert("applied_candidate_tags", dict(fields))
    candidate["tags"] = [*candidate["tags"], tag["name"]]
    state.touch(candidate)
    return json_response(public(row, None), 201)


def _name_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.casefold()).strip("_") or "field"


@harvest_endpoint("harvest:custom_fields:create")
async def create_custom_field(request: Request, principal: Principal) -> Response:
    """`POST /v3/custom_fields {name, field_type, value_type, ...}`."""
    fields = await read_body(request, b.CUSTOM_FIELD_SCHEMA, ("name", "field_type", "value_type"))
    state = sandbox_state(request)
    name_key = fields.get("name_key") or _name_key(fields["name"])
    taken = any(
        f["name_key"] == name_key and f["field_type"] == fields["field_type"]
        for f in state.tables["custom_fields"].values()
    )
    if taken:
        raise InvalidFieldError(
            "name", f"a {fields['field_type']} custom field {name_key!r} exists"
        )
    record = {
        "name": fields["name"],
        "name_key": name_key,
        "field_type": fields["field_type"],
        "value_type": fields["value_type"],
        "active": fields.get("active", True),
        "private": fields.get("private", False),
        "required": fields.get("required", False),
        "require_approval": False,
        "trigger_new_version": False,
        "api_only": fields.get("api_only", False),
        "expose_in_job_board_api": False,
        "description": fields.get("description"),
        "sort_order": len(state.tables["custom_fields"]),
        "template_token_string": f"{{{{{name_key.upper()}}}}}",
    }
    return json_response(public(state.insert("custom_fields", record), None), 201)


@harvest_endpoint("harvest:custom_fields:update")
async def patch_custom_field(request: Request, principal: Principal) -> Response:
    """`PATCH /v3/custom_fields/{id}` (name, description, flags)."""
    keys = ("name", "description", "private", "required", "api_only", "active")
    fields = await read_body(request, {k: b.CUSTOM_FIELD_SCHEMA[k] for k in keys})
    state = sandbox_state(request)
    record = state.get("custom_fields", path_id(request))
    record.update(fields)
    state.touch(record)
    return json_response(public(record, None))


def extra_write_routes() -> list[Route]:
    """The note, tag and custom field write routes."""
    return [
        Route("/v3/notes", create_note, methods=["POST"]),
        Route("/v3/candidate_tags", create_candidate_tag, methods=["POST"]),
        Route("/v3/applied_candidate_tags", apply_candidate_tag, methods=["POST"]),
        Route("/v3/custom_fields", create_custom_field, methods=["POST"]),
        Route("/v3/custom_fields/{id}", patch_custom_field, methods=["PATCH"]),
    ]
