"""A stand-in for Lever (the v1 Data API with API-key auth, and Lever's signed web hooks) for the demo
and the tests; not Lever."""

from __future__ import annotations

from intrro_gateway.sandboxes.lever._faults import Fault, RandomFaults
from intrro_gateway.sandboxes.lever._permissions import ALL_PERMISSIONS, ENDPOINTS
from intrro_gateway.sandboxes.lever._ratelimit import RateLimit
from intrro_gateway.sandboxes.lever._seed import empty_state, seeded_state
from intrro_gateway.sandboxes.lever._webhooks import (
    Delivery,
    DeliveryOptions,
    FiredEvent,
    Webhook,
    sign,
)
from intrro_gateway.sandboxes.lever.app import create_sandbox_app
from intrro_gateway.sandboxes.lever.control import GATEWAY_EVENTS, SandboxControl
from intrro_gateway.sandboxes.lever.errors import (
    InvalidFieldError,
    InvalidStateError,
    SandboxError,
    UnknownRecordError,
)
from intrro_gateway.sandboxes.lever.state import (
    ApiKey,
    LoggedRequest,
    SandboxState,
    SeedIds,
)

__all__ = [
    "ALL_PERMISSIONS",
    "ENDPOINTS",
    "GATEWAY_EVENTS",
    "ApiKey",
    "Delivery",
    "DeliveryOptions",
    "Fault",
    "FiredEvent",
    "InvalidFieldError",
    "InvalidStateError",
    "LoggedRequest",
    "RandomFaults",
    "RateLimit",
    "SandboxControl",
    "SandboxError",
    "SandboxState",
    "SeedIds",
    "UnknownRecordError",
    "Webhook",
    "create_sandbox_app",
    "empty_state",
    "seeded_state",
    "sign",
]
