"""The control API over HTTP (`/_sandbox/...`, JSON, no auth, not logged, not rate limited), for the
demo and for tests driving a sandbox in another process."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from intrro_gateway.sandboxes._common.control import Endpoint, Handler, delivery_routes, guarded
from intrro_gateway.sandboxes.lever import _bodies as b
from intrro_gateway.sandboxes.lever._faults import Fault
from intrro_gateway.sandboxes.lever._http import error_response, json_response, sandbox_state
from intrro_gateway.sandboxes.lever._permissions import ALL_PERMISSIONS
from intrro_gateway.sandboxes.lever._ratelimit import RateLimit
from intrro_gateway.sandboxes.lever._views import public
from intrro_gateway.sandboxes.lever._webhooks import DeliveryOptions
from intrro_gateway.sandboxes.lever.control import GATEWAY_EVENTS, SandboxControl
from intrro_gateway.sandboxes.lever.errors import SandboxError, UnknownRecordError

Action = Callable[[SandboxControl, str, dict[str, Any], DeliveryOptions | None], list[str]]
_NUMBER = b.Kind(
    lambda v: isinstance(v, int | float) and not isinstance(v, bool) and v >= 0, "a number >= 0"
)
_COUNT = b.Kind(lambda v: type(v) is int and v > 0, "a positive integer")
_STATUS = b.Kind(lambda v: type(v) is int and 400 <= v <= 599, "an HTTP error status")
_PERMISSIONS = b.Kind(
    lambda v: isinstance(v, list) and all(p in ALL_PERMISSIONS for p in v),
    'an array of endpoint permissions such as "GET /postings"',
)
_EVENTS = b.Kind(
    lambda v: isinstance(v, list) and bool(v) and all(e in b.WEBHOOK_EVENTS for e in v),
    "a non-empty array of Lever web hook events",
)

_ACTIONS: dict[str, tuple[dict[str, b.Kind], Action]] = {
    "move": ({"stage_id": b.TEXT}, lambda c, i, f, o: c.move(i, f.get("stage_id"), options=o)),
    "archive": (
        {"reason_id": b.TEXT, "kind": b.one_of("rejected", "withdrawn")},
        lambda c, i, f, o: c.archive(
            i, f.get("reason_id"), kind=f.get("kind", "rejected"), options=o
        ),
    ),
    "unarchive": ({}, lambda c, i, f, o: c.unarchive(i, options=o)),
    "hire": ({}, lambda c, i, f, o: c.hire(i, options=o)),
    "delete": ({}, lambda c, i, f, o: c.delete(i, options=o)),
}


def _refused(exc: SandboxError | ValueError) -> Response:
    if isinstance(exc, SandboxError):
        return error_response(exc)
    return json_response({"code": "InvalidRequest", "message": str(exc)}, 400)


def _guarded(handler: Handler) -> Endpoint:
    return guarded(handler, _refused)


def _control(request: Request) -> SandboxControl:
    return SandboxControl(sandbox_state(request))


def _options(body: dict[str, Any]) -> DeliveryOptions | None:
    raw = body.pop("options", None)
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ValueError("options must be an object")
    return DeliveryOptions.from_json(raw)


async def _action(request: Request, body: dict[str, Any]) -> Response:
    verb = request.path_params["action"]
    if verb not in _ACTIONS:
        raise UnknownRecordError("control action", f"opportunities/{verb}")
    schema, run = _ACTIONS[verb]
    options = _options(body)
    fields = b.check_fields(body, schema)
    event_ids = run(_control(request), request.path_params["id"], fields, options)
    return json_response({"event_ids": event_ids})


async def _contact_action(request: Request, body: dict[str, Any]) -> Response:
    """`edit` (the body: `PUT /contacts/:id`'s fields) or `delete` a person."""
    verb = request.path_params["action"]
    options = _options(body)
    contact_id = request.path_params["id"]
    if verb == "edit":
        fields = b.check_fields(body, b.CONTACT_SCHEMA)
        event_ids = _control(request).edit_contact(contact_id, options=options, **fields)
    elif verb == "delete":
        b.check_fields(body, {})
        event_ids = _control(request).delete_contact(contact_id, options=options)
    else:
        raise UnknownRecordError("control action", f"contacts/{verb}")
    return json_response({"event_ids": event_ids})


async def _webhooks(request: Request, body: dict[str, Any]) -> Response:
    schema = {"url": b.TEXT, "events": _EVENTS, "origins": b.WEBHOOK_CONDITIONS_SCHEMA["origins"]}
    fields = b.check_fields(body, schema, ("url",))
    hooks = _control(request).register_webhooks(
        fields["url"], fields.get("events", GATEWAY_EVENTS), fields.get("origins")
    )
    return json_response(
        {event: {"id": h.id, "signatureToken": h.signature_token} for event, h in hooks.items()},
        201,
    )


async def _ping(request: Request, body: dict[str, Any]) -> Response:
    fields = b.check_fields(body, {"event": b.one_of(*b.WEBHOOK_EVENTS)})
    return json_response({"event_ids": _control(request).ping(fields.get("event"))})


async def _redeliver(request: Request, body: dict[str, Any]) -> Response:
    fields = b.check_fields(body, {"delay_s": _NUMBER})
    _control(request).redeliver(
        request.path_params["event_id"], delay_s=float(fields.get("delay_s", 0))
    )
    return json_response({"ok": True})


async def _events(request: Request, body: dict[str, Any]) -> Response:
    fired = sandbox_state(request).webhooks.fired
    return json_response(
        [
            {
                "event_id": e.event_id,
                "event": e.event,
                "hook_id": e.hook_id,
                "url": e.url,
                "body": e.json(),
            }
            for e in fired
        ]
    )


async def _requests(request: Request, body: dict[str, Any]) -> Response:
    logged = sandbox_state(request).requests
    return json_response(
        [{"method": r.method, "path": r.path, "query": list(r.query)} for r in logged]
    )


async def _keys(request: Request, body: dict[str, Any]) -> Response:
    schema = {
        "key": b.TEXT,
        "permissions": _PERMISSIONS,
        "revoked": b.BOOLEAN,
        "confidential": b.BOOLEAN,
    }
    fields = b.check_fields(body, schema, ("key",))
    state = sandbox_state(request)
    api_key = state.api_keys.get(fields["key"])
    if api_key is None or "permissions" in fields or "confidential" in fields:
        api_key = state.add_api_key(
            fields["key"], fields.get("permissions"), confidential=fields.get("confidential", True)
        )
    api_key.revoked = fields.get("revoked", api_key.revoked)
    return json_response(
        {
            "key": api_key.key,
            "permissions": sorted(api_key.permissions),
            "confidential": api_key.confidential,
            "revoked": api_key.revoked,
        },
        201,
    )


async def _users(request: Request, body: dict[str, Any]) -> Response:
    schema = {
        "name": b.TEXT,
        "email": b.TEXT,
        "access_role": b.one_of(
            "super admin", "admin", "team member", "limited team member", "interviewer"
        ),
    }
    fields = b.check_fields(body, schema, ("name", "email"))
    user_id = sandbox_state(request).add_user(
        fields["name"], fields["email"], fields.get("access_role", "team member")
    )
    return json_response({"id": user_id}, 201)


async def _faults(request: Request, body: dict[str, Any]) -> Response:
    state = sandbox_state(request)
    if request.method == "DELETE":
        state.faults.clear()
        state.random_faults.configure(rate=0.0)
    elif request.method == "POST":
        _add_fault(request, body)
    random_faults = state.random_faults
    return json_response(
        {
            "rate": random_faults.rate,
            "kinds": list(random_faults.kinds),
            "hold_s": random_faults.hold_s,
            "pending": [dataclasses.asdict(f) for f in state.faults],
            "injected": dict(random_faults.injected),
            "rate_limited": state.rate_limited,
        },
        201 if request.method == "POST" else 200,
    )


def _add_fault(request: Request, body: dict[str, Any]) -> None:
    schema = {
        "status": _STATUS,
        "delay_s": _NUMBER,
        "method": b.one_of("GET", "POST", "PUT", "DELETE"),
        "path": b.TEXT,
        "times": _COUNT,
        "applied": b.BOOLEAN,
        "rate": _NUMBER,
        "kinds": b.STRINGS,
        "hold_s": _NUMBER,
        "seed": b.Kind(lambda v: type(v) is int, "an integer"),
    }
    fields = b.check_fields(body, schema)
    one_off = {"status", "delay_s", "method", "path", "times", "applied"} & set(fields)
    random_keys = {"rate", "kinds", "hold_s", "seed"} & set(fields)
    if one_off and random_keys:
        raise ValueError("give either a one-off fault or the random faults, not both")
    if random_keys:
        kinds = fields.get("kinds")
        sandbox_state(request).random_faults.configure(
            rate=fields.get("rate"),
            kinds=tuple(kinds) if kinds is not None else None,
            hold_s=fields.get("hold_s"),
            seed=fields.get("seed"),
        )
        return
    if "status" not in fields and "delay_s" not in fields:
        raise ValueError("a fault needs a status, a delay_s or both")
    fault = Fault(
        status=fields.get("status"),
        delay_s=float(fields.get("delay_s", 0.0)),
        method=fields.get("method"),
        path=fields.get("path"),
        times=fields.get("times", 1),
        applied=fields.get("applied", False),
    )
    _control(request).add_fault(fault)


async def _table(request: Request, body: dict[str, Any]) -> Response:
    resource = request.path_params["resource"]
    state = sandbox_state(request)
    if resource == "webhooks":
        return json_response([h.public() for h in state.webhooks.hooks.values()])
    if resource not in state.tables:
        raise UnknownRecordError("table", resource)
    return json_response([public(r) for r in state.tables[resource].values()])


async def _settings(request: Request, body: dict[str, Any]) -> Response:
    schema = {
        "advance_s": _NUMBER,
        "rate_per_s": _NUMBER,
        "burst": _COUNT,
        "reset_limits": b.BOOLEAN,
    }
    fields = b.check_fields(body, schema)
    state = sandbox_state(request)
    if "advance_s" in fields:
        state.clock.advance(float(fields["advance_s"]))
    state.rate_limit = RateLimit(
        float(fields.get("rate_per_s", state.rate_limit.rate_per_s)),
        fields.get("burst", state.rate_limit.burst),
    )
    if fields.get("reset_limits"):
        state.limiter.reset()
    return json_response({"now_ms": state.clock.now_ms()})


async def _seed(request: Request, body: dict[str, Any]) -> Response:
    state = sandbox_state(request)
    return json_response({**dataclasses.asdict(state.seed), "api_key": state.DEFAULT_API_KEY})


def control_routes() -> list[Route]:
    """The `/_sandbox/...` routes."""
    return [
        Route("/_sandbox/webhooks", _guarded(_webhooks), methods=["POST"]),
        Route("/_sandbox/webhooks/ping", _guarded(_ping), methods=["POST"]),
        *delivery_routes(_control, DeliveryOptions.from_json, _refused),
        Route("/_sandbox/events", _guarded(_events), methods=["GET"]),
        Route("/_sandbox/events/{event_id}/redeliver", _guarded(_redeliver), methods=["POST"]),
        Route("/_sandbox/requests", _guarded(_requests), methods=["GET"]),
        Route("/_sandbox/keys", _guarded(_keys), methods=["POST"]),
        Route("/_sandbox/users", _guarded(_users), methods=["POST"]),
        Route("/_sandbox/faults", _guarded(_faults), methods=["GET", "POST", "DELETE"]),
        Route("/_sandbox/tables/{resource}", _guarded(_table), methods=["GET"]),
        Route("/_sandbox/settings", _guarded(_settings), methods=["POST"]),
        Route("/_sandbox/seed", _guarded(_seed), methods=["GET"]),
        Route("/_sandbox/opportunities/{id}/{action}", _guarded(_action), methods=["POST"]),
        Route("/_sandbox/contacts/{id}/{action}", _guarded(_contact_action), methods=["POST"]),
    ]
