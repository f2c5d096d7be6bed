"""Harvest v3 writes: candidates, applications (and their actions), notes, tags, custom fields."""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adapters.greenhouse.sandbox import _bodies as b
from adapters.greenhouse.sandbox import _people, _pipeline
from adapters.greenhouse.sandbox._auth import Principal
from adapters.greenhouse.sandbox._harvest import harvest_endpoint
from adapters.greenhouse.sandbox._http import json_response, no_content, not_found, sandbox_state
from adapters.greenhouse.sandbox._listing import public
from adapters.greenhouse.sandbox.errors import InvalidFieldError, InvalidStateError

_VISIBILITY = {
    "admin_only": "admin_only_visible",
    "private": "privately_visible",
    "public": "publicly_visible",
}


def _path_id(request: Request) -> int:
    raw = str(request.path_params["id"])
    if not raw.isascii() or not raw.isdigit():
        return -1
    return int(raw)


async def _body(
    request: Request, schema: dict[str, b.Kind], required: tuple[str, ...] = ()
) -> dict[str, Any]:
    return b.check_fields(b.parse_json_object(await request.body()), schema, required)


def _application_request(fields: dict[str, Any]) -> _people.ApplicationRequest:
    return _people.ApplicationRequest(
        job_id=fields.get("job_id"),
        source_id=fields.get("source_id"),
        referrer_id=fields.get("referrer_id"),
        recruiter_id=fields.get("recruiter_id"),
        coordinator_id=fields.get("coordinator_id"),
        initial_stage_id=fields.get("initial_stage_id"),
        prospect=bool(fields.get("prospect", False)),
        job_ids=tuple(fields.get("job_ids", ())),
    )


@harvest_endpoint("harvest:candidates:create")
async def create_candidate(request: Request, principal: Principal) -> Response:
    """`POST /v3/candidates`, with at most one nested `application`."""
    schema = {**b.CANDIDATE_SCHEMA, "application": b.OBJECT}
    fields = await _body(request, schema, ("first_name", "last_name"))
    nested = fields.pop("application", None)
    application = None
    if nested is not None:
        application = _application_request(b.check_fields(nested, b.APPLICATION_SCHEMA))
    state = sandbox_state(request)
    candidate, created, _ = _people.create_candidate(state, fields, application)
    return json_response(
        {
            "candidate": public(candidate, None),
            "application": public(created, None) if created else None,
        },
        201,
    )


@harvest_endpoint("harvest:candidates:update")
async def patch_candidate(request: Request, principal: Principal) -> Response:
    """`PATCH /v3/candidates/{id}`: arrays sent replace the stored ones."""
    fields = await _body(request, b.CANDIDATE_SCHEMA)
    candidate, _ = _people.patch_candidate(sandbox_state(request), _path_id(request), fields)
    return json_response(public(candidate, None))


@harvest_endpoint("harvest:candidates:destroy")
async def delete_candidate(request: Request, principal: Principal) -> Response:
    """`DELETE /v3/candidates/{id}`."""
    _people.delete_candidate(sandbox_state(request), _path_id(request))
    return no_content()


@harvest_endpoint("harvest:candidates:merge")
async def merge_candidate(request: Request, principal: Principal) -> Response:
    """`POST /v3/candidates/{id}/merge {secondary_candidate_id}`: the secondary merges into `{id}`."""
    fields = await _body(request, {"secondary_candidate_id": b.ID}, ("secondary_candidate_id",))
    _people.merge_candidates(
        sandbox_state(request), fields["secondary_candidate_id"], _path_id(request)
    )
    return no_content()


@harvest_endpoint("harvest:applications:create")
async def create_application(request: Request, principal: Principal) -> Response:
    """`POST /v3/applications` for an existing candidate."""
    schema = {**b.APPLICATION_SCHEMA, "candidate_id": b.ID}
    fields = await _body(request, schema, ("candidate_id",))
    candidate_id = fields.pop("candidate_id")
    state = sandbox_state(request)
    if candidate_id not in state.tables["candidates"]:
        raise InvalidFieldError("candidate_id", f"candidate {candidate_id} does not exist")
    application, _ = _people.create_application(state, candidate_id, _application_request(fields))
    return json_response(public(application, None), 201)


@harvest_endpoint("harvest:applications:update")
async def patch_application(request: Request, principal: Principal) -> Response:
    """`PATCH /v3/applications/{id}`."""
    fields = await _body(request, b.APPLICATION_PATCH_SCHEMA)
    application, _ = _people.patch_application(sandbox_state(request), _path_id(request), fields)
    return json_response(public(application, None))


