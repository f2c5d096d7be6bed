"""Field checks for Intrro events: each bad field is recorded as a FieldError with its path."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import urlsplit

from intrro_gateway.ports.referral_events import FieldError

_MISSING: Final = object()
_LOCAL_PART: Final = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
)
_LABEL: Final = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


class Fields:
    """Reads fields out of JSON objects, collecting an error for each bad one instead of raising."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def fail(self, path: str, message: str) -> None:
        """Record a bad field."""
        self.errors.append(FieldError(field=path, message=message))

    def object(self, parent: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any] | None:
        """A required object."""
        value = parent.get(key, _MISSING)
        if value is _MISSING or value is None:
            self.fail(path, "is required")
            return None
        if not isinstance(value, dict):
            self.fail(path, "must be an object")
            return None
        return value

    def text(
        self, parent: Mapping[str, Any], key: str, path: str, *, required: bool = True
    ) -> str | None:
        """A string with something in it; absent is an error when required, else None."""
        value = parent.get(key, _MISSING)
        if value is _MISSING:
            if required:
                self.fail(path, "is required")
            return None
        return self.non_blank(value, path)

    def optional_text(self, parent: Mapping[str, Any], key: str, path: str) -> str | None:
        """A string or null; absent is None."""
        value = parent.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(path, "must be a string or null")
            return None
        return value

    def non_blank(self, value: Any, path: str) -> str | None:
        """`value` as a string with something in it."""
        if not isinstance(value, str):
            self.fail(path, "must be a string")
            return None
        if not value.strip():
            self.fail(path, "must not be blank")
            return None
        return value

    def email(self, value: Any, path: str) -> str | None:
        """`value` as an e-mail address."""
        text = self.non_blank(value, path)
        if text is not None and not is_email(text):
            self.fail(path, "must be an e-mail address")
            return None
        return text

    def url(self, value: Any, path: str) -> str | None:
        """`value` as an absolute http(s) URL."""
        text = self.non_blank(value, path)
        if text is not None and not is_web_url(text):
            self.fail(path, "must be an http or https URL")
            return None
        return text

    def time(self, parent: Mapping[str, Any], key: str, path: str) -> datetime | None:
        """A required ISO-8601 time with a zone, in UTC."""
        value = parent.get(key, _MISSING)
        if value is _MISSING or value is None:
            self.fail(path, "is required")
            return None
        if not isinstance(value, str):
            self.fail(path, "must be an ISO-8601 time with a zone")
            return None
        parsed = parse_time(value)
        if parsed is None:
            self.fail(path, "must be an ISO-8601 time with a zone")
        return parsed

    def items(
        self, parent: Mapping[str, Any], key: str, path: str, *, required: bool, min_items: int = 0
    ) -> list[tuple[Any, str]] | None:
        """The items of an array with each item's path; absent is None (an error when required)."""
        value = parent.get(key, _MISSING)
        if value is _MISSING and not required:
            return None
        if value is _MISSING or value is None:
            self.fail(path, "is required" if value is _MISSING else "must be an array")
            return None
        if not isinstance(value, list):
            self.fail(path, "must be an array")
            return None
        if len(value) < min_items:
            self.fail(path, f"must have at least {min_items} item{'s' if min_items > 1 else ''}")
            return None
        return [(item, f"{path}[{index}]") for index, item in enumerate(value)]


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
