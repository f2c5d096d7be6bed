"""The inbound request deadline, counted from the request's first byte: a sender too slow to deliver
its body within it gets `408` (and the connection closed), so no slow sender holds a worker."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from intrro_gateway.entrypoints.http.problems import ProblemError

INBOUND_PREFIXES = ("/webhooks/", "/events/")


class SlowRequestError(ProblemError):
    """Raised while reading a body that has not arrived by the deadline (408)."""

    def __init__(self, deadline_s: float) -> None:
        super().__init__(
            408,
            "Request Timeout",
            f"the request was not received within {deadline_s:g} s",
            headers={"Connection": "close"},
        )


class RequestDeadlineMiddleware:
    """Starts each inbound request's clock when the server hands it over (its headers have arrived),
    bounds every wait for its body by what is left, and leaves the deadline in `scope["state"]` for
    the endpoint's own work (`time_left`)."""

    def __init__(
        self, app: ASGIApp, deadline_s: float, prefixes: tuple[str, ...] = INBOUND_PREFIXES
    ) -> None:
        self.app = app
        self._deadline_s = deadline_s
        self._prefixes = prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on with a bounded `receive`."""
        if scope["type"] != "http" or not scope["path"].startswith(self._prefixes):
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._deadline_s
        scope.setdefault("state", {})["deadline"] = deadline

        async def bounded_receive() -> Message:
            left = deadline - loop.time()
            if left <= 0:
                raise SlowRequestError(self._deadline_s)
            try:
                async with asyncio.timeout(left):
                    return await receive()
            except TimeoutError:
                raise SlowRequestError(self._deadline_s) from None

        await self.app(scope, bounded_receive, send)


def deadline_of(request: Request, fallback_s: float) -> float:
    """The loop time by which the request must be answered (now + `fallback_s` outside the
    middleware)."""
    deadline = getattr(request.state, "deadline", None)
    if isinstance(deadline, float):
        return deadline
    return asyncio.get_running_loop().time() + fallback_s
