"""Reading a request body without ever holding more than the limit."""

from __future__ import annotations

from starlette.requests import Request

from intrro_gateway.entrypoints.http.problems import ProblemError


class BodyTooLargeError(ProblemError):
    """Raised when a request body is larger than the limit (413), before reading past it."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, "Content Too Large", f"the body is over {limit} bytes")


async def read_limited(request: Request, limit: int) -> bytes:
    """The whole body, or BodyTooLargeError as soon as it is known to exceed `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise BodyTooLargeError(limit)
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > limit:
            raise BodyTooLargeError(limit)
    return bytes(received)
