"""Parsers for Lever query parameters and `offset` tokens; each raises QueryError on bad input."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

MAX_LIMIT = 100
_MAX_MS = 10**15


class QueryError(ValueError):
    """Raised when a query parameter or offset token is malformed; the message goes into the 400 body."""


@dataclass(frozen=True, slots=True)
class Offset:
    """Where the next page starts: the list it belongs to, its filters' digest, the last row served."""

    resource: str
    digest: str
    after: int


def read_query(
    pairs: Sequence[tuple[str, str]], single: Iterable[str], repeatable: Iterable[str] = ()
) -> dict[str, list[str]]:
    """The parameters by name after refusing unknown ones and repeats of single-valued ones."""
    single_names, many_names = set(single), set(repeatable)
    query: dict[str, list[str]] = {}
    for name, value in pairs:
        if name not in single_names and name not in many_names:
            raise QueryError(f"Unknown query parameter: {name}")
        query.setdefault(name, []).append(value)
    for name, values in query.items():
        if name in single_names and len(values) > 1:
            raise QueryError(f"Query parameter {name} may be given only once")
    return query


def parse_limit(text: str) -> int:
    """`limit`: an integer from 1 to 100."""
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise QueryError(f"limit must be an integer between 1 and {MAX_LIMIT}")
    return int(text)


def parse_bool(name: str, text: str) -> bool:
    """`true` or `false`, nothing else."""
    if text not in ("true", "false"):
        raise QueryError(f"{name} must be true or false, not {text!r}")
    return text == "true"


def parse_ms(name: str, text: str) -> int:
    """A time as Unix epoch milliseconds: digits only."""
    if not text.isascii() or not text.isdigit() or int(text) > _MAX_MS:
        raise QueryError(f"{name} must be a timestamp in epoch milliseconds, not {text!r}")
    return int(text)


def parse_text(name: str, text: str) -> str:
    """A non-empty value."""
    if not text.strip():
        raise QueryError(f"{name} must not be empty")
    return text


def filter_digest(query: dict[str, list[str]]) -> str:
    """A short digest of the filters (everything but `limit` and `offset`), bound into each token."""
    kept = sorted((k, sorted(v)) for k, v in query.items() if k not in ("limit", "offset"))
    return hashlib.sha256(json.dumps(kept).encode()).hexdigest()[:16]


def encode_offset(offset: Offset) -> str:
    """The opaque `next` token."""
    data = {"r": offset.resource, "d": offset.digest, "a": offset.after}
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def decode_offset(text: str) -> Offset:
    """Read a token this sandbox wrote; anything else is a QueryError."""
    try:
        padded = text + "=" * (-len(text) % 4)
        data: Any = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError) as exc:
        raise QueryError("Invalid offset token") from exc
    if not (
        isinstance(data, dict)
        and isinstance(data.get("r"), str)
        and isinstance(data.get("d"), str)
        and type(data.get("a")) is int
        and data["a"] >= 0
    ):
        raise QueryError("Invalid offset token")
    return Offset(data["r"], data["d"], data["a"])
