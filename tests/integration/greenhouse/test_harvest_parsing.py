"""Property tests for what the Harvest client reads from Greenhouse: headers, times, bodies, records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from intrro_gateway.adapters.greenhouse.harvest import HarvestSettings
from intrro_gateway.adapters.greenhouse.harvest import _mappers as m
from intrro_gateway.adapters.greenhouse.harvest._candidates import merge_patch
from intrro_gateway.adapters.greenhouse.harvest._parsing import (
    cursor_of,
    format_timestamp,
    parse_error_body,
    parse_next_link,
    parse_timestamp,
)
from intrro_gateway.adapters.greenhouse.harvest._readings import (
    created_application,
    unwrap_list,
    unwrap_record,
)
from intrro_gateway.adapters.greenhouse.harvest._tokens import token_expiry
from intrro_gateway.domain.candidates import CandidateChanges

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
times = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=25,
)
FIELDS = [
    "id", "name", "title", "status", "is_template", "department_id", "office_ids", "departments",
    "offices", "updated_at", "first_name", "last_name", "email_addresses", "phone_numbers",
    "website_addresses", "social_media_addresses", "tags", "company", "primary_email",
    "site_admin", "type", "sort_order", "active", "public_url", "candidate_id", "job_id",
    "jobs", "prospective_job_ids", "prospect", "last_activity_at", "job_interview_stage_id",
    "rejection_reason_id", "candidate", "application", "applications", "custom_fields",
]  # fmt: skip
records = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=12)


@given(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="<>&#"),
        min_size=1,
        max_size=30,
    )
)
def test_the_next_link_and_its_cursor_are_read_back(cursor: str) -> None:
    from urllib.parse import quote

    url = f"https://harvest.greenhouse.io/v3/jobs?cursor={quote(cursor, safe='')}"
    header = f'<https://x/v3/jobs?cursor=old>; rel="prev", <{url}>; rel="next"'
    assert parse_next_link(header) == url
    assert cursor_of(url) == cursor


@given(st.text(max_size=80))
def test_link_headers_of_any_shape_never_raise(value: str) -> None:
    link = parse_next_link(value)
    if link is not None:
        cursor_of(link)


def test_an_empty_or_prev_only_link_has_no_next() -> None:
    assert parse_next_link("") is None
    assert parse_next_link('<https://x/v3/jobs?cursor=a>; rel="prev"') is None


@given(times)
def test_filter_timestamps_read_back_to_the_same_second(when: datetime) -> None:
    stamp = format_timestamp(when)
    assert stamp.endswith("Z")
    assert parse_timestamp(stamp) == when.replace(microsecond=0)


@given(times, st.sampled_from(["Z", "+00:00", "+02:00", "-05:30", ""]))
def test_timestamps_in_any_offset_become_utc(when: datetime, suffix: str) -> None:
    text = when.replace(tzinfo=None).isoformat() + suffix
    parsed = parse_timestamp(text)
    assert parsed is not None and parsed.tzinfo is UTC


@given(json_values)
def test_timestamps_of_any_json_value_never_raise(value: Any) -> None:
    parse_timestamp(value)


@given(json_values)
def test_error_bodies_of_any_json_value_never_raise_and_always_have_a_message(value: Any) -> None:
    body = parse_error_body(value, "HTTP 422")
    assert body.message
    assert all(isinstance(e, str) for e in body.errors)


@given(json_values)
def test_token_answers_of_any_shape_give_an_expiry_in_the_future(value: Any) -> None:
    body = value if isinstance(value, dict) else {"expires_in": value}
    assert token_expiry(body, NOW, HarvestSettings()) > NOW - timedelta(days=365 * 40)


@given(records)
def test_mappers_never_crash_on_odd_but_valid_json(raw: dict[str, Any]) -> None:
    m.job(raw, departments={}, offices={}, posts=(), stages=m.job_stages([raw, raw]))
    m.job_post(raw)
    m.candidate(raw)
    m.user(raw)
    m.source(raw)
    m.rejection_reason(raw)
    m.stage_ref(raw)
    m.snapshot(raw, stage=None, rejection=None)
    m.application_jobs(raw)
    unwrap_list(raw, "jobs")
    unwrap_record(raw, "candidate")
    created_application(raw)


@given(records, st.lists(st.text(max_size=12), max_size=4), st.text(max_size=12))
def test_merging_never_drops_an_email_greenhouse_holds(
    raw: dict[str, Any], new_emails: list[str], name: str
) -> None:
    patch = merge_patch(raw, CandidateChanges(first_name=name, emails=tuple(new_emails)))
    held = {e.strip().casefold() for e in m.candidate({**raw, "id": 1}).emails}  # type: ignore[union-attr]
    if "email_addresses" in patch:
        sent = {e["value"].casefold() for e in patch["email_addresses"]}
        assert held <= sent
    if not name.strip():
        assert "first_name" not in patch
