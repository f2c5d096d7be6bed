"""The Lever client wired to the bundled Lever sandbox in process (`httpx.ASGITransport`)."""

from __future__ import annotations

from typing import Any

import httpx

from intrro_gateway.adapters.lever.api import API_KEY, LeverAtsClient, LeverSettings
from intrro_gateway.domain.tenant import AtsCredentials
from intrro_gateway.ports.ats import AtsContext
from intrro_gateway.sandboxes.lever import RateLimit, SandboxState, create_sandbox_app, seeded_state

BASE = "http://lever.test"


async def no_sleep(_: float) -> None:
    return None


def transport(state: SandboxState) -> httpx.AsyncBaseTransport:
    return httpx.ASGITransport(app=create_sandbox_app(state))


def client(inner: httpx.AsyncBaseTransport, **settings: Any) -> LeverAtsClient:
    return LeverAtsClient(
        httpx.AsyncClient(transport=inner),
        base_url=BASE,
        settings=LeverSettings(reread_delay=0.0, min_interval=0.0, **settings),
        sleep=no_sleep,
    )


def ctx(state: SandboxState, *, key: str | None = None, user_id: str | None = None) -> AtsContext:
    return AtsContext(
        tenant_id="acme",
        credentials=AtsCredentials(
            client_id=API_KEY,
            client_secret=key or state.DEFAULT_API_KEY,
            user_id=user_id if user_id is not None else state.seed.recruiter_user_id,
        ),
        ats="lever",
    )


def seeded() -> SandboxState:
    """The demo account with a rate limit the unpaced test client never reaches."""
    state = seeded_state()
    state.rate_limit = RateLimit(rate_per_s=10_000.0, burst=10_000)
    return state
