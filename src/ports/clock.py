"""Time and identifiers, handed to the core as values."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """Tells the time."""

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class IdGenerator(Protocol):
    """Makes identifiers."""

    def new_id(self) -> str:
        """A new identifier, unique across processes (a UUID in hex form, say)."""
        ...

    def new_secret(self, kind: str) -> str:
        """A new random secret: `intrro` gives a Standard Webhooks `whsec_…` secret, any other kind
        a URL-safe random string."""
        ...
