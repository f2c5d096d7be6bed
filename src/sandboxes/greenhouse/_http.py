"""Greenhouse-shaped HTTP answers shared by the sandbox's routes."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from intrro_gateway.sandboxes.greenhouse import _bodies
from intrro_gateway.sandboxes.greenhouse.errors import (
    InvalidFieldError,
    InvalidStateError,
    SandboxError,
    UnknownRecordError,
)
from intrro_gateway.sandboxes.greenhouse.state import SandboxState


def sandbox_state(request: Request) -> SandboxState:
    """The state of the app serving this request."""
    state: SandboxState = request.app.state.sandbox
    return state


def json_response(
    data: Any, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A JSON answer."""
    return JSONResponse(data, status_code=status_code, headers=headers)


def no_content() -> Response:
    """`204` with no body."""
    return Response(status_code=204)


def unauthorized() -> Response:
    """`401` for a missing, unknown or expired bearer token."""
    return json_response({"message": "Unauthorized"}, 401)


def forbidden(reason: str) -> Response:
    """`403` for a missing scope or a list call by a user who is not a site admin."""
    return json_response({"message": "Forbidden", "errors": [reason]}, 403)


def not_found(what: str | None = None) -> Response:
    """`404`; only a handler that looked something up names it (`errors`)."""
    body: dict[str, Any] = {"message": "Resource not found"}
    if what is not None:
        body["errors"] = [what]
    return json_response(body, 404)


def query_error(message: str) -> Response:
    """`422` for a bad query parameter or cursor."""
    return json_response({"errors": [message]}, 422)


def validation_error(message: str, field: str | None = None) -> Response:
    """`422` for a write Greenhouse refuses."""
    error: dict[str, str] = {"message": message}
    if field is not None:
        error["field"] = field
    return json_response({"message": "Validation error", "errors": [error]}, 422)


def error_response(exc: SandboxError) -> Response:
    """The answer for an error a state change raised."""
    if isinstance(exc, UnknownRecordError):
        return not_found(str(exc))
    if isinstance(exc, InvalidFieldError):
        return validation_error(exc.message, exc.field)
    if isinstance(exc, InvalidStateError):
        return validation_error(str(exc))
    return validation_error(str(exc))


def path_id(request: Request) -> int:
    """The `{id}` of the path as an integer (-1, which names no record, when it is not digits)."""
    raw = str(request.path_params["id"])
    if not raw.isascii() or not raw.isdigit():
        return -1
    return int(raw)


async def read_body(
    request: Request, schema: dict[str, _bodies.Kind], required: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The JSON body after the strict field checks (raises InvalidFieldError)."""
    return _bodies.check_fields(_bodies.parse_json_object(await request.body()), schema, required)
