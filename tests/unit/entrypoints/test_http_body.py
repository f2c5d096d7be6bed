"""Reading a body under a limit: whole when within it, refused as soon as it is known to exceed it."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.requests import Request
from starlette.types import Message

from intrro_gateway.entrypoints.http.body import BodyTooLargeError, read_limited


def request_of(chunks: list[bytes], content_length: int | None) -> tuple[Request, list[int]]:
    """A request whose body arrives in these chunks; the list records how many were read."""
    read: list[int] = []
    queue = list(chunks)

    async def receive() -> Message:
        read.append(1)
        chunk = queue.pop(0) if queue else b""
        return {"type": "http.request", "body": chunk, "more_body": bool(queue)}

    headers = [] if content_length is None else [(b"content-length", str(content_length).encode())]
    scope = {"type": "http", "method": "POST", "path": "/", "headers": headers, "query_string": b""}
    return Request(scope, receive), read


@given(
    st.lists(st.binary(max_size=64), max_size=12),
    st.integers(min_value=0, max_value=400),
    st.booleans(),
)
def test_a_body_is_read_whole_within_the_limit_and_refused_past_it(
    chunks: list[bytes], limit: int, declare: bool
) -> None:
    body = b"".join(chunks)
    request, read = request_of(chunks, len(body) if declare else None)

    async def run() -> bytes:
        return await read_limited(request, limit)

    if len(body) <= limit:
        assert asyncio.run(run()) == body
        return
    with pytest.raises(BodyTooLargeError):
        asyncio.run(run())
    if declare:
        assert read == []  # refused on the declared length, before reading anything
    else:
        consumed = 0
        for count, chunk in enumerate(chunks, start=1):
            consumed += len(chunk)
            if consumed > limit:
                assert len(read) == count  # stopped at the first chunk past the limit
                break
