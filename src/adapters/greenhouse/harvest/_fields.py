"""Defensive readers of JSON values: a field of an unexpected type reads as absent, never raises."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any


def record(value: Any) -> Mapping[str, Any]:
    """The value as a JSON object, or an empty one."""
    return value if isinstance(value, Mapping) else {}


def records(value: Any) -> Iterator[Mapping[str, Any]]:
    """The JSON objects of a list value; anything else is skipped."""
    if isinstance(value, list | tuple):
        for item in value:
            if isinstance(item, Mapping):
                yield item


def ident(value: Any) -> str | None:
    """An id as a string (Greenhouse sends integers; strings are accepted), or None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def idents(value: Any) -> tuple[str, ...]:
    """The ids of a list value, in order, without duplicates."""
    if not isinstance(value, list | tuple):
        return ()
    return tuple(dict.fromkeys(i for i in (ident(v) for v in value) if i is not None))


def text(value: Any) -> str | None:
    """A non-empty string, stripped, or None."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def integer(value: Any) -> int | None:
    """An integer (also from an integral float or a digit string), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and value.strip().isascii():
        return int(value.strip())
    return None


def flag(value: Any) -> bool | None:
    """A boolean (also from "true"/"false"), or None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    return None


def values(value: Any) -> tuple[str, ...]:
    """The `value`s of a Greenhouse list of `{value, type}` objects (or of plain strings)."""
    out: list[str] = []
    if isinstance(value, list | tuple):
        for item in value:
            found = text(item.get("value")) if isinstance(item, Mapping) else text(item)
            if found is not None:
                out.append(found)
    return tuple(dict.fromkeys(out))
