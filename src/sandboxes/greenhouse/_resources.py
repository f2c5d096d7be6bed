"""The list endpoints the sandbox serves, with the filters each one documents."""

from __future__ import annotations

from collections.abc import Mapping

from intrro_gateway.sandboxes.greenhouse._listing import (
    ListSpec,
    Predicate,
    bool_filter,
    custom_filter,
    enum_filter,
    ids_filter,
    int_filter,
    strings_filter,
    time_filter,
)
from intrro_gateway.sandboxes.greenhouse._query import QueryError, parse_bool, parse_strings
from intrro_gateway.sandboxes.greenhouse.state import Record

_APPLICATION_STATUS = {
    "active": "in_process",
    "rejected": "rejected",
    "hired": "hired",
    "converted": "converted",
}
_JOB_STATUS = {"open": "open", "draft": "draft", "closed": "closed"}
_FIELD_TYPES = (
    "job",
    "opening",
    "standard",
    "offer",
    "compensation_frequency",
    "candidate",
    "referral_question",
    "application",
    "rejection_question",
    "form",
    "agency_question",
    "user_attribute",
)


def _candidate_email(name: str, text: str) -> Predicate:
    wanted = text.strip().casefold()
    if not wanted:
        raise QueryError(f"Invalid value for {name}: {text!r}")

    def match(record: Record) -> bool:
        return any(str(e["value"]).casefold() == wanted for e in record["email_addresses"])

    return match


def _candidate_tag(name: str, text: str) -> Predicate:
    return lambda record: text in record["tags"]


def _accepted(name: str, text: str) -> Predicate:
    parse_bool(name, text)
    return lambda record: True


def _field_type(name: str, text: str) -> Predicate:
    if text not in _FIELD_TYPES:
        raise QueryError(f"Invalid value for {name}: {text!r}")
    return lambda record: record["field_type"] == text


def _user_emails(name: str, text: str) -> Predicate:
    wanted = {e.casefold() for e in parse_strings(name, text)}
    return lambda record: str(record["email"]).casefold() in wanted


def _hidden_job_posts(record: Record, query: Mapping[str, str]) -> bool:
    return "active" not in query and not record["active"]


def _hidden_users(record: Record, query: Mapping[str, str]) -> bool:
    return bool(record["_service_account"]) and query.get("show_service_accounts") != "true"


SPECS: dict[str, ListSpec] = {
    spec.resource: spec
    for spec in (
        ListSpec(
            "jobs",
            {
                "status": enum_filter("status", _JOB_STATUS),
                "department_id": int_filter("department_id"),
                "office_id": int_filter("office_ids"),
                "requisition_id": strings_filter("requisition_id"),
                "opened_at": time_filter("opened_at"),
                "closed_at": time_filter("closed_at"),
                "confidential": bool_filter("confidential"),
            },
        ),
        ListSpec(
            "job_posts",
            {
                "job_ids": ids_filter("job_id"),
                "job_board_ids": ids_filter("job_board_id"),
                "active": bool_filter("active"),
                "featured": bool_filter("featured"),
                "live": bool_filter("live"),
                "internal": bool_filter("internal"),
            },
            _hidden_job_posts,
        ),
        ListSpec(
            "job_interview_stages",
            {"job_ids": ids_filter("job_id"), "active": bool_filter("active")},
        ),
        ListSpec(
            "application_stages",
            {
                "application_ids": ids_filter("application_id"),
                "job_interview_stage_ids": ids_filter("job_interview_stage_id"),
                "current": bool_filter("current"),
            },
        ),
        ListSpec(
            "departments",
            {"parent_id": int_filter("parent_id"), "external_id": strings_filter("external_id")},
        ),
        ListSpec(
            "offices",
            {"parent_id": int_filter("parent_id"), "external_id": strings_filter("external_id")},
        ),
        ListSpec("sources"),
        ListSpec(
            "users",
            {
                "primary_email": strings_filter("primary_email", casefold=True),
                "employee_ids": strings_filter("employee_id"),
                "deactivated": bool_filter("deactivated"),
                "show_service_accounts": custom_filter(_accepted),
                "office_ids": ids_filter("office_ids"),
                "department_ids": ids_filter("department_ids"),
                "linked_candidate_ids": ids_filter("linked_candidate_ids"),
            },
            _hidden_users,
        ),
        ListSpec(
            "user_emails",
            {
                "email": custom_filter(_user_emails),
                "user_ids": ids_filter("user_id"),
                "verified": bool_filter("verified"),
            },
        ),
        ListSpec("referrers", {"user_ids": ids_filter("user_id")}),
        ListSpec("rejection_reasons", {"include_defaults": custom_filter(_accepted)}),
        ListSpec(
            "rejection_details",
            {
                "application_ids": ids_filter("application_id"),
                "rejection_reason_ids": ids_filter("rejection_reason_id"),
            },
        ),
        ListSpec(
            "candidates",
            {
                "email": custom_filter(_candidate_email),
                "tag": custom_filter(_candidate_tag),
                "last_activity_at": time_filter("last_activity_at"),
                "private": bool_filter("private"),
            },
        ),
        ListSpec(
            "applications",
            {
                "candidate_ids": ids_filter("candidate_id"),
                "job_ids": ids_filter("job_id"),
                "prospective_job_ids": ids_filter("prospective_job_ids"),
                "job_post_ids": ids_filter("job_post_id"),
                "source_ids": ids_filter("source_id"),
                "referrer_ids": ids_filter("referrer_id"),
                "stage_ids": ids_filter("stage_id"),
                "status": enum_filter("status", _APPLICATION_STATUS),
                "stage_name": strings_filter("stage_name"),
                "last_activity_at": time_filter("last_activity_at"),
                "prospect": bool_filter("prospect"),
            },
        ),
        ListSpec(
            "notes",
            {
                "candidate_ids": ids_filter("candidate_id"),
                "application_ids": ids_filter("application_id"),
                "user_ids": ids_filter("user_id"),
                "type": strings_filter("type"),
                "visibility": strings_filter("visibility"),
            },
        ),
        ListSpec("candidate_tags"),
        ListSpec(
            "applied_candidate_tags",
            {
                "candidate_ids": ids_filter("candidate_id"),
                "candidate_tag_ids": ids_filter("candidate_tag_id"),
            },
        ),
        ListSpec(
            "custom_fields",
            {
                "field_type": custom_filter(_field_type),
                "active": bool_filter("active"),
                "name": strings_filter("name"),
                "name_key": strings_filter("name_key"),
            },
        ),
        ListSpec(
            "custom_field_options",
            {
                "custom_field_ids": ids_filter("custom_field_id"),
                "active": bool_filter("active"),
            },
        ),
        ListSpec("close_reasons"),
        ListSpec(
            "prospect_pools",
            {"active": bool_filter("active"), "job_ids": ids_filter("job_ids")},
        ),
        ListSpec("prospect_pool_stages", {"prospect_pool_ids": ids_filter("prospect_pool_id")}),
        ListSpec(
            "prospect_details",
            {"application_ids": ids_filter("application_id"), "pool_ids": ids_filter("pool_id")},
        ),
    )
}
