"""The parties around the gateway, over HTTP as they would really talk: an admin on the API, Intrro
sending signed events and receiving pushes, a recruiter acting in the ATS (its sandbox)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook

from intrro_gateway.adapters.intrro.receiver import ReceivedEvent
from intrro_gateway.adapters.system import SystemClock
from intrro_gateway.entrypoints.demo._ats import Action
from intrro_gateway.entrypoints.demo._options import DemoFailedError
from intrro_gateway.entrypoints.demo._stack import Stack
from intrro_gateway.entrypoints.demo._tap import Recorder

_POLL_S = 0.02
_HTTP_TIMEOUT = httpx.Timeout(15.0, connect=5.0)


class Parties:
    """Talks to the gateway, the sandbox and the receiver of a running stack; every wait bounded."""

    def __init__(self, stack: Stack, recorder: Recorder, wait_s: float) -> None:
        self.stack = stack
        self.recorder = recorder
        self.wait_s = wait_s
        self.http = httpx.AsyncClient(timeout=_HTTP_TIMEOUT)
        self._auth = {"Authorization": f"Bearer {stack.api_token}"}

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self.http.aclose()

    async def api(self, method: str, path: str, expected: int, **kwargs: Any) -> Any:
        """An API call as an admin; its JSON answer, or DemoFailedError on another status."""
        url = f"{self.stack.gateway_url}{path}"
        response = await self.http.request(method, url, headers=self._auth, **kwargs)
        if response.status_code != expected:
            raise DemoFailedError(
                f"{method} {path} answered {response.status_code}, not {expected}: "
                f"{response.text[:300]}"
            )
        return response.json()

    async def sandbox(self, path: str, body: dict[str, Any]) -> Any:
        """A call to the sandbox's control API (what a user of the ATS does in its UI)."""
        response = await self.http.post(f"{self.stack.sandbox_url}{path}", json=body)
        if response.status_code >= 300:
            raise DemoFailedError(
                f"the sandbox refused {path}: {response.status_code} {response.text[:300]}"
            )
        return response.json()

    async def recruiter(self, action: Action) -> None:
        """A recruiter's action on an application, waiting until its web hooks reached the gateway."""
        answer = await self.sandbox(action.path, action.body)
        event_ids = set(answer.get("event_ids") or [])
        deadline = self.recorder.elapsed() + self.wait_s
        while True:
            response = await self.http.get(f"{self.stack.sandbox_url}/_sandbox/deliveries")
            delivered = {d["event_id"] for d in response.json() if d.get("status_code") == 200}
            if event_ids <= delivered:
                return
            if self.recorder.elapsed() > deadline:
                raise DemoFailedError(
                    f"the sandbox could not deliver the web hooks of {action.path} to the gateway "
                    f"within {self.wait_s:g} s"
                )
            await asyncio.sleep(_POLL_S)

    async def post_event(self, tenant: str, kind: str, data: dict[str, Any]) -> None:
        """An Intrro event, signed with the tenant's secret by the Standard Webhooks library."""
        body = json.dumps({"type": kind, "timestamp": now(), "data": data})
        message_id = f"msg_{uuid.uuid4().hex}"
        sent_at = _CLOCK.now().replace(microsecond=0)
        headers = {
            "webhook-id": message_id,
            "webhook-timestamp": str(int(sent_at.timestamp())),
            "webhook-signature": Webhook(self.stack.intrro_secret).sign(message_id, sent_at, body),
            "content-type": "application/json",
        }
        url = f"{self.stack.gateway_url}/events/intrro/{tenant}"
        response = await self.http.post(url, content=body, headers=headers)
        if response.status_code != 202:
            raise DemoFailedError(
                f"the gateway answered {kind} with {response.status_code}: {response.text[:300]}"
            )

    async def wait_for(self, what: str, match: Callable[[ReceivedEvent], bool]) -> ReceivedEvent:
        """The first event the receiver got that matches, waiting at most `wait_s`."""
        deadline = self.recorder.elapsed() + self.wait_s
        while True:
            found = next((e for e in self.stack.received if match(e)), None)
            if found is not None:
                return found
            if self.recorder.elapsed() > deadline:
                raise DemoFailedError(
                    f"the Intrro receiver did not get {what} within {self.wait_s:g} s; "
                    f"it got: {kinds(self.stack.received) or 'nothing'}"
                )
            await asyncio.sleep(_POLL_S)

    async def settled(self, tenant: str) -> None:
        """Wait until the gateway has no inbound delivery of the tenant left to process."""
        deadline = self.recorder.elapsed() + self.wait_s
        path = f"/api/tenants/{tenant}/deliveries?direction=in&state=received"
        while (await self.api("GET", path, 200))["deliveries"]:
            if self.recorder.elapsed() > deadline:
                raise DemoFailedError(
                    f"the gateway did not process its web hooks within {self.wait_s:g} s"
                )
            await asyncio.sleep(_POLL_S * 5)


def kinds(events: Sequence[ReceivedEvent]) -> str:
    """The events' types, in order."""
    return ", ".join(e.type for e in events)


_CLOCK = SystemClock()


def now() -> str:
    """The current time as Intrro writes it (ISO-8601, UTC, `Z`)."""
    return _CLOCK.now().isoformat().replace("+00:00", "Z")
