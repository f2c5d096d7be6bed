"""The Lever sandbox's Starlette app: the `/v1` Data API and the `/_sandbox` control API."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from intrro_gateway.sandboxes._common.app import sandbox_app
from intrro_gateway.sandboxes.lever._control_routes import control_routes
from intrro_gateway.sandboxes.lever._http import error
from intrro_gateway.sandboxes.lever._read_routes import read_routes
from intrro_gateway.sandboxes.lever._seed import seeded_state
from intrro_gateway.sandboxes.lever._write_routes import write_routes
from intrro_gateway.sandboxes.lever.state import SandboxState


async def _missing(request: Request) -> Response:
    return error(404, f"No such endpoint: {request.method} {request.url.path}")


def create_sandbox_app(
    state: SandboxState | None = None, *, webhook_client: httpx.AsyncClient | None = None
) -> Starlette:
    """A sandbox app over `state` (seeded when None), delivering web hooks through `webhook_client`."""
    sandbox = state if state is not None else seeded_state()
    routes = [*read_routes(), *write_routes(), *control_routes()]
    return sandbox_app(sandbox, routes, _missing, webhook_client=webhook_client)
