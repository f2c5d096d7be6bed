"""The sandbox's Starlette app: the OAuth endpoints, Harvest v3, and the `/_sandbox` control API."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from intrro_gateway.sandboxes._common.app import sandbox_app
from intrro_gateway.sandboxes.greenhouse._auth import introspect_endpoint, token_endpoint
from intrro_gateway.sandboxes.greenhouse._control_routes import control_routes
from intrro_gateway.sandboxes.greenhouse._faults import FaultInjection
from intrro_gateway.sandboxes.greenhouse._harvest import list_routes
from intrro_gateway.sandboxes.greenhouse._http import not_found
from intrro_gateway.sandboxes.greenhouse._seed import seeded_state
from intrro_gateway.sandboxes.greenhouse._write_extras import extra_write_routes
from intrro_gateway.sandboxes.greenhouse._write_routes import write_routes
from intrro_gateway.sandboxes.greenhouse.state import SandboxState


async def _missing(request: Request) -> Response:
    return not_found()


def create_sandbox_app(
    state: SandboxState | None = None, *, webhook_client: httpx.AsyncClient | None = None
) -> Starlette:
    """A sandbox app over `state` (seeded when None), delivering web hooks through `webhook_client`."""
    sandbox = state if state is not None else seeded_state()
    routes = [
        Route("/token", token_endpoint, methods=["POST"]),
        Route("/introspect", introspect_endpoint, methods=["POST"]),
        *list_routes(),
        *write_routes(),
        *extra_write_routes(),
        *control_routes(),
    ]
    return sandbox_app(
        sandbox,
        routes,
        _missing,
        webhook_client=webhook_client,
        middleware=[Middleware(FaultInjection, faults=sandbox.faults)],
    )
