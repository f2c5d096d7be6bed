"""Strict checks of JSON request bodies: unknown fields, missing fields and wrong types are refused.

Each sandbox names its own field kinds and schemas (what its ATS accepts); the checks are the same.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from intrro_gateway.sandboxes._common.errors import InvalidFieldError

Check = Callable[[Any], bool]


@dataclass(frozen=True, slots=True)
class Kind:
    """A field's expected JSON type, with the words used when it is wrong."""

    check: Check
    description: str


STRING = Kind(lambda v: isinstance(v, str), "a string")
TEXT = Kind(lambda v: isinstance(v, str) and v.strip() != "", "a non-empty string")
BOOLEAN = Kind(lambda v: isinstance(v, bool), "true or false")
OBJECT = Kind(lambda v: isinstance(v, dict), "an object")


def one_of(*values: str) -> Kind:
    """A string from a fixed set."""
    return Kind(lambda v: v in values, f"one of: {', '.join(values)}")


def parse_json_object(body: bytes) -> dict[str, Any]:
    """The request body as a JSON object (an empty body is `{}`); raises InvalidFieldError otherwise."""
    try:
        data = json.loads(body) if body.strip() else {}
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidFieldError("body", "is not valid JSON") from exc
    if not isinstance(data, dict):
        raise InvalidFieldError("body", "must be a JSON object")
    return data


def check_fields(
    data: Mapping[str, Any], schema: Mapping[str, Kind], required: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The body's fields, after refusing unknown, missing and mistyped ones (first problem wins)."""
    for name in data:
        if name not in schema:
            raise InvalidFieldError(name, "is not a permitted field")
    for name in required:
        if name not in data:
            raise InvalidFieldError(name, "is required")
    for name, value in data.items():
        kind = schema[name]
        if not kind.check(value):
            raise InvalidFieldError(name, f"must be {kind.description}")
    return dict(data)
