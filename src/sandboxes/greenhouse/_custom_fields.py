"""Custom field values: from their write shape (`name_key` or id) to their read shape (keyed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from intrro_gateway.sandboxes.greenhouse.errors import InvalidFieldError
from intrro_gateway.sandboxes.greenhouse.state import SandboxState


def resolve_custom_fields(
    state: SandboxState, field_type: str, values: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """Read-shaped custom field values from write-shaped ones (`name_key` or `custom_field_id`)."""
    fields = [f for f in state.tables["custom_fields"].values() if f["field_type"] == field_type]
    resolved: dict[str, Any] = {}
    for value in values:
        match = [
            f
            for f in fields
            if f["name_key"] == value.get("name_key")
            or f["id"] == value.get("custom_field_id", value.get("id"))
        ]
        if not match:
            raise InvalidFieldError("custom_fields", f"unknown {field_type} custom field {value}")
        field = match[0]
        resolved[field["name_key"]] = {
            "name": field["name"],
            "type": field["value_type"],
            "value": value.get("value"),
        }
    return resolved
