"""Errors a sandbox's state changes raise; each sandbox's HTTP layer turns them into its ATS's answers.

SandboxError
├── UnknownRecordError   (an id names no record: 404)
├── InvalidStateError    (the action does not apply to the record as it is now)
└── InvalidFieldError    (a request carries a missing, unknown or malformed field)
"""

from __future__ import annotations


class SandboxError(Exception):
    """Base of every error a sandbox state change raises."""


class UnknownRecordError(SandboxError):
    """Raised when an id names no record of the resource."""

    missing = "not found"
    """How the ATS says it, after the resource and the id (a sandbox's subclass may say it its way)."""

    def __init__(self, resource: str, record_id: object) -> None:
        super().__init__(f"{resource} {record_id} {self.missing}")
        self.resource = resource
        self.record_id = record_id


class InvalidStateError(SandboxError):
    """Raised when an action does not apply to the record's current state."""


class InvalidFieldError(SandboxError):
    """Raised when a request carries a missing, unknown or malformed field or parameter."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
