"""Harvest v3 writes to candidates and applications (and the application actions)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from intrro_gateway.sandboxes.greenhouse import _applications, _candidates, _pipeline
from intrro_gateway.sandboxes.greenhouse import _bodies as b
from intrro_gateway.sandboxes.greenhouse._auth import Principal
from intrro_gateway.sandboxes.greenhouse._harvest import harvest_endpoint
from intrro_gateway.sandboxes.greenhouse._http import (
    json_response,
    no_content,
    path_id,
    read_body,
    sandbox_state,
)
from intrro_gateway.sandboxes.greenhouse._listing import public
from intrro_gateway.sandboxes.greenhouse.errors import InvalidFieldError, InvalidStateError


def _application_request(fields: dict[str, Any]) -> _applications.ApplicationRequest:
    return _applications.ApplicationRequest(
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
    fields = await read_body(request, schema, ("first_name", "last_name"))
    nested = fields.pop("application", None)
    application = None
    if nested is not None:
        application = _application_request(b.check_fields(nested, b.APPLICATION_SCHEMA))
    state = sandbox_state(request)
    candidate, created, _ = _candidates.create_candidate(state, fields, application)
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
    fields = await read_body(request, b.CANDIDATE_SCHEMA)
    candidate, _ = _candidates.patch_candidate(sandbox_state(request), path_id(request), fields)
    return json_response(public(candidate, None))


@harvest_endpoint("harvest:candidates:destroy")
async def delete_candidate(request: Request, principal: Principal) -> Response:
    """`DELETE /v3/candidates/{id}`."""
    _candidates.delete_candidate(sandbox_state(request), path_id(request))
    return no_content()


@harvest_endpoint("harvest:candidates:merge")
async def merge_candidate(request: Request, principal: Principal) -> Response:
    """`POST /v3/candidates/{id}/merge {secondary_candidate_id}`: the secondary merges into `{id}`."""
    fields = await read_body(request, {"secondary_candidate_id": b.ID}, ("secondary_candidate_id",))
    _candidates.merge_candidates(
        sandbox_state(request), fields["secondary_candidate_id"], path_id(request)
    )
    return no_content()


@harvest_endpoint("harvest:applications:create")
async def create_application(request: Request, principal: Principal) -> Response:
    """`POST /v3/applications` for an existing candidate."""
    schema = {**b.APPLICATION_SCHEMA, "candidate_id": b.ID}
    fields = await read_body(request, schema, ("candidate_id",))
    candidate_id = fields.pop("candidate_id")
    state = sandbox_state(request)
    if candidate_id not in state.tables["candidates"]:
        raise InvalidFieldError("candidate_id", f"candidate {candidate_id} does not exist")
    application, _ = _applications.create_application(
        state, candidate_id, _application_request(fields)
    )
    return json_response(public(application, None), 201)


@harvest_endpoint("harvest:applications:update")
async def patch_application(request: Request, principal: Principal) -> Response:
    """`PATCH /v3/applications/{id}`."""
    fields = await read_body(request, b.APPLICATION_PATCH_SCHEMA)
    application, _ = _applications.patch_application(
        sandbox_state(request), path_id(request), fields
    )
    return json_response(public(application, None))


@harvest_endpoint("harvest:applications:destroy")
async def delete_application(request: Request, principal: Principal) -> Response:
    """`DELETE /v3/applications/{id}`."""
    _applications.delete_application(sandbox_state(request), path_id(request))
    return no_content()


@harvest_endpoint("harvest:applications:move")
async def move_application(request: Request, principal: Principal) -> Response:
    """`POST /v3/applications/{id}/move {from_stage_id, to_stage_id?}` (no `to_stage_id`: advance)."""
    schema = {"from_stage_id": b.ID, "to_stage_id": b.OPTIONAL_ID}
    fields = await read_body(request, schema, ("from_stage_id",))
    state = sandbox_state(request)
    application = state.get("applications", path_id(request))
    here = _pipeline.current_stage(state, application)
    if fields["from_stage_id"] not in (application["stage_id"], here["id"] if here else None):
        raise InvalidStateError("from_stage_id is not the application's current stage")
    _pipeline.move(state, application["id"], fields.get("to_stage_id"))
    return no_content()


@harvest_endpoint("harvest:applications:reject")
async def reject_application(request: Request, principal: Principal) -> Response:
    """`POST /v3/applications/{id}/reject {rejection_reason_id, notes?, rejection_email?}`."""
    schema = {"rejection_reason_id": b.ID, "notes": b.OPTIONAL_STRING, "rejection_email": b.OBJECT}
    fields = await read_body(request, schema, ("rejection_reason_id",))
    _pipeline.reject(
        sandbox_state(request),
        path_id(request),
        rejection_reason_id=fields["rejection_reason_id"],
        rejected_by_id=principal.user_id,
    )
    return no_content()


@harvest_endpoint("harvest:applications:unreject")
async def unreject_application(request: Request, principal: Principal) -> Response:
    """`POST /v3/applications/{id}/unreject {}`."""
    await read_body(request, {})
    _pipeline.unreject(sandbox_state(request), path_id(request))
    return no_content()


@harvest_endpoint("harvest:applications:hire")
async def hire_application(request: Request, principal: Principal) -> Response:
    """`POST /v3/applications/{id}/hire {start_date?, opening_id?, close_reason_id?}`."""
    schema = {"start_date": b.STRING, "opening_id": b.OPTIONAL_ID, "close_reason_id": b.OPTIONAL_ID}
    await read_body(request, schema)
    _pipeline.hire(sandbox_state(request), path_id(request))
    return no_content()


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
    ]
