"""Parsers for Harvest query parameters and cursors; each raises QueryError on bad input."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from intrro_gateway.sandboxes.greenhouse._clock import parse_stamp

MAX_IDS = 50
_OPERATORS = ("gte", "lte", "gt", "lt")


class QueryError(ValueError):
    """Raised when a query parameter or cursor is malformed; the message goes into the 422 body."""


@dataclass(frozen=True, slots=True)
class TimeBound:
    """One side of a time filter: `gte|2024-01-01T00:00:00Z` is ("gte", that moment)."""

    operator: str
    moment: datetime

    def admits(self, value: datetime) -> bool:
        """Whether a record's time satisfies this bound."""
        if self.operator == "gte":
            return value >= self.moment
        if self.operator == "lte":
            return value <= self.moment
        if self.operator == "gt":
            return value > self.moment
        return value < self.moment


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where the next page starts: the first request's parameters and the last id served."""

    resource: str
    query: tuple[tuple[str, str], ...]
    per_page: int
    after_id: int
    page: int


def parse_ids(name: str, text: str) -> list[int]:
    """A comma-separated list of 1 to 50 positive integer ids."""
    parts = text.split(",")
    if len(parts) > MAX_IDS:
        raise QueryError(f"{name} accepts at most {MAX_IDS} ids")
    ids: list[int] = []
    for part in parts:
        if not part.isascii() or not part.isdigit() or int(part) <= 0:
            raise QueryError(f"Invalid value for {name}: {text!r}")
        ids.append(int(part))
    return ids


def parse_strings(name: str, text: str) -> list[str]:
    """A comma-separated list of 1 to 50 non-empty strings."""
    parts = text.split(",")
    if len(parts) > MAX_IDS or any(not p for p in parts):
        raise QueryError(f"Invalid value for {name}: {text!r}")
    return parts


def parse_bool(name: str, text: str) -> bool:
    """`true` or `false`, nothing else."""
    if text not in ("true", "false"):
        raise QueryError(f"Invalid value for {name}: {text!r} (expected true or false)")
    return text == "true"


def parse_int(name: str, text: str) -> int:
    """One positive integer."""
    if not text.isascii() or not text.isdigit() or int(text) <= 0:
        raise QueryError(f"Invalid value for {name}: {text!r}")
    return int(text)


def parse_per_page(text: str) -> int:
    """`per_page`: an integer from 1 to 500."""
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 500:
        raise QueryError("per_page must be an integer between 1 and 500")
    return int(text)


def parse_time_filter(name: str, text: str) -> list[TimeBound]:
    """`op|time` or `op|time|op|time` with op in gte, lte, gt, lt and an ISO-8601 time with offset."""
    parts = text.split("|")
    if len(parts) not in (2, 4):
        raise QueryError(f"Invalid value for {name}: {text!r}")
    bounds: list[TimeBound] = []
    for operator, raw in zip(parts[::2], parts[1::2], strict=True):
        if operator not in _OPERATORS:
            raise QueryError(f"Invalid operator for {name}: {operator!r}")
        try:
            bounds.append(TimeBound(operator, parse_stamp(raw)))
        except ValueError as exc:
            raise QueryError(f"Invalid time for {name}: {raw!r}") from exc
    if len(bounds) == 2 and bounds[0].operator[:2] == bounds[1].operator[:2]:
        raise QueryError(f"Invalid value for {name}: both bounds on one side")
    return bounds


def encode_cursor(cursor: Cursor) -> str:
    """The opaque, URL-safe Base64 cursor for a `Link` header."""
    data = {
        "resource": cursor.resource,
        "query": dict(cursor.query),
        "per_page": cursor.per_page,
        "id": cursor.after_id,
        "page": cursor.page,
    }
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode()


def decode_cursor(text: str) -> Cursor:
    """Read a cursor this sandbox wrote; anything else is a QueryError."""
    try:
        data: Any = json.loads(base64.urlsafe_b64decode(text.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError) as exc:
        raise QueryError("Invalid or expired cursor.") from exc
    if not isinstance(data, dict):
        raise QueryError("Invalid or expired cursor.")
    resource, query = data.get("resource"), data.get("query")
    per_page, after_id, page = data.get("per_page"), data.get("id"), data.get("page")
    if not (
        isinstance(resource, str)
        and isinstance(query, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in query.items())
        and isinstance(per_page, int)
        and isinstance(after_id, int)
        and isinstance(page, int)
        and 1 <= per_page <= 500
    ):
        raise QueryError("Invalid or expired cursor.")
    return Cursor(resource, tuple(sorted(query.items())), per_page, after_id, page)
