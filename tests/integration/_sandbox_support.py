"""What the two sandboxes' tests share: a receiver recording the web hook deliveries a sandbox sends, and
the fixtures over one sandbox (`state`, `receiver`, `webhook_client`, `client`: the app in process).

Each sandbox's conftest imports the fixtures and provides `kit` (its sandbox's seeded state, app,
`Receiver` reading its ATS's deliveries, and base URL) and its own `control`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp


@dataclass
class Receiver:
    """Records every web hook request the sandbox sends, answering with `status_code`."""

    status_code: int = 200
    requests: list[httpx.Request] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.status_code)

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]


@dataclass(frozen=True)
class SandboxKit:
    """One sandbox, as its tests' fixtures need it."""

    seeded_state: Callable[[], Any]
    create_app: Callable[..., ASGIApp]
    """`create_sandbox_app(state, webhook_client=...)`."""
    receiver: Callable[[], Receiver]
    base_url: str


@pytest.fixture
def state(kit: SandboxKit) -> Any:
    """A freshly seeded sandbox state."""
    return kit.seeded_state()


@pytest.fixture
def receiver(kit: SandboxKit) -> Receiver:
    """Where the sandbox's web hooks arrive."""
    return kit.receiver()


@pytest.fixture
async def webhook_client(receiver: Receiver) -> AsyncIterator[httpx.AsyncClient]:
    """The client a sandbox delivers its web hooks on: straight to `receiver`."""
    async with httpx.AsyncClient(transport=httpx.MockTransport(receiver.handle)) as client:
        yield client


@pytest.fixture
async def client(
    kit: SandboxKit, state: Any, webhook_client: httpx.AsyncClient
) -> AsyncIterator[httpx.AsyncClient]:
    """The sandbox app over `state`, called in process under the kit's base URL."""
    app = kit.create_app(state, webhook_client=webhook_client)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=kit.base_url) as http:
        yield http
