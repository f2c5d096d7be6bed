"""Errors the Lever sandbox's state changes raise; the HTTP layer turns them into Lever-shaped answers.

SandboxError
├── UnknownRecordError   (an id names no record: 404)
├── InvalidStateError    (the action does not apply to the record as it is now: 400)
├── InvalidFieldError    (a request carries a missing, unknown or malformed field: 400)
└── ConfidentialError    (confidential data asked with a key not allowed to see it: 403)
"""

from __future__ import annotations


class SandboxError(Exception):
    """Base of every error a sandbox state change raises."""


class UnknownRecordError(SandboxError):
    """Raised when an id names no record of the resource."""

    def __init__(self, resource: str, record_id: object) -> None:
        super().__init__(f"{resource} {record_id} was not found")
        self.resource = resource
        self.record_id = record_id


class InvalidStateError(SandboxError):
    """Raised when an action does not apply to the record's current state (hire a deleted one)."""


class InvalidFieldError(SandboxError):
    """Raised when a request carries a missing, unknown or malformed field or parameter."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class ConfidentialError(SandboxError):
    """Raised when a key without access to confidential data asks for confidential records."""

    def __init__(self) -> None:
        super().__init__("This API key has no access to confidential data")
