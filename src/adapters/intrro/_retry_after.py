"""The `Retry-After` header: a delay in seconds, or an HTTP date."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

_MAX_SECONDS = 7 * 24 * 3600.0  # a header asking for more than a week is read as a week


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from `now`, or None when the header is absent or unreadable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        return min(float(text), _MAX_SECONDS) if len(text) < 12 else _MAX_SECONDS
    try:
        at = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return min(max((at - now).total_seconds(), 0.0), _MAX_SECONDS)
