"""Private helpers: opaque listing cursors."""

from __future__ import annotations

import base64
import json
from typing import Any

from intrro_gateway.ports.unit_of_work import InvalidCursorError

__all__ = ["InvalidCursorError", "decode_cursor", "encode_cursor"]


def encode_cursor(*parts: Any) -> str:
    """An opaque cursor for the position after these sort keys."""
    raw = json.dumps(list(parts), separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


_MAX_CURSOR = 1024  # a cursor this adapter makes is far shorter


def decode_cursor(cursor: str, arity: int) -> list[Any]:
    """The sort keys a cursor holds (strings or numbers only); raises InvalidCursorError for anything
    else, however long, nested or oddly encoded."""
    if len(cursor) > _MAX_CURSOR:
        raise InvalidCursorError("malformed cursor")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        parts = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeError, RecursionError) as exc:
        raise InvalidCursorError("malformed cursor") from exc
    if not isinstance(parts, list) or len(parts) != arity:
        raise InvalidCursorError("malformed cursor")
    for part in parts:
        if isinstance(part, bool) or not isinstance(part, str | int | float):
            raise InvalidCursorError("malformed cursor")
        if isinstance(part, str) and "\x00" in part:  # no database text holds a NUL
            raise InvalidCursorError("malformed cursor")
    return parts
