"""Errors the sandbox's state changes raise; the HTTP layers turn them into Greenhouse-shaped answers.

SandboxError
├── UnknownRecordError   (an id names no record: 404)
├── InvalidStateError    (the action does not apply to the record as it is now: 422)
└── InvalidFieldError    (a write names a bad value for a field: 422)

The classes are the sandboxes' common ones (`sandboxes/_common/errors.py`).
"""

from __future__ import annotations

from intrro_gateway.sandboxes._common.errors import (
    InvalidFieldError,
    InvalidStateError,
    SandboxError,
    UnknownRecordError,
)

__all__ = ["InvalidFieldError", "InvalidStateError", "SandboxError", "UnknownRecordError"]
