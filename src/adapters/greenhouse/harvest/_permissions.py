"""The v3 scopes the integration needs, the seed permissions each covers, and how each is probed."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Scope:
    """One scope of the report: what it covers, whether it is required, how to probe it."""

    scope: str
    covers: tuple[str, ...]
    required: bool = True
    probe: str | None = None  # a harmless list path for read scopes; writes cannot be probed


_APPS = ("Applications: GET Retrieve Application", "Applications: GET List Applications")
_CANDS = ("Candidates: GET Retrieve Candidate", "Candidates: GET List Candidates")
_USERS = ("Users: GET Retrieve User", "Users: GET List Users")
_TAGS = ("Tags: GET List Candidate Tags",)

SCOPES: tuple[Scope, ...] = (
    Scope("harvest:applications:list", _APPS, probe="/v3/applications"),
    Scope("harvest:application_stages:list", _APPS, probe="/v3/application_stages"),
    Scope("harvest:rejection_details:list", _APPS, probe="/v3/rejection_details"),
    Scope("harvest:applications:update", ("Applications: PATCH Update Application",)),
    Scope("harvest:candidates:list", _CANDS, probe="/v3/candidates"),
    Scope("harvest:candidates:update", ("Candidates: PATCH Edit Candidate",)),
    Scope(
        "harvest:candidates:create",
        ("Candidates: POST Add Candidate", "Candidates: POST Add Prospect"),
    ),
    Scope(
        "harvest:applications:create",
        ("Candidates: POST Add Application", "Candidates: POST Add Prospect"),
    ),
    Scope("harvest:notes:create", ("Candidates: POST Add Note",)),
    Scope("harvest:notes:list", ("Candidates: POST Add Note",), probe="/v3/notes"),
    Scope("harvest:candidate_tags:list", _TAGS, probe="/v3/candidate_tags"),
    Scope("harvest:applied_candidate_tags:list", _TAGS, probe="/v3/applied_candidate_tags"),
    Scope("harvest:candidate_tags:create", ("Tags: POST Add New Candidate Tags",)),
    Scope("harvest:applied_candidate_tags:create", ("Tags: PUT Add a Candidate Tag",)),
    Scope(
        "harvest:departments:list",
        ("Departments: GET Retrieve", "Departments: GET List"),
        probe="/v3/departments",
    ),
    Scope("harvest:jobs:list", ("Jobs: GET Retrieve Job", "Jobs: GET List Jobs"), probe="/v3/jobs"),
    Scope(
        "harvest:job_posts:list",
        ("Job Posts: GET List Job Posts", "Job Posts: Retrieve / List Job Post(s) for Job"),
        probe="/v3/job_posts",
    ),
    Scope(
        "harvest:job_interview_stages:list",
        ("Job Stages: GET Retrieve / List Job Stages", "Job Stages: List Job Stages for Job"),
        probe="/v3/job_interview_stages",
    ),
    Scope(
        "harvest:offices:list",
        ("Offices: GET Retrieve", "Offices: GET List"),
        probe="/v3/offices",
    ),
    Scope(
        "harvest:rejection_reasons:list",
        ("Rejection Reasons: GET List",),
        probe="/v3/rejection_reasons",
    ),
    Scope("harvest:sources:list", ("Sources: GET List Sources",), probe="/v3/sources"),
    Scope("harvest:users:list", _USERS, probe="/v3/users"),
    Scope("harvest:user_emails:list", _USERS, probe="/v3/user_emails"),
    Scope("harvest:users:create", ("Users: POST Add User",), required=False),
    Scope("harvest:custom_fields:list", ("Custom Fields: GET",), probe="/v3/custom_fields"),
    Scope("harvest:custom_fields:create", ("Custom Fields: POST Create",), required=False),
    Scope("harvest:custom_fields:update", ("Custom Fields: PATCH Update",), required=False),
    Scope(
        "harvest:custom_field_options:list",
        ("Custom Field Options: GET",),
        probe="/v3/custom_field_options",
    ),
    Scope(
        "harvest:custom_field_options:create",
        ("Custom Field Options: POST Create",),
        required=False,
    ),
    Scope(
        "harvest:custom_field_options:update",
        ("Custom Field Options: PATCH Update",),
        required=False,
    ),
    Scope(
        "harvest:close_reasons:list",
        ("Close Reasons: GET",),
        required=False,
        probe="/v3/close_reasons",
    ),
    Scope(
        "harvest:prospect_pools:list",
        ("Prospect Pool: GET Retrieve", "Prospect Pool: GET List"),
        required=False,
        probe="/v3/prospect_pools",
    ),
    Scope("harvest:referrers:list", ("(new in v3) referral credit",), probe="/v3/referrers"),
)
