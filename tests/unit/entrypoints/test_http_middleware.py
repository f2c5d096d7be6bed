"""The bearer header: the token is what follows `Bearer `, anything else is no token."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from intrro_gateway.entrypoints.http.middleware import bearer_token


def test_the_token_follows_bearer_and_a_space() -> None:
    assert bearer_token("Bearer first-token-0123456789") == "first-token-0123456789"
    assert bearer_token("Bearer  padded-token ") == "padded-token"


@given(st.text() | st.none())
def test_anything_else_is_no_token(header: str | None) -> None:
    token = bearer_token(header)

    if header is None or not header.startswith("Bearer ") or not header[7:].strip():
        assert token is None
    else:
        assert token == header[7:].strip()
