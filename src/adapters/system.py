"""The system clock and random identifiers: the real implementations of `ports.clock`."""

from __future__ import annotations

import base64
import secrets
import uuid
from datetime import UTC, datetime

from intrro_gateway.ports.clock import Clock, IdGenerator

_INTRRO_SECRET_BYTES = 24
_OTHER_SECRET_BYTES = 32


class SystemClock(Clock):
    """The operating system's clock, in UTC."""

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        return datetime.now(UTC)


class UuidIdGenerator(IdGenerator):
    """Random UUIDs for identifiers and `secrets` for secrets."""

    def new_id(self) -> str:
        """A random UUID in hex form."""
        return uuid.uuid4().hex

    def new_secret(self, kind: str) -> str:
        """A Standard Webhooks `whsec_…` secret for `intrro`, a URL-safe random string otherwise."""
        if kind == "intrro":
            raw = secrets.token_bytes(_INTRRO_SECRET_BYTES)
            return "whsec_" + base64.b64encode(raw).decode("ascii")
        return secrets.token_urlsafe(_OTHER_SECRET_BYTES)
