"""Outbound HTTP within bounds: a total deadline for the whole exchange and a cap on the answer's size,
so a slow or endless peer cannot hold a worker or fill its memory. Redirects are never followed."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import httpx

__all__ = ["DEFAULT_DEADLINE_S", "DEFAULT_MAX_BYTES", "ResponseTooLargeError", "bounded_request"]

DEFAULT_DEADLINE_S = 30.0
DEFAULT_MAX_BYTES = 8 * 1024 * 1024  # far above any Harvest page (500 records) or token answer

_DROPPED = ("content-encoding", "content-length", "transfer-encoding")


class ResponseTooLargeError(httpx.TransportError):
    """Raised when an answer is larger than the cap; a transport error, since nothing usable came."""


async def bounded_request(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    deadline_s: float = DEFAULT_DEADLINE_S,
    max_bytes: int = DEFAULT_MAX_BYTES,
    truncate: bool = False,
    headers: Mapping[str, str] | None = None,
    **kwargs: Any,
) -> httpx.Response:
    """Send one request and read its whole answer within `deadline_s` and `max_bytes`.

    Raises httpx.ReadTimeout past the deadline (counted from before connecting, so a peer trickling
    bytes cannot stretch it) and ResponseTooLargeError past the cap (declared or read). The answer
    comes back already read, decoded, without redirects followed. With `truncate`, an answer over the
    cap is cut there instead (for callers that need only the status and headers)."""
    auth = kwargs.pop("auth", httpx.USE_CLIENT_DEFAULT)
    request = client.build_request(method, url, headers=headers, **kwargs)
    try:
        async with asyncio.timeout(deadline_s):
            response = await client.send(request, stream=True, auth=auth, follow_redirects=False)
            try:
                declared = response.headers.get("content-length", "")
                if not truncate and declared.isdigit() and int(declared) > max_bytes:
                    raise ResponseTooLargeError(
                        f"the answer declares {declared} bytes, over {max_bytes}", request=request
                    )
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > max_bytes and truncate:
                        del body[max_bytes:]
                        break
                    if len(body) > max_bytes:
                        raise ResponseTooLargeError(
                            f"the answer is over {max_bytes} bytes", request=request
                        )
            finally:
                await response.aclose()
    except TimeoutError:
        raise httpx.ReadTimeout(
            f"no whole answer within {deadline_s:g} s", request=request
        ) from None
    kept = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _DROPPED]
    return httpx.Response(
        response.status_code,
        headers=kept,
        content=bytes(body),
        request=request,
        extensions=response.extensions,
    )
