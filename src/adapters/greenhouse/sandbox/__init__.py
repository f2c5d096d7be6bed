"""A stand-in for Greenhouse (Harvest v3 and Recruiting web hooks) for the demo and the tests; not Greenhouse."""

from __future__ import annotations

from adapters.greenhouse.sandbox._ratelimit import RateLimit
from adapters.greenhouse.sandbox._scopes import ALL_SCOPES
from adapters.greenhouse.sandbox._webhooks import Delivery, DeliveryOptions, FiredEvent, sign
from adapters.greenhouse.sandbox.app import create_sandbox_app
from adapters.greenhouse.sandbox.control import SandboxControl
from adapters.greenhouse.sandbox.errors import (
    InvalidFieldError,
    InvalidStateError,
    SandboxError,
    UnknownRecordError,
)
from adapters.greenhouse.sandbox.state import (
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
    "sign",
]
