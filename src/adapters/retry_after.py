"""The `Retry-After` header, read once for every adapter that talks HTTP (Harvest and Intrro).

A value is a delay in seconds (decimals allowed), an epoch timestamp (any number from
`EPOCH_THRESHOLD` up: Greenhouse's v1 API sent epochs in 2023, and no server means a delay of
thirty years), or an HTTP date. What cannot be read (negative, not a number, not a date) is None,
so the caller falls back to its own default; a time already past is 0.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

EPOCH_THRESHOLD = 1_000_000_000.0
WEEK_S = 7 * 24 * 3600.0


def parse_retry_after(value: str | None, now: datetime, *, limit: float = WEEK_S) -> float | None:
    """Seconds to wait from `now`, at most `limit`; None when absent or unreadable. Never raises."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isnan(number):
        if not math.isfinite(number) or number < 0:
            return None
        seconds = number - now.timestamp() if number >= EPOCH_THRESHOLD else number
        return min(max(seconds, 0.0), limit)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max((when - now).total_seconds(), 0.0), limit)
