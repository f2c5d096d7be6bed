"""The `candidate` object of Intrro events, read into a profile (accepted) or changes (updated)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from intrro_gateway.adapters.intrro._fields import Fields
from intrro_gateway.domain.candidates import CandidateChanges, CandidateProfile, Referrer

_NULLABLE_TEXT = ("linkedin_url", "current_company", "current_title", "location")


def read_candidate(fields: Fields, candidate: Mapping[str, Any], path: str) -> dict[str, Any]:
    """The candidate fields present in `candidate`, checked; a field left out is not in the result."""
    found: dict[str, Any] = {}
    for key in ("first_name", "last_name"):
        if key in candidate:
            found[key] = fields.text(candidate, key, f"{path}.{key}")
    list_fields = {
        "emails": (fields.email, 1),
        "phones": (fields.non_blank, 0),
        "social_profiles": (fields.url, 0),
        "websites": (fields.url, 0),
    }
    for key, (check, min_items) in list_fields.items():
        if key in candidate:
            items = fields.items(
                candidate, key, f"{path}.{key}", required=True, min_items=min_items
            )
            if items is not None:
                found[key] = tuple(check(item, item_path) for item, item_path in items)
    for key in _NULLABLE_TEXT:
        if key in candidate:
            found[key] = fields.optional_text(candidate, key, f"{path}.{key}")
    if found.get("linkedin_url") is not None:
        found["linkedin_url"] = fields.url(found["linkedin_url"], f"{path}.linkedin_url")
    return found


def profile(fields: Fields, candidate: Mapping[str, Any], path: str) -> CandidateProfile | None:
    """A whole candidate: names and at least one e-mail required, the rest optional."""
    found = read_candidate(fields, candidate, path)
    for key in ("first_name", "last_name", "emails"):
        if key not in candidate:
            fields.fail(f"{path}.{key}", "is required")
    if fields.errors:
        return None
    return CandidateProfile(**found)


def changes(fields: Fields, candidate: Mapping[str, Any], path: str) -> CandidateChanges | None:
    """The fields Intrro changed; a field left out (or a nullable field sent as null) is None."""
    found = read_candidate(fields, candidate, path)
    if fields.errors:
        return None
    return CandidateChanges(**found)


def referrer(fields: Fields, data: Mapping[str, Any], path: str) -> Referrer | None:
    """The employee who made the introduction."""
    value = fields.object(data, "referrer", path)
    if value is None:
        return None
    name = fields.text(value, "name", f"{path}.name")
    email = fields.email(value.get("email"), f"{path}.email") if "email" in value else None
    if "email" not in value:
        fields.fail(f"{path}.email", "is required")
    employee_id = fields.optional_text(value, "employee_id", f"{path}.employee_id")
    if name is None or email is None:
        return None
    return Referrer(name=name, email=email, employee_id=employee_id)
