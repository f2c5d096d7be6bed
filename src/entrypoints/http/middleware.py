"""ASGI middleware: bearer tokens on the API, log context and latency for every request."""

from __future__ import annotations

import time
from collections.abc import Sequence

import structlog
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from intrro_gateway.domain.access import OPERATOR, Principal
from intrro_gateway.entrypoints.http.problems import problem_response
from intrro_gateway.entrypoints.metrics import GatewayMetrics
from intrro_gateway.services import access

log = structlog.get_logger(__name__)


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    if not authorization or not authorization.startswith("Bearer "):
        return None
    token = authorization[len("Bearer ") :].strip()
    return token or None


async def principal_of(
    app: object, token: str | None, bootstrap: Sequence[str]
) -> Principal | None:
    """The one token check (the API's bearer and the console's session both use it): a bootstrap
    token is the operator; a token made by `token create` is looked up by digest through the app's
    runtime (`app.state.runtime`, None before the app started: bootstrap tokens only)."""
    if token is None:
        return None
    if access.is_bootstrap(token, bootstrap):
        return OPERATOR
    runtime = getattr(getattr(app, "state", None), "runtime", None)
    if runtime is None:
        return None
    principal: Principal | None = await access.authenticate(runtime.deps, token)
    return principal


class BearerAuthMiddleware:
    """Answers 401 to an `/api/` request without a valid bearer token, and 404 to a tenant-limited
    token naming another tenant; puts the caller (`Principal`) into `request.state.principal`.

    Bootstrap tokens come from the settings; tokens made by `intrro-gateway token create` are looked
    up by digest through the app's runtime (`scope["app"].state.runtime`)."""

    def __init__(self, app: ASGIApp, tokens: Sequence[str], prefix: str = "/api/") -> None:
        self.app = app
        self._tokens = list(tokens)
        self._prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, or answer 401 (no valid token) or 404 (another tenant)."""
        if scope["type"] != "http" or not scope["path"].startswith(self._prefix):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        token = bearer_token(request.headers.get("authorization"))
        principal = await principal_of(scope.get("app"), token, self._tokens)
        if principal is None:
            response = problem_response(
                request,
                401,
                "Unauthorized",
                "a valid bearer token is required",
                headers={"WWW-Authenticate": 'Bearer realm="intrro-gateway"'},
            )
            await response(scope, receive, send)
            return
        tenant_id = _tenant_of(scope["path"])
        if tenant_id is not None and not principal.may_reach(tenant_id):
            await problem_response(request, 404, "Not Found", f"tenant {tenant_id!r} not found")(
                scope, receive, send
            )
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)


class RequestContextMiddleware:
    """Binds `tenant` (and lets endpoints bind `delivery_id`) per request, clears them, times it."""

    def __init__(self, app: ASGIApp, metrics: GatewayMetrics) -> None:
        self.app = app
        self._metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request inside its own log context and record its latency."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(tenant=_tenant_of(scope["path"]))
        try:
            await self.app(scope, receive, send_with_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self._metrics.latency.labels(
                method=scope["method"], route=template, status=str(status)
            ).observe(time.perf_counter() - started)
            structlog.contextvars.clear_contextvars()


def _tenant_of(path: str) -> str | None:
    """The tenant a path names: `/webhooks/{ats}/{t}`, `/events/intrro/{t}`, `/api/tenants/{t}`."""
    parts = path.strip("/").split("/")
    if len(parts) >= 3 and parts[0] in ("webhooks", "events", "api"):
        return parts[2]
    return None
