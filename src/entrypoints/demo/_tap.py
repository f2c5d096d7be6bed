"""An ASGI wrapper recording every HTTP exchange an app serves: when, what, and how it was answered."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_KEPT_BODY = 64 * 1024


@dataclass(frozen=True, slots=True)
class Hit:
    """One request an app answered; it arrived `at` seconds after the demo started."""

    at: float
    server: str
    method: str
    path: str
    status: int
    body: bytes

    def json(self) -> Any:
        """The request body as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None


@dataclass
class Recorder:
    """Every hit of every tapped app, in the order they were answered."""

    started: float = field(default_factory=time.monotonic)
    hits: list[Hit] = field(default_factory=list)

    def elapsed(self) -> float:
        """Seconds since the demo started."""
        return time.monotonic() - self.started

    def tap(self, app: ASGIApp, server: str) -> ASGIApp:
        """The app, with its HTTP exchanges recorded under `server`."""
        return _Tap(app, server, self)


class _Tap:
    def __init__(self, app: ASGIApp, server: str, recorder: Recorder) -> None:
        self.app = app
        self.server = server
        self.recorder = recorder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        status = 0
        arrived = self.recorder.elapsed()

        async def tapped_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request" and sum(map(len, chunks)) < _KEPT_BODY:
                chunks.append(message.get("body", b""))
            return message

        async def tapped_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, tapped_receive, tapped_send)
        finally:
            self.recorder.hits.append(
                Hit(
                    at=arrived,
                    server=self.server,
                    method=str(scope["method"]),
                    path=str(scope["path"]),
                    status=status,
                    body=b"".join(chunks)[:_KEPT_BODY],
                )
            )
