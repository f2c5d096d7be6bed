"""Lever credentials behind one small port, so that partner OAuth can come in later beside API keys.

A tenant's `AtsCredentials` name the kind in `client_id`: `api_key` (the key itself in
`client_secret`, stored encrypted like every client secret). Lever's partner OAuth (`oauth:<client id>`,
tokens minted and refreshed per tenant) would be one more `LeverAuth`; nothing else changes.
"""

from __future__ import annotations

import base64
from typing import Final, Protocol

from intrro_gateway.domain.tenant import AtsCredentials
from intrro_gateway.ports.ats import AtsAuthError

API_KEY: Final = "api_key"


class LeverAuth(Protocol):
    """Gives the `Authorization` header of a Lever call."""

    async def header(self) -> str:
        """The header value for the next call."""
        ...

    def invalidate(self) -> bool:
        """Forget a cached token after a 401; True when a retry may help (never for a key)."""
        ...


class ApiKeyAuth:
    """An API key: HTTP Basic with the key as the user and an empty password."""

    def __init__(self, key: str) -> None:
        self._value = "Basic " + base64.b64encode(f"{key}:".encode()).decode("ascii")

    async def header(self) -> str:
        """The Basic header; it never changes."""
        return self._value

    def invalidate(self) -> bool:
        """A refused key stays refused."""
        return False

    def __repr__(self) -> str:
        return "ApiKeyAuth('**********')"


def auth_for(credentials: AtsCredentials) -> LeverAuth:
    """The auth of a tenant's credential; AtsAuthError for a kind this gateway does not speak."""
    kind = credentials.client_id.strip()
    if kind in ("", API_KEY):
        if not credentials.client_secret.strip():
            raise AtsAuthError("the Lever API key is empty")
        return ApiKeyAuth(credentials.client_secret.strip())
    raise AtsAuthError(
        f"unknown Lever credential kind {kind!r}: only api_key is supported (partner OAuth is not yet)"
    )
