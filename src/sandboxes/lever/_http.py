"""Lever-shaped HTTP answers and the checks every `/v1` request goes through: API key (HTTP Basic, key as
user, empty password), rate limit, injected faults, the key's endpoint permission."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from intrro_gateway.sandboxes._common.auth import parse_basic as parse_basic
from intrro_gateway.sandboxes.lever import _bodies
from intrro_gateway.sandboxes.lever._query import QueryError
from intrro_gateway.sandboxes.lever.errors import (
    ConfidentialError,
    InvalidFieldError,
    InvalidStateError,
    SandboxError,
    UnknownRecordError,
)
from intrro_gateway.sandboxes.lever.state import ApiKey, SandboxState

# Lever documents one code, `ResourceNotFound` (404); the others are named after the status titles of
# its "Responses and Errors" table.
_CODES = {
    400: "InvalidRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "ResourceNotFound",
    429: "TooManyRequests",
    500: "ServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: the API key."""

    api_key: ApiKey


Handler = Callable[[Request, Caller], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


def sandbox_state(request: Request) -> SandboxState:
    """The state of the app serving this request."""
    state: SandboxState = request.app.state.sandbox
    return state


def json_response(data: Any, status_code: int = 200) -> Response:
    """A JSON answer."""
    return JSONResponse(data, status_code=status_code)


def error(status_code: int, message: str) -> Response:
    """An error answer: `{"code", "message"}`."""
    return json_response(
        {"code": _CODES.get(status_code, "Error"), "message": message}, status_code
    )


def error_response(exc: SandboxError) -> Response:
    """The answer for an error a state change raised."""
    if isinstance(exc, UnknownRecordError):
        return error(404, str(exc))
    if isinstance(exc, ConfidentialError):
        return error(403, str(exc))
    if isinstance(exc, InvalidFieldError | InvalidStateError):
        return error(400, str(exc))
    return error(400, str(exc))


def authenticate(state: SandboxState, request: Request) -> ApiKey | None:
    """The API key of a request: Basic auth with the key as user and an empty password."""
    pair = parse_basic(request.headers.get("authorization"))
    if pair is None or pair[1] != "":
        return None
    api_key = state.api_keys.get(pair[0])
    if api_key is None or api_key.revoked:
        return None
    return api_key


async def _handle(handler: Handler, request: Request, caller: Caller) -> Response:
    try:
        return await handler(request, caller)
    except QueryError as exc:
        return error(400, str(exc))
    except SandboxError as exc:
        return error_response(exc)


def lever_endpoint(permission: str) -> Callable[[Handler], Endpoint]:
    """Wrap a handler with Lever's checks: 401, then 429, then injected faults, then 403; faults
    that let the request be handled answer after it."""

    def wrap(handler: Handler) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            state = sandbox_state(request)
            api_key = authenticate(state, request)
            if api_key is None:
                return error(401, "Invalid API key: send it as the Basic auth user, password empty")
            if not state.limiter.allow(api_key.key, state.rate_limit, state.clock.epoch()):
                state.rate_limited += 1
                return error(429, "Rate limit exceeded")
            fault = state.take_fault(request.method, request.url.path)
            kind = state.random_faults.draw() if fault is None else None
            if fault is not None and not fault.applied:
                if fault.delay_s > 0:
                    await asyncio.sleep(fault.delay_s)
                if fault.status is not None:
                    return error(fault.status, "Injected fault")
            if kind in ("429", "503"):
                return error(int(kind), "Injected fault")
            if permission not in api_key.permissions:
                response = error(403, f"This API key does not have the permission {permission}")
            else:
                request.state.api_key = api_key
                response = await _handle(handler, request, Caller(api_key))
            if fault is not None and fault.applied:
                if fault.delay_s > 0:
                    await asyncio.sleep(fault.delay_s)
                if fault.status is not None:
                    return error(fault.status, "Injected fault (the request was handled)")
            if kind == "500":
                return error(500, "Injected fault (the request was handled)")
            if kind == "timeout":
                await asyncio.sleep(state.random_faults.hold_s)
            return response

        return endpoint

    return wrap


def caller_key(request: Request) -> ApiKey:
    """The API key of the request being handled."""
    api_key: ApiKey = request.state.api_key
    return api_key


def readable(request: Request, record: dict[str, Any]) -> dict[str, Any]:
    """The record, unless it is confidential and the key may not see confidential data (403)."""
    if record.get("confidentiality") == "confidential" and not caller_key(request).confidential:
        raise ConfidentialError
    return record


async def read_body(
    request: Request, schema: dict[str, _bodies.Kind], required: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The JSON body after the strict field checks (raises InvalidFieldError)."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("application/json"):
        raise InvalidFieldError("body", "send JSON with Content-Type: application/json")
    body = _bodies.parse_json_object(await request.body())
    return _bodies.check_fields(body, schema, required)


def performer(state: SandboxState, query: dict[str, list[str]], *, required: bool) -> str:
    """The `perform_as` user (an active user of the account); the super admin when optional and absent."""
    values = query.get("perform_as")
    if not values:
        if required:
            raise InvalidFieldError("perform_as", "is required")
        return state.seed.admin_user_id
    if state.active_user(values[0]) is None:
        raise InvalidFieldError("perform_as", f"{values[0]} is not an active user of this account")
    return values[0]
