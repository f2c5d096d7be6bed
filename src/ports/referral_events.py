"""The referral platform's inbound events: a signed body in, a command out.

Errors:

    ReferralEventError
    ├── EventSignatureError   the signature or its timestamp does not check out
    └── InvalidEventError     the body breaks the event schema; `errors` names each bad field
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from intrro_gateway.domain.commands import Command


class ReferralEventError(Exception):
    """Base of every error a referral event adapter raises."""


class EventSignatureError(ReferralEventError):
    """Raised when the signature is missing or wrong, or its timestamp is too far from now."""


@dataclass(frozen=True, slots=True)
class FieldError:
    """One bad field of an event: a JSON pointer-like path and what is wrong with it."""

    field: str
    message: str


class InvalidEventError(ReferralEventError):
    """Raised when the body is JSON but breaks the envelope or the `data` schema of its type."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = tuple(errors)


class NotJsonError(ReferralEventError):
    """Raised when the body is not JSON at all."""


@dataclass(frozen=True, slots=True)
class ParsedEvent:
    """An inbound event: its type, and the command it asks for (None for a type the gateway ignores)."""

    type: str
    command: Command | None
    ordering_key: str | None  # the introduction it is about


class ReferralEventReader(Protocol):
    """Checks and reads the referral platform's events."""

    source: str

    def delivery_id(self, headers: Mapping[str, str]) -> str | None:
        """The delivery's id (the `webhook-id` header), if present."""
        ...

    def verify(
        self, headers: Mapping[str, str], body: bytes, secrets: Sequence[str], now: datetime
    ) -> None:
        """Check the signature against any of the secrets; raises EventSignatureError."""
        ...

    def parse(self, tenant_id: str, body: bytes) -> ParsedEvent:
        """Read an event into a command; raises NotJsonError or InvalidEventError."""
        ...
