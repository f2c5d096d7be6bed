"""Fixtures for the Lever sandbox's tests: a seeded state, an in-process client, a web hook receiver."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from intrro_gateway.sandboxes.lever import (
    SandboxControl,
    SandboxState,
    create_sandbox_app,
    seeded_state,
)
from tests.integration.sandbox_lever.support import Receiver


@pytest.fixture
def state() -> SandboxState:
    return seeded_state()


@pytest.fixture
def receiver() -> Receiver:
    return Receiver()


@pytest.fixture
async def webhook_client(receiver: Receiver) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.MockTransport(receiver.handle)) as client:
        yield client


@pytest.fixture
async def client(
    state: SandboxState, webhook_client: httpx.AsyncClient
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_sandbox_app(state, webhook_client=webhook_client)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://lever.test/v1") as client:
        yield client


@pytest.fixture
def control(state: SandboxState, webhook_client: httpx.AsyncClient) -> SandboxControl:
    return SandboxControl(state, webhook_client)
