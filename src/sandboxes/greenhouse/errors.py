"""Errors the sandbox's state changes raise; the HTTP layers turn them into Greenhouse-shaped answers.

SandboxError
├── UnknownRecordError   (an id names no record: 404)
├── InvalidStateError    (the action does not apply to the record as it is now: 422)
└── InvalidFieldError    (a write names a bad value for a field: 422)
"""

from __future__ import annotations


class SandboxError(Exception):
    """Base of every error a sandbox state change raises."""


class UnknownRecordError(SandboxError):
    """Raised when an id names no record of the resource."""

    def __init__(self, resource: str, record_id: object) -> None:
        super().__init__(f"{resource} {record_id} not found")
        self.resource = resource
        self.record_id = record_id


class InvalidStateError(SandboxError):
    """Raised when an action does not apply to the record's current state (reject a hired application)."""


class InvalidFieldError(SandboxError):
    """Raised when a write carries a missing, unknown or malformed field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
