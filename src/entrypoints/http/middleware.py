"""ASGI middleware: bearer tokens on the API, log context and latency for every request."""

from __future__ import annotations

import hmac
import time
from collections.abc import Sequence

import structlog
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from intrro_gateway.entrypoints.http.problems import problem_response
from intrro_gateway.entrypoints.metrics import GatewayMetrics

log = structlog.get_logger(__name__)


class BearerAuthMiddleware:
    """Answers 401 to an `/api/` request without one of the valid bearer tokens."""

    def __init__(self, app: ASGIApp, tokens: Sequence[str], prefix: str = "/api/") -> None:
        self.app = app
        self._tokens = [token.encode() for token in tokens]
        self._prefix = prefix

    def allows(self, authorization: str | None) -> bool:
        """Whether the header carries a valid token; every token is compared, in constant time."""
        if not authorization or not authorization.startswith("Bearer "):
            return False
        given = authorization[len("Bearer ") :].strip().encode()
        matched = False
        for token in self._tokens:
            matched |= hmac.compare_digest(given, token)
        return matched

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, or answer 401."""
        if scope["type"] != "http" or not scope["path"].startswith(self._prefix):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if self.allows(request.headers.get("authorization")):
            await self.app(scope, receive, send)
            return
        response = problem_response(
            request,
            401,
            "Unauthorized",
            "a valid bearer token is required",
            headers={"WWW-Authenticate": 'Bearer realm="intrro-gateway"'},
        )
        await response(scope, receive, send)


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
    """The tenant a path names: `/webhooks/greenhouse/{t}`, `/events/intrro/{t}`, `/api/tenants/{t}`."""
    parts = path.strip("/").split("/")
    if len(parts) >= 3 and parts[0] in ("webhooks", "events", "api"):
        return parts[2]
    return None
