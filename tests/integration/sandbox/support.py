"""Helpers for the sandbox's tests: a web hook receiver, token minting, `Link` reading."""

from __future__ import annotations

import httpx

from intrro_gateway.sandboxes.greenhouse import SandboxState
from tests.integration import _sandbox_support

HOOK_URL = "http://receiver.test/hooks"
HOOK_SECRET = "hook-secret"


class Receiver(_sandbox_support.Receiver):
    """Records every web hook request the sandbox sends, answering with `status_code`."""

    def actions(self) -> list[str]:
        return [body["action"] for body in self.bodies()]

    def event_ids(self) -> list[str]:
        return [r.headers["Greenhouse-Event-ID"] for r in self.requests]


async def mint(
    client: httpx.AsyncClient,
    sub: int | None = SandboxState.DEFAULT_USER_ID,
    client_id: str = SandboxState.DEFAULT_CLIENT_ID,
    client_secret: str = SandboxState.DEFAULT_CLIENT_SECRET,
) -> str:
    """A fresh access token (fails the test when the sandbox refuses one)."""
    form = {"grant_type": "client_credentials"}
    if sub is not None:
        form["sub"] = str(sub)
    response = await client.post("/token", auth=(client_id, client_secret), data=form)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def next_url(response: httpx.Response) -> str | None:
    """The `rel="next"` URL of a list answer, or None on the last page."""
    link = response.headers["link"]
    if not link:
        return None
    return link[link.index("<") + 1 : link.index(">")]
