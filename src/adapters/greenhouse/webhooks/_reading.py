"""Typed readers for Greenhouse web hook JSON: each raises MalformedWebhookError on a wrong shape."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from intrro_gateway.adapters.json_limits import loads_bounded
from intrro_gateway.ports.ats_webhooks import MalformedWebhookError

JsonObject = Mapping[str, Any]


def load_json(body: bytes) -> Any:
    """The body as JSON; raises MalformedWebhookError when it is not JSON."""
    try:
        return loads_bounded(body)
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError included
        raise MalformedWebhookError("the body is not JSON") from exc


def obj(value: Any, where: str) -> JsonObject:
    """`value` as a JSON object."""
    if not isinstance(value, dict):
        raise MalformedWebhookError(f"{where}: expected an object")
    return value


def child(parent: JsonObject, key: str, where: str) -> JsonObject:
    """The object under `key`."""
    return obj(parent.get(key), f"{where}.{key}")


def opt_child(parent: JsonObject, key: str, where: str) -> JsonObject | None:
    """The object under `key`, or None when it is absent or null."""
    value = parent.get(key)
    return None if value is None else obj(value, f"{where}.{key}")


def array(parent: JsonObject, key: str, where: str) -> list[Any]:
    """The array under `key`; an absent or null array is empty."""
    value = parent.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedWebhookError(f"{where}.{key}: expected an array")
    return value


def as_id(value: Any, where: str) -> str:
    """A Greenhouse id (an integer or a non-empty string) as a string."""
    if isinstance(value, bool):
        raise MalformedWebhookError(f"{where}: expected an id")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise MalformedWebhookError(f"{where}: expected an id")


def req_id(parent: JsonObject, key: str, where: str) -> str:
    """The id under `key`."""
    return as_id(parent.get(key), f"{where}.{key}")


def opt_id(parent: JsonObject, key: str, where: str) -> str | None:
    """The id under `key`, or None when it is absent or null."""
    value = parent.get(key)
    return None if value is None else as_id(value, f"{where}.{key}")


def opt_str(parent: JsonObject, key: str, where: str) -> str | None:
    """The string under `key`, or None when it is absent or null."""
    value = parent.get(key)
    if value is None or isinstance(value, str):
        return value
    raise MalformedWebhookError(f"{where}.{key}: expected a string")


def opt_bool(parent: JsonObject, key: str, where: str) -> bool:
    """The boolean under `key`; absent or null is False."""
    value = parent.get(key)
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    raise MalformedWebhookError(f"{where}.{key}: expected a boolean")


def opt_time(parent: JsonObject, key: str, where: str) -> datetime | None:
    """The ISO-8601 time under `key` in UTC (Greenhouse writes UTC; a time without a zone is UTC)."""
    value = opt_str(parent, key, where)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise MalformedWebhookError(f"{where}.{key}: expected an ISO-8601 time") from exc
