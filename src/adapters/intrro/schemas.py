"""The JSON Schemas of Intrro's events, in (Intrro to the gateway) and out (the gateway to Intrro):
each type's envelope with its `data` model, standalone, for Intrro's engineers to generate types."""

from __future__ import annotations

import json
from typing import Any, Final

from intrro_gateway.adapters.intrro.inbound import INBOUND_EVENTS
from intrro_gateway.adapters.intrro.outbound import OUTBOUND_EVENTS

_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"


def envelope_schema(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """The envelope `{"type", "timestamp", "data"}` of one event type, with `data`'s schema."""
    return {
        "title": kind,
        "type": "object",
        "properties": {
            "type": {"const": kind},
            "timestamp": {"type": "string", "format": "date-time"},
            "data": data,
        },
        "required": ["type", "timestamp", "data"],
    }


def event_schemas() -> dict[str, dict[str, Any]]:
    """Each event's standalone schema by relative file name: `in/<type>.json`, `out/<type>.json`."""
    found: dict[str, dict[str, Any]] = {}
    for direction, events in (("in", INBOUND_EVENTS), ("out", OUTBOUND_EVENTS)):
        for kind, model in events.items():
            schema = model.model_json_schema(ref_template="#/$defs/{model}")
            defs = schema.pop("$defs", {})
            defs[model.__name__] = schema
            found[f"{direction}/{kind}.json"] = {
                "$schema": _DIALECT,
                **envelope_schema(kind, {"$ref": f"#/$defs/{model.__name__}"}),
                "$defs": dict(sorted(defs.items())),
            }
    return found


def rendered(schema: dict[str, Any]) -> str:
    """A schema as the file holds it: indented, keys in order, a final newline."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
