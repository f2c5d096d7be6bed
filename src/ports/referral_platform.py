"""The referral platform port: events pushed out to Intrro.

Errors:

    PushError
    ├── PushFailedError    not delivered this time (network, timeout, 5xx, 429): retry, after `retry_after`
    └── PushRefusedError   the platform refused it for good (400, 404, 410): park it as dead at once
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


class PushError(Exception):
    """Base of every error a referral platform adapter raises."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class PushFailedError(PushError):
    """Raised when an event was not delivered this time; worth retrying."""

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class PushRefusedError(PushError):
    """Raised when the platform refuses an event for good."""


@dataclass(frozen=True, slots=True)
class PushTarget:
    """Where a tenant's events go, and the secret they are signed with."""

    url: str
    secret: str


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """One event to push; `message_id` stays the same across retries and replays."""

    message_id: str
    type: str
    timestamp: datetime
    data: dict[str, Any]


class ReferralPlatform(Protocol):
    """The referral platform that receives the gateway's events."""

    async def push(self, target: PushTarget, message: OutboundMessage) -> None:
        """Deliver one event; returns when the platform acknowledged it."""
        ...
