"""Bearer tokens: several valid at once, anything else refused."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from starlette.types import Receive, Scope, Send

from intrro_gateway.entrypoints.http.middleware import BearerAuthMiddleware

TOKENS = ["first-token-0123456789", "second-token-0123456789"]


async def _app(scope: Scope, receive: Receive, send: Send) -> None:
    raise AssertionError("not reached")


def test_each_configured_token_is_accepted() -> None:
    auth = BearerAuthMiddleware(_app, TOKENS)

    assert all(auth.allows(f"Bearer {token}") for token in TOKENS)


@given(st.text() | st.none())
def test_anything_but_a_configured_bearer_token_is_refused(header: str | None) -> None:
    auth = BearerAuthMiddleware(_app, TOKENS)
    expected = header is not None and header.startswith("Bearer ") and header[7:].strip() in TOKENS

    assert auth.allows(header) is expected


def test_no_configured_token_refuses_everyone() -> None:
    assert not BearerAuthMiddleware(_app, []).allows("Bearer ")
