"""Serve the Lever sandbox over HTTP with uvicorn (`intrro-gateway sandbox --ats lever`)."""

from __future__ import annotations

import uvicorn

from intrro_gateway.sandboxes.lever._seed import seeded_state
from intrro_gateway.sandboxes.lever.app import create_sandbox_app
from intrro_gateway.sandboxes.lever.state import SandboxState


def serve(host: str, port: int, *, state: SandboxState | None = None) -> None:
    """Run the sandbox (seeded data unless a state is given) until interrupted."""
    uvicorn.run(create_sandbox_app(state or seeded_state()), host=host, port=port)
