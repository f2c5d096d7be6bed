"""Fixtures for the Lever sandbox's tests: a seeded state, an in-process client, a web hook receiver (the
shared ones of tests/integration/_sandbox_support.py over the Lever sandbox) and a control."""

from __future__ import annotations

import httpx
import pytest

from intrro_gateway.sandboxes.lever import (
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
from tests.integration.sandbox_lever.support import Receiver


@pytest.fixture
def kit() -> SandboxKit:
    return SandboxKit(seeded_state, create_sandbox_app, Receiver, "http://lever.test/v1")


@pytest.fixture
def control(state: SandboxState, webhook_client: httpx.AsyncClient) -> SandboxControl:
    return SandboxControl(state, webhook_client)
