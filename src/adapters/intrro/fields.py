"""The field types of Intrro's messages (non-blank text, e-mail, web URL, zoned time) as pydantic
types with their JSON Schema, and the one map from a pydantic error to a named bad field."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Final
from urllib.parse import urlsplit

from pydantic import AfterValidator, PlainValidator, ValidationError, WithJsonSchema
from pydantic_core import ErrorDetails, PydanticCustomError

from intrro_gateway.ports.referral_events import FieldError

_LOCAL_PART: Final = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
)
_LABEL: Final = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


def parse_time(text: str) -> datetime | None:
    """An ISO-8601 time with a zone, in UTC; None for anything else."""
    if not text.isascii() or len(text) > 64:
        return None
    try:
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            return None
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def is_email(text: str) -> bool:
    """Whether `text` is a plain `local@domain.tld` address (RFC 5321 lengths, dot-atom local part)."""
    if len(text) > 254 or text.count("@") != 1:
        return False
    local, domain = text.split("@")
    if not 0 < len(local) <= 64 or not _LOCAL_PART.fullmatch(local):
        return False
    labels = domain.split(".")
    if len(labels) < 2 or labels[-1].isdigit():
        return False
    return all(_LABEL.fullmatch(label) for label in labels)


def is_web_url(text: str) -> bool:
    """Whether `text` is an absolute http(s) URL with a host and no whitespace."""
    if any(char.isspace() for char in text):
        return False
    try:
        parts = urlsplit(text)
        host = parts.hostname
        parts.port  # noqa: B018 - reading it raises ValueError for a bad port
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(host)


def _bad(kind: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(kind, message)


def _non_blank(value: str) -> str:
    if not value.strip():
        raise _bad("blank", "must not be blank")
    return value


def _email(value: str) -> str:
    if not is_email(value):
        raise _bad("email", "must be an e-mail address")
    return value


def _web_url(value: str) -> str:
    if not is_web_url(value):
        raise _bad("url", "must be an http or https URL")
    return value


def _zoned_time(value: Any) -> datetime:
    parsed = parse_time(value) if isinstance(value, str) else None
    if parsed is None:
        raise _bad("time", "must be an ISO-8601 time with a zone")
    return parsed


NonBlank = Annotated[
    str,
    AfterValidator(_non_blank),
    WithJsonSchema({"type": "string", "minLength": 1, "pattern": r"\S"}),
]
Email = Annotated[
    str,
    AfterValidator(_non_blank),
    AfterValidator(_email),
    WithJsonSchema({"type": "string", "format": "email", "maxLength": 254}),
]
WebUrl = Annotated[
    str,
    AfterValidator(_non_blank),
    AfterValidator(_web_url),
    WithJsonSchema({"type": "string", "format": "uri", "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://"}),
]
ZonedTime = Annotated[
    datetime,
    PlainValidator(_zoned_time),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]

_MESSAGES: Final = {
    "missing": "is required",
    "string_type": "must be a string",
    "list_type": "must be an array",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "bool_type": "must be true or false",
    "int_type": "must be an integer",
    "extra_forbidden": "unknown field",
}


def message_of(error: ErrorDetails) -> str:
    """A short message for one pydantic error, in the gateway's words."""
    kind = error["type"]
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if kind == "too_short":
        least = (error.get("ctx") or {}).get("min_length", 1)
        return f"must have at least {least} item{'s' if least != 1 else ''}"
    if kind in {"literal_error", "enum"}:
        expected = (error.get("ctx") or {}).get("expected", "")
        return f"must be {expected}"
    return error["msg"]


def dotted(loc: tuple[int | str, ...]) -> str:
    """A location as `data.candidate.emails[1]`."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def field_errors(exc: ValidationError, prefix: tuple[str, ...] = ()) -> list[FieldError]:
    """Each bad field of a validation error, named by its dotted path."""
    return [
        FieldError(field=dotted((*prefix, *error["loc"])), message=message_of(error))
        for error in exc.errors(include_url=False, include_input=False)
    ]
