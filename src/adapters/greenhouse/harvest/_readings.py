"""Every uncertain reading of the Harvest v3 documentation, in one place.

Where `/work/shared/greenhouse.md` marks a detail [UNCERTAIN], the client accepts both readings
and sends the documented one first; docs/greenhouse.md lists each choice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Token answers: `expires_at` (ISO, recorded) is preferred over `expires_in` (seconds, other clients).
TOKEN_EXPIRY_ABSOLUTE = "expires_at"  # noqa: S105 (a field name)
TOKEN_EXPIRY_RELATIVE = "expires_in"  # noqa: S105 (a field name)

# Date filters: the pipe form is documented; the bracket form was reported from live probing.
DATE_FILTER_FORMS = ("pipe", "bracket")

# Application status: the response says `in_process`, the list filter still takes `active`.
ACTIVE_STATUSES = frozenset({"in_process", "active"})
ACTIVE_FILTER_VALUE = "active"

# Rejection kinds (`type.key` first, then the v1-era `type.name`): adapters/greenhouse/rejections.py.

# `Retry-After` as an epoch timestamp (v1 sent epochs in 2023) or as seconds: adapters/retry_after.py.

# Note visibility on write (`admin_only | private | public`) and the required `note_type`.
NOTE_TYPE = "NOTE"

# Custom-field values on candidate writes: keyed by `name_key` (first) or by `custom_field_id`.
CUSTOM_FIELD_VALUE_KEYS = ("name_key", "custom_field_id")

# Keys under which a wrapped answer may carry its records, when a list is not a bare array.
LIST_WRAPPERS = ("data", "results", "items")


def unwrap_list(body: Any, resource: str) -> list[Any]:
    """The records of a list answer: a bare array (recorded), or an object wrapping one."""
    if isinstance(body, list):
        return body
    if isinstance(body, Mapping):
        for key in (resource, *LIST_WRAPPERS):
            value = body.get(key)
            if isinstance(value, list):
                return value
    return []


def unwrap_record(body: Any, key: str) -> Mapping[str, Any] | None:
    """A created record: `{key: {...}}` (nested) or the record itself when it has an `id`."""
    if isinstance(body, Mapping):
        nested = body.get(key)
        if isinstance(nested, Mapping):
            return nested
        if "id" in body:
            return body
    return None


def created_application(body: Any) -> Mapping[str, Any] | None:
    """The application of a `POST /v3/candidates` answer: `application` or `applications[0]`."""
    if not isinstance(body, Mapping):
        return None
    nested = body.get("application")
    if isinstance(nested, Mapping):
        return nested
    many = body.get("applications")
    if isinstance(many, list) and many and isinstance(many[0], Mapping):
        return many[0]
    return None


def current_stage_id_on_application(application: Mapping[str, Any]) -> str | None:
    """The job interview stage named on the application itself, when Greenhouse includes it.

    v3's `stage_id` names an application-stage row, not a stage definition, so it is not used;
    Airbyte's schema lists `job_interview_stage_id`, which is taken when present.
    """
    value = application.get("job_interview_stage_id")
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | str) and str(value):
        return str(value)
    return None
