"""Fixtures for the sandbox's tests: a seeded state, an in-process client, a web hook receiver (the shared
ones of tests/integration/_sandbox_support.py over the Greenhouse sandbox), a control and a token."""

from __future__ import annotations

import httpx
import pytest

from intrro_gateway.sandboxes.greenhouse import (
    SandboxControl,
    SandboxState,
    create_sandbox_app,
    seeded_state,
)
from tests.integration._sandbox_support import SandboxKit
from tests.integration._sandbox_support import client as client
from tests.integration._sandbox_support import receiver as receiver
from tests.integration._sandbox_support import state as state
from tests.integration._sandbox_support import webhook_client as webhook_client
from tests.integration.sandbox.support import HOOK_SECRET, HOOK_URL, Receiver, mint


@pytest.fixture
def kit() -> SandboxKit:
    return SandboxKit(seeded_state, create_sandbox_app, Receiver, "http://sandbox.test")


@pytest.fixture
def control(state: SandboxState, webhook_client: httpx.AsyncClient) -> SandboxControl:
    control = SandboxControl(state, webhook_client)
    control.configure_webhooks(HOOK_URL, HOOK_SECRET)
    return control


@pytest.fixture
async def headers(client: httpx.AsyncClient) -> dict[str, str]:
    return {"Authorization": f"Bearer {await mint(client)}"}
