"""The control API over HTTP (`/_sandbox/...`, JSON), for the demo driving a sandbox in another process."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from intrro_gateway.sandboxes._common.control import Endpoint, Handler, delivery_routes, guarded
from intrro_gateway.sandboxes.greenhouse import _bodies as b
from intrro_gateway.sandboxes.greenhouse._http import error_response, json_response, sandbox_state
from intrro_gateway.sandboxes.greenhouse._ratelimit import RateLimit
from intrro_gateway.sandboxes.greenhouse._webhooks import DeliveryOptions
from intrro_gateway.sandboxes.greenhouse.control import SandboxControl
from intrro_gateway.sandboxes.greenhouse.errors import SandboxError, UnknownRecordError

Action = Callable[[SandboxControl, int, dict[str, Any], DeliveryOptions | None], list[str]]
_NUMBER = b.Kind(
    lambda v: isinstance(v, int | float) and not isinstance(v, bool) and v >= 0, "a number"
)

_ACTIONS: dict[tuple[str, str], tuple[dict[str, b.Kind], Action]] = {
    ("applications", "move"): (
        {"to_stage_id": b.OPTIONAL_ID},
        lambda c, i, f, o: c.move(i, f.get("to_stage_id"), options=o),
    ),
    ("applications", "reject"): (
        {
            "kind": b.one_of("company", "candidate", "unspecified"),
            "rejection_reason_id": b.OPTIONAL_ID,
        },
        lambda c, i, f, o: c.reject(
            i, f.get("kind", "company"), rejection_reason_id=f.get("rejection_reason_id"), options=o
        ),
    ),
    ("applications", "unreject"): ({}, lambda c, i, f, o: c.unreject(i, options=o)),
    ("applications", "hire"): ({}, lambda c, i, f, o: c.hire(i, options=o)),
    ("applications", "unhire"): ({}, lambda c, i, f, o: c.unhire(i, options=o)),
    ("applications", "delete"): ({}, lambda c, i, f, o: c.delete_application(i, options=o)),
    ("candidates", "merge"): (
        {"into_candidate_id": b.ID},
        lambda c, i, f, o: c.merge(i, f["into_candidate_id"], options=o),
    ),
    ("candidates", "delete"): ({}, lambda c, i, f, o: c.delete_candidate(i, options=o)),
    ("jobs", "close"): ({}, lambda c, i, f, o: c.close_job(i, options=o)),
    ("jobs", "reopen"): ({}, lambda c, i, f, o: c.reopen_job(i, options=o)),
    ("jobs", "delete"): ({}, lambda c, i, f, o: c.delete_job(i, options=o)),
    ("jobs", "update"): (
        {"name": b.TEXT},
        lambda c, i, f, o: c.update_job(i, f["name"], options=o),
    ),
    ("job_posts", "update"): (
        {"title": b.TEXT, "live": b.BOOLEAN},
        lambda c, i, f, o: c.update_job_post(
            i, title=f.get("title"), live=f.get("live"), options=o
        ),
    ),
}


def _refused(exc: SandboxError | ValueError) -> Response:
    if isinstance(exc, SandboxError):
        return error_response(exc)
    return json_response({"message": "Validation error", "errors": [str(exc)]}, 422)


def _guarded(handler: Handler) -> Endpoint:
    return guarded(handler, _refused)


def _control(request: Request) -> SandboxControl:
    return SandboxControl(sandbox_state(request))


async def _action(request: Request, body: dict[str, Any]) -> Response:
    resource, verb = request.path_params["resource"], request.path_params["action"]
    if (resource, verb) not in _ACTIONS:
        raise UnknownRecordError("control action", f"{resource}/{verb}")
    schema, run = _ACTIONS[(resource, verb)]
    raw_options = body.pop("options", None)
    fields = b.check_fields(body, schema)
    options = DeliveryOptions.from_json(raw_options) if isinstance(raw_options, dict) else None
    record_id = int(request.path_params["id"])
    return json_response({"event_ids": run(_control(request), record_id, fields, options)})


async def _webhooks(request: Request, body: dict[str, Any]) -> Response:
    raw_options = body.pop("options", None)
    fields = b.check_fields(body, {"url": b.TEXT, "secret": b.TEXT}, ("url", "secret"))
    options = DeliveryOptions.from_json(raw_options) if isinstance(raw_options, dict) else None
    _control(request).configure_webhooks(fields["url"], fields["secret"], options)
    return json_response({"ok": True})


async def _events(request: Request, body: dict[str, Any]) -> Response:
    fired = sandbox_state(request).webhooks.fired
    return json_response(
        [{"event_id": e.event_id, "action": e.action, "body": e.json()} for e in fired]
    )


async def _requests(request: Request, body: dict[str, Any]) -> Response:
    logged = sandbox_state(request).requests
    return json_response([{"method": r.method, "path": r.path, "query": r.params} for r in logged])


async def _credentials(request: Request, body: dict[str, Any]) -> Response:
    schema = {
        "client_id": b.TEXT,
        "client_secret": b.TEXT,
        "scopes": b.STRINGS,
        "introspection": b.BOOLEAN,
    }
    fields = b.check_fields(body, schema, ("client_id", "client_secret"))
    state = sandbox_state(request)
    state.add_credential(
        fields["client_id"],
        fields["client_secret"],
        fields.get("scopes"),
        fields.get("introspection", True),
    )
    return json_response(
        {"service_user_id": state.credentials[fields["client_id"]].service_user_id}, 201
    )


async def _users(request: Request, body: dict[str, Any]) -> Response:
    schema = {
        "first_name": b.TEXT,
        "last_name": b.TEXT,
        "email": b.TEXT,
        "site_admin": b.BOOLEAN,
        "employee_id": b.OPTIONAL_STRING,
        "referrer": b.BOOLEAN,
    }
    fields = b.check_fields(body, schema, ("first_name", "last_name", "email", "site_admin"))
    state = sandbox_state(request)
    user_id = state.add_user(
        fields["first_name"],
        fields["last_name"],
        fields["email"],
        site_admin=fields["site_admin"],
        employee_id=fields.get("employee_id"),
    )
    referrer_id = state.add_referrer(user_id) if fields.get("referrer") else None
    return json_response({"id": user_id, "referrer_id": referrer_id}, 201)


async def _settings(request: Request, body: dict[str, Any]) -> Response:
    schema = {
        "advance_s": _NUMBER,
        "token_ttl": _NUMBER,
        "harvest_limit": b.ID,
        "harvest_window_s": _NUMBER,
        "token_limit": b.ID,
        "token_window_s": _NUMBER,
    }
    fields = b.check_fields(body, schema)
    state = sandbox_state(request)
    if "advance_s" in fields:
        state.clock.advance(float(fields["advance_s"]))
    if "token_ttl" in fields:
        state.token_ttl = float(fields["token_ttl"])
    harvest, token = state.harvest_rate_limit, state.token_rate_limit
    state.harvest_rate_limit = RateLimit(
        fields.get("harvest_limit", harvest.limit),
        float(fields.get("harvest_window_s", harvest.window_s)),
    )
    state.token_rate_limit = RateLimit(
        fields.get("token_limit", token.limit), float(fields.get("token_window_s", token.window_s))
    )
    return json_response({"now": state.clock.now().isoformat()})


async def _faults(request: Request, body: dict[str, Any]) -> Response:
    faults = sandbox_state(request).faults
    if request.method == "POST":
        schema = {
            "rate": _NUMBER,
            "kinds": b.STRINGS,
            "hold_s": _NUMBER,
            "seed": b.Kind(lambda v: isinstance(v, int) and not isinstance(v, bool), "an integer"),
            "refuse": b.OBJECT,
        }
        fields = b.check_fields(body, schema)
        kinds = fields.get("kinds")
        faults.configure(
            rate=fields.get("rate"),
            kinds=tuple(kinds) if kinds is not None else None,
            hold_s=fields.get("hold_s"),
            seed=fields.get("seed"),
        )
        if "refuse" in fields:
            refusal = b.check_fields(
                fields["refuse"], {"path": b.TEXT, "status": b.ID, "times": b.ID, "after": b.TEXT}
            )
            faults.refuse(
                refusal.get("path"),
                refusal.get("status", 403),
                refusal.get("times", 1),
                refusal.get("after"),
            )
    state = sandbox_state(request)
    return json_response(
        {
            "rate": faults.rate,
            "kinds": list(faults.kinds),
            "injected": dict(faults.injected),
            "rate_limited": state.rate_limited,
        }
    )


async def _table(request: Request, body: dict[str, Any]) -> Response:
    resource = request.path_params["resource"]
    tables = sandbox_state(request).tables
    if resource not in tables:
        raise UnknownRecordError("resource", resource)
    rows = [
        {k: v for k, v in row.items() if not k.startswith("_")} for row in tables[resource].values()
    ]
    return json_response(rows)


async def _seed(request: Request, body: dict[str, Any]) -> Response:
    return json_response(dataclasses.asdict(sandbox_state(request).seed))


def control_routes() -> list[Route]:
    """The `/_sandbox/...` routes (no auth, not logged, not rate limited)."""
    return [
        Route("/_sandbox/webhooks", _guarded(_webhooks), methods=["POST"]),
        *delivery_routes(_control, DeliveryOptions.from_json, _refused),
        Route("/_sandbox/events", _guarded(_events), methods=["GET"]),
        Route("/_sandbox/requests", _guarded(_requests), methods=["GET"]),
        Route("/_sandbox/credentials", _guarded(_credentials), methods=["POST"]),
        Route("/_sandbox/users", _guarded(_users), methods=["POST"]),
        Route("/_sandbox/settings", _guarded(_settings), methods=["POST"]),
        Route("/_sandbox/seed", _guarded(_seed), methods=["GET"]),
        Route("/_sandbox/faults", _guarded(_faults), methods=["GET", "POST"]),
        Route("/_sandbox/tables/{resource}", _guarded(_table), methods=["GET"]),
        Route("/_sandbox/{resource}/{id:int}/{action}", _guarded(_action), methods=["POST"]),
    ]
