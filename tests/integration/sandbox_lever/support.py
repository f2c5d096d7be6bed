"""Helpers for the Lever sandbox's tests: a web hook receiver, Basic auth for a key, page walking."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import httpx

from intrro_gateway.sandboxes.lever import SandboxState
from tests.integration import _sandbox_support

HOOK_URL = "http://receiver.test/hooks/lever"


def auth(key: str = SandboxState.DEFAULT_API_KEY) -> tuple[str, str]:
    """HTTP Basic credentials as Lever takes them: the key as user, an empty password."""
    return (key, "")


def verify(body: dict[str, Any], signature_token: str) -> bool:
    """Lever's check, written out independently of the sandbox: HMAC-SHA256(token + triggeredAt)."""
    message = (body["token"] + str(body["triggeredAt"])).encode()
    expected = hmac.new(signature_token.encode(), message, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, body["signature"])


class Receiver(_sandbox_support.Receiver):
    """Records every web hook request the sandbox sends, answering with `status_code`."""

    def events(self) -> list[str]:
        return [b["event"] for b in self.bodies()]


async def walk(
    client: httpx.AsyncClient, path: str, params: dict[str, Any]
) -> list[dict[str, Any]]:
    """Every row of a list, following `hasNext`/`next` with `offset` as Lever's clients do."""
    rows: list[dict[str, Any]] = []
    query = dict(params)
    while True:
        response = await client.get(path, params=query, auth=auth())
        assert response.status_code == 200, response.text
        body = response.json()
        rows.extend(body["data"])
        if not body["hasNext"]:
            assert "next" not in body
            return rows
        query = {**params, "offset": body["next"]}
