"""Strict checks of JSON write bodies: unknown fields, missing fields and wrong types are refused.

The checks are the sandboxes' common ones (`sandboxes/_common/bodies.py`); the kinds and schemas here
are Greenhouse's.
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


def _is_id(value: Any) -> bool:
    return type(value) is int and value > 0


def _contacts(types: tuple[str, ...]) -> Kind:
    def check(value: Any) -> bool:
        return isinstance(value, list) and all(
            isinstance(item, dict)
            and set(item) == {"value", "type"}
            and isinstance(item["value"], str)
            and item["type"] in types
            for item in value
        )

    return Kind(check, f"an array of {{value, type}} with type one of {', '.join(types)}")


def _custom_field_values(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(item, dict)
        and "value" in item
        and set(item) <= {"name_key", "custom_field_id", "id", "value", "unit"}
        and (
            isinstance(item.get("name_key"), str)
            or _is_id(item.get("custom_field_id", item.get("id")))
        )
        for item in value
    )


OPTIONAL_STRING = Kind(lambda v: v is None or isinstance(v, str), "a string or null")
ID = Kind(_is_id, "a positive integer id")
OPTIONAL_ID = Kind(lambda v: v is None or _is_id(v), "a positive integer id or null")
IDS = Kind(lambda v: isinstance(v, list) and all(_is_id(i) for i in v), "an array of ids")
STRINGS = Kind(
    lambda v: isinstance(v, list) and all(isinstance(i, str) and i for i in v),
    "an array of strings",
)
EMAILS = _contacts(("personal", "work", "other"))
PHONES = _contacts(("home", "work", "mobile", "skype", "other"))
ADDRESSES = _contacts(("home", "work", "other"))
WEBSITES = _contacts(("personal", "company", "portfolio", "blog", "other"))
SOCIAL = Kind(
    lambda v: (
        isinstance(v, list)
        and all(
            isinstance(i, dict) and set(i) == {"value"} and isinstance(i["value"], str) for i in v
        )
    ),
    "an array of {value}",
)
CUSTOM_FIELDS = Kind(_custom_field_values, "an array of {name_key | custom_field_id, value}")


CANDIDATE_SCHEMA: dict[str, Kind] = {
    "first_name": TEXT,
    "last_name": TEXT,
    "preferred_name": OPTIONAL_STRING,
    "company": OPTIONAL_STRING,
    "title": OPTIONAL_STRING,
    "private": BOOLEAN,
    "can_email": BOOLEAN,
    "email_addresses": EMAILS,
    "phone_numbers": PHONES,
    "addresses": ADDRESSES,
    "website_addresses": WEBSITES,
    "social_media_addresses": SOCIAL,
    "tags": STRINGS,
    "linked_user_ids": IDS,
    "time_zone": OPTIONAL_STRING,
    "custom_fields": CUSTOM_FIELDS,
}
APPLICATION_SCHEMA: dict[str, Kind] = {
    "job_id": ID,
    "source_id": OPTIONAL_ID,
    "referrer_id": OPTIONAL_ID,
    "recruiter_id": OPTIONAL_ID,
    "coordinator_id": OPTIONAL_ID,
    "initial_stage_id": OPTIONAL_ID,
    "prospect": BOOLEAN,
    "job_ids": IDS,
}
APPLICATION_PATCH_SCHEMA: dict[str, Kind] = {
    "source_id": OPTIONAL_ID,
    "referrer_id": OPTIONAL_ID,
    "recruiter_id": OPTIONAL_ID,
    "coordinator_id": OPTIONAL_ID,
    "custom_fields": CUSTOM_FIELDS,
}
NOTE_SCHEMA: dict[str, Kind] = {
    "candidate_id": ID,
    "application_id": OPTIONAL_ID,
    "user_id": ID,
    "body": TEXT,
    "visibility": one_of("admin_only", "private", "public"),
    "note_type": one_of("NOTE"),
}
CUSTOM_FIELD_SCHEMA: dict[str, Kind] = {
    "name": TEXT,
    "field_type": one_of("candidate", "application", "job", "offer", "opening", "user_attribute"),
    "value_type": one_of(
        "short_text",
        "long_text",
        "yes_no",
        "single_select",
        "multi_select",
        "number",
        "date",
        "url",
        "user",
    ),
    "name_key": TEXT,
    "description": OPTIONAL_STRING,
    "private": BOOLEAN,
    "required": BOOLEAN,
    "api_only": BOOLEAN,
    "active": BOOLEAN,
}
