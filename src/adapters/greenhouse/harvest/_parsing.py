"""Parsers of what Greenhouse sends back: headers, timestamps and error bodies; none of them raise.

`Retry-After` is read by the adapters' shared `adapters/retry_after.py`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from intrro_gateway.adapters.retry_after import parse_retry_after

_LINK_PART = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]*)*)")
_REL = re.compile(r"""rel\s*=\s*"?([^";]*)"?""", re.IGNORECASE)
_MAX_SECONDS = 10.0**9


def parse_reset(value: str | None, now: datetime) -> datetime | None:
    """When the rate-limit window resets, from `X-RateLimit-Reset` (epoch, or seconds from now)."""
    seconds = parse_retry_after(value, now, limit=math.inf)
    if seconds is None or seconds > _MAX_SECONDS:
        return None
    return now + timedelta(seconds=seconds)


def parse_int(value: str | None) -> int | None:
    """A non-negative integer header value, or None."""
    if value is None:
        return None
    text = value.strip()
    if not text.isascii() or not text.isdigit():
        return None
    return int(text)


def parse_next_link(value: str | None) -> str | None:
    """The `rel="next"` URL of a `Link` header; None when absent, empty or malformed."""
    if not value:
        return None
    for match in _LINK_PART.finditer(value):
        url, params = match.group(1).strip(), match.group(2)
        rels = [r.lower() for m in _REL.finditer(params) for r in m.group(1).split()]
        if "next" in rels and url:
            return url
    return None


def cursor_of(url: str) -> str | None:
    """The `cursor` query parameter of a next link, if it has one."""
    try:
        query = urlsplit(url).query
    except ValueError:
        return None
    values = parse_qs(query, keep_blank_values=False).get("cursor")
    return values[0] if values else None


def parse_timestamp(value: Any) -> datetime | None:
    """A timezone-aware UTC time from an ISO-8601 string (with `Z`, an offset or none), or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def format_timestamp(when: datetime) -> str:
    """A time as Greenhouse filters take it: UTC, seconds, `Z` (floored, so `gte` loses nothing)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class ErrorBody:
    """What an error answer said: its message and its list of errors, as text."""

    message: str
    errors: tuple[str, ...]


def parse_error_body(body: Any, fallback: str) -> ErrorBody:
    """Read `{message}`, `{message, errors: [str | obj]}`, `{errors: [...]}` or OAuth `{error}`."""
    message: str | None = None
    errors: list[str] = []
    if isinstance(body, Mapping):
        raw_message = body.get("message")
        if isinstance(raw_message, str) and raw_message.strip():
            message = raw_message.strip()
        raw_errors = body.get("errors")
        if isinstance(raw_errors, Sequence) and not isinstance(raw_errors, str | bytes):
            errors = [text for item in raw_errors if (text := _error_text(item))]
        elif isinstance(raw_errors, Mapping):
            errors = [f"{k}: {_error_text(v)}" for k, v in raw_errors.items() if _error_text(v)]
        elif isinstance(raw_errors, str) and raw_errors.strip():
            errors = [raw_errors.strip()]
        oauth = body.get("error")
        if isinstance(oauth, str) and oauth.strip():
            detail = body.get("error_description")
            text = f"{oauth}: {detail}" if isinstance(detail, str) and detail else oauth
            errors.append(text)
    elif isinstance(body, str) and body.strip():
        message = body.strip()[:500]
    if message is None:
        message = errors[0] if errors else fallback
    return ErrorBody(message=message, errors=tuple(errors))


def _error_text(item: Any) -> str:
    if isinstance(item, str):
        return item.strip()
    if isinstance(item, Mapping):
        text = item.get("message")
        field = item.get("field")
        text = text if isinstance(text, str) else ""
        if isinstance(field, str) and field:
            return f"{field}: {text}".strip() if text else field
        return text.strip()
    if isinstance(item, Sequence) and not isinstance(item, bytes):
        return "; ".join(t for t in (_error_text(i) for i in item) if t)
    if isinstance(item, int | float) and not isinstance(item, bool):
        return str(item)
    return ""
