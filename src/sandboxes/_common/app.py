"""A sandbox app's frame: the request log, the catch-all route, web hook delivery closed at shutdown.

Each sandbox brings its routes, its answer for an unknown path and its own middleware (faults).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qsl

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from intrro_gateway.sandboxes._common.delivery import DeliveryQueue

_ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    """One request the sandbox received (control routes excepted)."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]

    @property
    def params(self) -> dict[str, str]:
        """The query parameters (the last value wins when one repeats)."""
        return dict(self.query)


class Sandbox(Protocol):
    """What the frame needs of a sandbox's state."""

    @property
    def requests(self) -> list[LoggedRequest]:
        """The request log."""
        ...

    @property
    def webhooks(self) -> DeliveryQueue[Any]:
        """The web hook dispatcher."""
        ...


class RequestLog:
    """ASGI middleware appending every non-control request to `state.requests`."""

    def __init__(self, app: ASGIApp, state: Sandbox) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith("/_sandbox"):
            query = scope.get("query_string", b"").decode("latin-1")
            self.state.requests.append(
                LoggedRequest(
                    method=scope["method"],
                    path=scope["path"],
                    query=tuple(parse_qsl(query, keep_blank_values=True)),
                )
            )
        await self.app(scope, receive, send)


def sandbox_app(
    sandbox: Sandbox,
    routes: Sequence[BaseRoute],
    missing: Callable[[Request], Awaitable[Response]],
    *,
    webhook_client: httpx.AsyncClient | None = None,
    middleware: Sequence[Middleware] = (),
) -> Starlette:
    """A Starlette app over `sandbox` (as `app.state.sandbox`): `routes`, then `missing` for any other
    path; every request but the control API's logged first, then `middleware` (outermost first); web
    hooks delivered through `webhook_client` when given, and the dispatcher closed at shutdown."""
    if webhook_client is not None:
        sandbox.webhooks.client = webhook_client

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await sandbox.webhooks.aclose()

    app = Starlette(
        routes=[*routes, Route("/{path:path}", missing, methods=_ALL_METHODS)],
        middleware=[Middleware(RequestLog, state=sandbox), *middleware],
        lifespan=lifespan,
    )
    app.state.sandbox = sandbox
    return app
