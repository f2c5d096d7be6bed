"""A stand-in for Greenhouse (Harvest v3 and Recruiting web hooks) for the demo and the tests; not Greenhouse."""

from __future__ import annotations

from intrro_gateway.sandboxes.greenhouse._ratelimit import RateLimit
from intrro_gateway.sandboxes.greenhouse._scopes import ALL_SCOPES
from intrro_gateway.sandboxes.greenhouse._seed import seeded_state
from intrro_gateway.sandboxes.greenhouse._webhooks import (
    Delivery,
    DeliveryOptions,
    FiredEvent,
    sign,
)
from intrro_gateway.sandboxes.greenhouse.app import create_sandbox_app
from intrro_gateway.sandboxes.greenhouse.control import SandboxControl
from intrro_gateway.sandboxes.greenhouse.errors import (
    InvalidFieldError,
    InvalidStateError,
    SandboxError,
    UnknownRecordError,
)
from intrro_gateway.sandboxes.greenhouse.state import (
    Credential,
    IssuedToken,
    LoggedRequest,
    SandboxState,
    SeedIds,
)

__all__ = [
    "ALL_SCOPES",
    "Credential",
    "Delivery",
    "DeliveryOptions",
    "FiredEvent",
    "InvalidFieldError",
    "InvalidStateError",
    "IssuedToken",
    "LoggedRequest",
    "RateLimit",
    "SandboxControl",
    "SandboxError",
    "SandboxState",
    "SeedIds",
    "UnknownRecordError",
    "create_sandbox_app",
    "seeded_state",
    "sign",
]
