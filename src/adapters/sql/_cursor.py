"""Private helpers: opaque listing cursors."""

from __future__ import annotations

import base64
import json
from typing import Any


class InvalidCursorError(ValueError):
    """Raised when a cursor was not made by this adapter (tampered with, or truncated)."""


def encode_cursor(*parts: Any) -> str:
    """An opaque cursor for the position after these sort keys."""
    raw = json.dumps(list(parts), separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, arity: int) -> list[Any]:
    """The sort keys a cursor holds; raises InvalidCursorError for anything else."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        parts = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidCursorError("malformed cursor") from exc
    if not isinstance(parts, list) or len(parts) != arity:
        raise InvalidCursorError("malformed cursor")
    return parts
