"""Serve the sandbox over HTTP with uvicorn (`intrro-gateway sandbox`)."""

from __future__ import annotations

import uvicorn

from intrro_gateway.sandboxes.greenhouse._seed import seeded_state
from intrro_gateway.sandboxes.greenhouse.app import create_sandbox_app
from intrro_gateway.sandboxes.greenhouse.state import SandboxState


def serve(host: str, port: int, *, state: SandboxState | None = None) -> None:
    """Run the sandbox (seeded data unless a state is given) until interrupted."""
    uvicorn.run(create_sandbox_app(state or seeded_state()), host=host, port=port)
