"""Strict checks of JSON request bodies: unknown fields, missing fields and wrong types are refused.

The checks are the sandboxes' common ones (`sandboxes/_common/bodies.py`); the kinds and schemas here
are Lever's.
"""

from __future__ import annotations

from typing import Any

from intrro_gateway.sandboxes._common.bodies import BOOLEAN as BOOLEAN
from intrro_gateway.sandboxes._common.bodies import OBJECT as OBJECT
from intrro_gateway.sandboxes._common.bodies import STRING as STRING
from intrro_gateway.sandboxes._common.bodies import TEXT as TEXT
from intrro_gateway.sandboxes._common.bodies import Kind as Kind
from intrro_gateway.sandboxes._common.bodies import check_fields as check_fields
from intrro_gateway.sandboxes._common.bodies import one_of as one_of
from intrro_gateway.sandboxes._common.bodies import parse_json_object as parse_json_object

ORIGINS: tuple[str, ...] = ("agency", "applied", "internal", "referred", "sourced", "university")
PHONE_TYPES: tuple[str, ...] = ("mobile", "home", "work", "skype", "other")
WEBHOOK_EVENTS: tuple[str, ...] = (
    "applicationCreated",
    "candidateHired",
    "candidateStageChange",
    "candidateArchiveChange",
    "candidateDeleted",
    "interviewCreated",
    "interviewUpdated",
    "interviewDeleted",
    "contactCreated",
    "contactUpdated",
)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(i, str) and i.strip() for i in value)


def _phones(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(i, dict)
        and set(i) <= {"value", "type"}
        and isinstance(i.get("value"), str)
        and i.get("type", "other") in PHONE_TYPES
        for i in value
    )


def _ms(value: Any) -> bool:
    return type(value) is int and value >= 0


OPTIONAL_TEXT = Kind(
    lambda v: v is None or (isinstance(v, str) and v.strip() != ""), "a string or null"
)
STRINGS = Kind(_strings, "an array of non-empty strings")
PHONES = Kind(_phones, f"an array of {{value, type}} with type one of {', '.join(PHONE_TYPES)}")
TIMESTAMP = Kind(_ms, "a timestamp in epoch milliseconds")
ONE_POSTING = Kind(
    lambda v: isinstance(v, list) and len(v) <= 1 and all(isinstance(i, str) and i for i in v),
    "an array of at most one posting id (Lever takes one posting per request)",
)


OPPORTUNITY_SCHEMA: dict[str, Kind] = {
    "name": TEXT,
    "headline": STRING,
    "stage": TEXT,
    "location": STRING,
    "phones": PHONES,
    "emails": STRINGS,
    "links": STRINGS,
    "tags": STRINGS,
    "sources": STRINGS,
    "origin": one_of(*ORIGINS),
    "owner": TEXT,
    "followers": STRINGS,
    "postings": ONE_POSTING,
    "createdAt": TIMESTAMP,
    "archived": OBJECT,
    "contact": TEXT,
    "opportunityLocation": TEXT,
}
ARCHIVED_SCHEMA: dict[str, Kind] = {
    "reason": OPTIONAL_TEXT,
    "cleanInterviews": BOOLEAN,
    "requisitionId": TEXT,
}
CREATE_ARCHIVED_SCHEMA: dict[str, Kind] = {"reason": TEXT, "archivedAt": TIMESTAMP}
CONTACT_SCHEMA: dict[str, Kind] = {
    "name": TEXT,
    "headline": STRING,
    "location": Kind(
        lambda v: (
            isinstance(v, str)
            or (isinstance(v, dict) and set(v) <= {"name"} and isinstance(v.get("name", ""), str))
        ),
        "a string or {name}",
    ),
    "emails": STRINGS,
    "phones": PHONES,
}
SCORE = Kind(
    lambda v: v is None or (type(v) is int and 1 <= v <= 4), "an integer from 1 to 4, or null"
)
NOTE_SCHEMA: dict[str, Kind] = {
    "value": TEXT,
    "secret": BOOLEAN,
    "score": SCORE,
    "notifyFollowers": BOOLEAN,
    "createdAt": TIMESTAMP,
}
CONFIGURABLE_EVENTS: tuple[str, ...] = (
    "applicationCreated",
    "candidateArchiveChange",
    "candidateHired",
    "candidateStageChange",
)
"""The events Lever lets a web hook restrict by origin; the others take no conditions."""
WEBHOOK_SCHEMA: dict[str, Kind] = {
    "url": TEXT,
    "event": one_of(*WEBHOOK_EVENTS),
    "configuration": OBJECT,
}
WEBHOOK_CONFIGURATION_SCHEMA: dict[str, Kind] = {"conditions": OBJECT}
WEBHOOK_CONDITIONS_SCHEMA: dict[str, Kind] = {
    "origins": Kind(
        lambda v: isinstance(v, list) and bool(v) and all(o in ORIGINS for o in v),
        f"a non-empty array of origins ({', '.join(ORIGINS)})",
    )
}
