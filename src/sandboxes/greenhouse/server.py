"""Serve the sandbox over HTTP with uvicorn (`intrro-gateway sandbox`)."""

from __future__ import annotations

import uvicorn

from intrro_gateway.sandboxes.greenhouse.app import create_sandbox_app
from intrro_gateway.sandboxes.greenhouse.state import SandboxState


def serve(host: str, port: int, *, state: SandboxState | None = None) -> None:
    """Run the sandbox (seeded data unless a state is given) until interrupted."""
    uvicorn.run(create_sandbox_app(state or SandboxState.seeded()), host=host, port=port)
