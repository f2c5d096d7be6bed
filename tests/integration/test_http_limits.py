"""Outbound HTTP within bounds: a total deadline a trickling peer cannot stretch, a size cap, and
redirects answered as they are, never followed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from intrro_gateway.adapters.http_limits import ResponseTooLargeError, bounded_request


class _Trickle(httpx.AsyncByteStream):
    """An answer that sends one byte every `gap` seconds, forever."""

    def __init__(self, gap: float) -> None:
        self.gap = gap

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            await asyncio.sleep(self.gap)
            yield b"x"


def _client(handler: httpx.MockTransport) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=handler)


async def test_a_peer_trickling_bytes_is_cut_at_the_total_deadline() -> None:
    client = _client(httpx.MockTransport(lambda r: httpx.Response(200, stream=_Trickle(0.05))))
    started = time.monotonic()

    with pytest.raises(httpx.ReadTimeout):
        await bounded_request(client, "GET", "https://harvest.test/v3/jobs", deadline_s=0.5)

    assert time.monotonic() - started < 3.0  # each byte came well within any per-read timeout


@pytest.mark.parametrize("declared", [True, False])
async def test_an_answer_over_the_cap_is_an_error(declared: bool) -> None:
    body = b"{" * 5000

    def answer(request: httpx.Request) -> httpx.Response:
        response = httpx.Response(200, content=body)
        if not declared:
            del response.headers["content-length"]
        return response

    with pytest.raises(ResponseTooLargeError):
        await bounded_request(
            _client(httpx.MockTransport(answer)), "GET", "https://x.test/", max_bytes=1000
        )


async def test_an_answer_over_the_cap_can_be_cut_when_only_the_status_matters() -> None:
    client = _client(httpx.MockTransport(lambda r: httpx.Response(204, content=b"y" * 5000)))

    response = await bounded_request(
        client, "POST", "https://x.test/", max_bytes=100, truncate=True
    )

    assert response.status_code == 204
    assert len(response.content) == 100


async def test_a_redirect_is_answered_as_it_is_and_never_followed() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(302, headers={"Location": "http://169.254.169.254/latest"})

    client = httpx.AsyncClient(transport=httpx.MockTransport(answer), follow_redirects=True)
    response = await bounded_request(client, "POST", "https://intrro.test/hooks", content=b"{}")

    assert response.status_code == 302
    assert seen == ["https://intrro.test/hooks"]


async def test_an_answer_within_bounds_comes_back_whole_and_decoded() -> None:
    client = _client(httpx.MockTransport(lambda r: httpx.Response(200, json={"ok": True})))

    response = await bounded_request(client, "GET", "https://x.test/")

    assert response.json() == {"ok": True}
