"""Fault options: Harvest answering some requests with 429, 5xx or too late, and refused reads.

A random share (`rate`) of `/v3/...` requests meets one of `kinds`, drawn from a seeded generator:
- `429`: refused before it is handled, with `Retry-After: 1`;
- `503`: refused before it is handled;
- `500`: handled (a write is applied), then answered 500, so the client cannot know the outcome;
- `timeout`: handled (a write is applied), then answered only after `hold_s` seconds, by which time a
  client with a shorter timeout has given up.
`refuse(path, status, times, after)` answers the next `times` reads (GET) of `path` (of any path when
None) with `status` (403 by default) before they are handled; with `after` ("POST /v3/notes", a prefix of
a write's method and path), only reads that come after such a write succeeded: the defect of a read
failing right after a write that succeeded.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from intrro_gateway.sandboxes._common.faults import KINDS as KINDS
from intrro_gateway.sandboxes._common.faults import RandomFaults


@dataclass
class _Refusal:
    path: str | None
    status: int
    times: int
    after: str | None = None  # armed once a write matching this prefix succeeded

    def due(self, path: str) -> bool:
        return self.times > 0 and self.after is None and self.path in (None, path)


@dataclass
class Faults(RandomFaults):
    """What goes wrong (random faults and refused reads), and a count of what went wrong (`injected`,
    by kind)."""

    refusals: list[_Refusal] = field(default_factory=list)

    def refuse(
        self, path: str | None, status: int = 403, times: int = 1, after: str | None = None
    ) -> None:
        """Answer the next `times` reads of `path` (any, when None) with `status`, after `after`."""
        self.refusals.append(_Refusal(path, status, times, after))

    def refusal_for(self, method: str, path: str) -> int | None:
        """The status to refuse this request with, if a refusal is due (consumed)."""
        if method != "GET":
            return None
        for refusal in self.refusals:
            if refusal.due(path):
                refusal.times -= 1
                self.injected[f"refused GET {path}"] += 1
                return refusal.status
        return None

    def wrote(self, method: str, path: str, status: int) -> None:
        """Arm the refusals waiting for this write, when it succeeded."""
        if status >= 300:
            return
        for refusal in self.refusals:
            if refusal.after is not None and f"{method} {path}".startswith(refusal.after):
                refusal.after = None


class FaultInjection:
    """ASGI middleware applying `Faults` to Harvest requests (`/v3/...`)."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v3/"):
            await self.app(scope, receive, send)
            return
        refused = self.faults.refusal_for(scope["method"], scope["path"])
        if refused is not None:
            await _answer(send, refused, {"message": "Refused", "errors": ["a fault option"]})
            return
        kind = self.faults.draw()
        if kind == "429":
            await _answer(send, 429, {"message": "Too Many Requests"}, {"retry-after": "1"})
        elif kind == "503":
            await _answer(send, 503, {"message": "Service Unavailable"})
        elif kind in ("500", "timeout"):
            held: list[Message] = []

            async def keep(message: Message) -> None:
                held.append(message)

            await self.app(scope, receive, keep)  # handled: a write is applied
            if kind == "500":
                await _answer(send, 500, {"message": "Internal Server Error"})
                return
            await asyncio.sleep(self.faults.hold_s)
            for message in held:
                await send(message)
        elif scope["method"] == "GET":
            await self.app(scope, receive, send)
        else:
            status = 0

            async def watch(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = int(message["status"])
                await send(message)

            await self.app(scope, receive, watch)
            self.faults.wrote(scope["method"], scope["path"], status)


async def _answer(
    send: Send, status: int, body: dict[str, object], headers: dict[str, str] | None = None
) -> None:
    raw = json.dumps(body).encode()
    pairs = [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]
    pairs += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": pairs})
    await send({"type": "http.response.body", "body": raw})
