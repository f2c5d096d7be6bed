"""The errors the use cases raise, for the entrypoints and the worker to map.

ServiceError
├── NotFoundError            an unknown tenant, introduction or item
├── InvalidInputError        bad input from an API caller; `errors` lists each problem
├── ForbiddenError           the caller's token may not do this (a tenant token deleting its tenant)
├── CredentialRefusedError   the ATS refused the credential: nothing is stored
├── DeferredError            processing must wait (a link not committed yet); `not_before`
└── PermanentError           retrying cannot help: park the item as dead
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime


class ServiceError(Exception):
    """Base of every error a use case raises on its own account."""


class NotFoundError(ServiceError):
    """Raised when a tenant, introduction or delivery the caller names does not exist."""

    def __init__(self, what: str, ident: str) -> None:
        super().__init__(f"{what} {ident!r} not found")
        self.what = what
        self.ident = ident


class InvalidInputError(ServiceError):
    """Raised when an API caller's input breaks a rule; `errors` names each problem."""

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors: list[str] = list(errors)


class ForbiddenError(ServiceError):
    """Raised when the caller's token is not allowed the action (operators only)."""


class CredentialRefusedError(ServiceError):
    """Raised when the ATS refuses the credential an admin gave; nothing was stored."""


class DeferredError(ServiceError):
    """Raised when processing must wait for something not committed yet; try again at `not_before`."""

    def __init__(self, reason: str, *, not_before: datetime) -> None:
        super().__init__(reason)
        self.reason = reason
        self.not_before = not_before


class PermanentError(ServiceError):
    """Raised when retrying cannot help (the input can never be processed): park it as dead."""