@harvest_endpoint("harvest:applications:destroy")
async def delete_application(request: Request, principal: Principal) -> Response:
    """`DELETE /v3/applications/{id}`."""
    _people.delete_application(sandbox_state(request), _path_id(request))
    return no_content()


@harvest_endpoint("harvest:applications:move")
async def move_application(request: Request, principal: Principal) -> Response:
    """`POST /v3/applications/{id}/move {from_stage_id, to_stage_id?}` (no `to_stage_id`: advance)."""
    schema = {"from_stage_id": b.ID, "to_stage_id": b.OPTIONAL_ID}
    fields = await _body(request, schema, ("from_stage_id",))
    state = sandbox_state(request)
    application = state.get("applications", _path_id(request))
    here = _pipeline.current_stage(state, application)
    if fields["from_stage_id"] not in (application["stage_id"], here["id"] if here else None):
        raise InvalidStateError("from_stage_id is not the application's current stage")
    _pipeline.move(state, application["id"], fields.get("to_stage_id"))
    return no_content()


@harvest_endpoint("harvest:applications:reject")
async def reject_application(request: Request, principal: Principal) -> Response:
    """`POST /v3/applications/{id}/reject {rejection_reason_id, notes?, rejection_email?}`."""
    schema = {"rejection_reason_id": b.ID, "notes": b.OPTIONAL_STRING, "rejection_email": b.OBJECT}
    fields = await _body(request, schema, ("rejection_reason_id",))
    _pipeline.reject(
        sandbox_state(request),
        _path_id(request),
        rejection_reason_id=fields["rejection_reason_id"],
        rejected_by_id=principal.user_id,
    )
    return no_content()


@harvest_endpoint("harvest:applications:unreject")
async def unreject_application(request: Request, principal: Principal) -> Response:
    """`POST /v3/applications/{id}/unreject {}`."""
    await _body(request, {})
    _pipeline.unreject(sandbox_state(request), _path_id(request))
    return no_content()


@harvest_endpoint("harvest:applications:hire")
async def hire_application(request: Request, principal: Principal) -> Response:
    """`POST /v3/applications/{id}/hire {start_date?, opening_id?, close_reason_id?}`."""
    schema = {"start_date": b.STRING, "opening_id": b.OPTIONAL_ID, "close_reason_id": b.OPTIONAL_ID}
    await _body(request, schema)
    _pipeline.hire(sandbox_state(request), _path_id(request))
    return no_content()


@harvest_endpoint("harvest:notes:create")
async def create_note(request: Request, principal: Principal) -> Response:
    """`POST /v3/notes`; like Greenhouse, it does not check that `candidate_id` exists."""
    fields = await _body(
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
    fields = await _body(request, {"name": b.TEXT}, ("name",))
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
    fields = await _body(request, schema, ("candidate_id", "candidate_tag_id"))
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
    fields = await _body(request, b.CUSTOM_FIELD_SCHEMA, ("name", "field_type", "value_type"))
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
    fields = await _body(request, {k: b.CUSTOM_FIELD_SCHEMA[k] for k in keys})
    state = sandbox_state(request)
    record = state.get("custom_fields", _path_id(request))
    record.update(fields)
    state.touch(record)
    return json_response(public(record, None))


async def _missing(request: Request) -> Response:
    return not_found()


def write_routes() -> list[Route]:
    """The write routes."""
    return [
        Route("/v3/candidates", create_candidate, methods=["POST"]),
        Route("/v3/candidates/{id}", patch_candidate, methods=["PATCH"]),
        Route("/v3/candidates/{id}", delete_candidate, methods=["DELETE"]),
        Route("/v3/candidates/{id}/merge", merge_candidate, methods=["POST"]),
        Route("/v3/applications", create_application, methods=["POST"]),
        Route("/v3/applications/{id}", patch_application, methods=["PATCH"]),
        Route("/v3/applications/{id}", delete_application, methods=["DELETE"]),
        Route("/v3/applications/{id}/move", move_application, methods=["POST"]),
        Route("/v3/applications/{id}/reject", reject_application, methods=["POST"]),
        Route("/v3/applications/{id}/unreject", unreject_application, methods=["POST"]),
        Route("/v3/applications/{id}/hire", hire_application, methods=["POST"]),
        Route("/v3/notes", create_note, methods=["POST"]),
        Route("/v3/candidate_tags", create_candidate_tag, methods=["POST"]),
        Route("/v3/applied_candidate_tags", apply_candidate_tag, methods=["POST"]),
        Route("/v3/custom_fields", create_custom_field, methods=["POST"]),
        Route("/v3/custom_fields/{id}", patch_custom_field, methods=["PATCH"]),
    ]
