"""The Harvest v3 scopes the sandbox knows: one `:list` per resource it serves, plus its write scopes."""

from __future__ import annotations

RESOURCES: tuple[str, ...] = (
    "applications",
    "application_stages",
    "applied_candidate_tags",
    "candidate_tags",
    "candidates",
    "close_reasons",
    "custom_field_options",
    "custom_fields",
    "departments",
    "job_interview_stages",
    "job_posts",
    "jobs",
    "notes",
    "offices",
    "prospect_details",
    "prospect_pool_stages",
    "prospect_pools",
    "referrers",
    "rejection_details",
    "rejection_reasons",
    "sources",
    "user_emails",
    "users",
)

WRITE_SCOPES: tuple[str, ...] = (
    "harvest:applications:create",
    "harvest:applications:update",
    "harvest:applications:destroy",
    "harvest:applications:move",
    "harvest:applications:reject",
    "harvest:applications:unreject",
    "harvest:applications:hire",
    "harvest:candidates:create",
    "harvest:candidates:update",
    "harvest:candidates:destroy",
    "harvest:candidates:merge",
    "harvest:notes:create",
    "harvest:candidate_tags:create",
    "harvest:applied_candidate_tags:create",
    "harvest:custom_fields:create",
    "harvest:custom_fields:update",
    # Granted so that a full credential looks like one an admin gives Intrro; the sandbox serves
    # no route behind them.
    "harvest:custom_field_options:create",
    "harvest:custom_field_options:update",
    "harvest:users:create",
)


def list_scope(resource: str) -> str:
    """The scope a `GET /v3/<resource>` call needs."""
    return f"harvest:{resource}:list"


ALL_SCOPES: frozenset[str] = frozenset(
    [list_scope(resource) for resource in RESOURCES] + list(WRITE_SCOPES)
)
