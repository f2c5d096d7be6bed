"""The Lever sandbox's Starlette app: the `/v1` Data API and the `/_sandbox` control API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import parse_qsl

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from intrro_gateway.sandboxes.lever._control_routes import control_routes
from intrro_gateway.sandboxes.lever._http import error
from intrro_gateway.sandboxes.lever._read_routes import read_routes
from intrro_gateway.sandboxes.lever._seed import seeded_state
from intrro_gateway.sandboxes.lever._write_routes import write_routes
from intrro_gateway.sandboxes.lever.state import LoggedRequest, SandboxState

_ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


class _RequestLog:
    """ASGI middleware appending every non-control request to `state.requests`."""

    def __init__(self, app: ASGIApp, state: SandboxState) -> None:
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


async def _missing(request: Request) -> Response:
    return error(404, f"No such endpoint: {request.method} {request.url.path}")


def create_sandbox_app(
    state: SandboxState | None = None, *, webhook_client: httpx.AsyncClient | None = None
) -> Starlette:
    """A sandbox app over `state` (seeded when None), delivering web hooks through `webhook_client`."""
    sandbox = state if state is not None else seeded_state()
    if webhook_client is not None:
        sandbox.webhooks.client = webhook_client

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await sandbox.webhooks.aclose()

    routes = [
        *read_routes(),
        *write_routes(),
        *control_routes(),
        Route("/{path:path}", _missing, methods=_ALL_METHODS),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.sandbox = sandbox
    app.add_middleware(_RequestLog, state=sandbox)
    return app
