"""Errors the Lever sandbox's state changes raise; the HTTP layer turns them into Lever-shaped answers.

SandboxError
├── UnknownRecordError   (an id names no record: 404)
├── InvalidStateError    (the action does not apply to the record as it is now: 400)
├── InvalidFieldError    (a request carries a missing, unknown or malformed field: 400)
└── ConfidentialError    (confidential data asked with a key not allowed to see it: 403)

All but the last are the sandboxes' common ones (`sandboxes/_common/errors.py`); Lever words a missing
record its own way.
"""

from __future__ import annotations

from intrro_gateway.sandboxes._common import errors as common
from intrro_gateway.sandboxes._common.errors import (
    InvalidFieldError,
    InvalidStateError,
    SandboxError,
)

__all__ = [
    "ConfidentialError",
    "InvalidFieldError",
    "InvalidStateError",
    "SandboxError",
    "UnknownRecordError",
]


class UnknownRecordError(common.UnknownRecordError):
    """Raised when an id names no record of the resource ("… was not found")."""

    missing = "was not found"


class ConfidentialError(SandboxError):
    """Raised when a key without access to confidential data asks for confidential records."""

    def __init__(self) -> None:
        super().__init__("This API key has no access to confidential data")
