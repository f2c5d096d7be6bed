"""API input parsers: any JSON body or query string either reads into a value or raises
InvalidInputError naming fields."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intrro_gateway.domain.status import ReferralStatus
from intrro_gateway.domain.tenant import ClosedJobPolicy
from intrro_gateway.entrypoints import compat
from intrro_gateway.entrypoints.http.models import (
    DeliveriesQuery,
    DeliveryState,
    JobsQuery,
    PipelineQuery,
    read_query,
)
from intrro_gateway.entrypoints.http.parsing import (
    connection_input,
    secret_kind,
    tenant_input,
)
from intrro_gateway.ports.unit_of_work import InboxState, OutboxState
from intrro_gateway.services.errors import InvalidInputError

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)
TENANT_KEYS = st.sampled_from(
    [
        "intrro_callback_url",
        "intrro_secret",
        "greenhouse_webhook_secret",
        "ats_webhook_secret",
        "ats",
        "stage_mapping",
        "closed_job_policy",
        "other",
    ]
)


@given(st.dictionaries(TENANT_KEYS, JSON, max_size=6))
def test_any_tenant_body_reads_or_names_its_bad_fields(doc: dict[str, Any]) -> None:
    try:
        tenant_input("acme", doc, ("greenhouse", "lever"))
    except InvalidInputError as exc:
        assert exc.errors
        assert all(isinstance(error, str) and error for error in exc.errors)


@given(st.dictionaries(st.sampled_from(["client_id", "client_secret", "user_email", "x"]), JSON))
def test_any_connect_body_reads_or_names_its_bad_fields(doc: dict[str, Any]) -> None:
    try:
        given_input = connection_input("greenhouse", doc, ("client_id", "client_secret"))
    except InvalidInputError as exc:
        assert exc.errors
    else:
        assert "@" in given_input.user_email
        assert repr(given_input) == "ConnectionInput(fields=['client_id', 'client_secret'])"


def test_a_valid_tenant_body_reads_into_the_service_input() -> None:
    data = tenant_input(
        "acme",
        {
            "intrro_callback_url": "https://intrro.test/hooks",
            "stage_mapping": {
                "by_stage_id": {"11": "offer"},
                "by_stage_name": {"Screen": "applied"},
            },
            "closed_job_policy": "prospect",
            "intrro_secret": None,
        },
        ("greenhouse",),
    ).data

    assert data.intrro_callback_url == "https://intrro.test/hooks"
    assert data.stage_mapping is not None
    assert dict(data.stage_mapping.by_stage_id) == {"11": ReferralStatus.OFFER}
    assert data.closed_job_policy is ClosedJobPolicy.PROSPECT
    assert data.intrro_secret is None


def test_every_problem_of_a_tenant_body_is_named_at_once() -> None:
    with pytest.raises(InvalidInputError) as caught:
        tenant_input(
            "Bad Slug",
            {
                "intrro_callback_url": "not a url",
                "stage_mapping": {"by_stage_id": {"1": "hired", "2": "bogus"}, "by_name": {}},
                "closed_job_policy": 3,
            },
            ("greenhouse",),
        )

    joined = " | ".join(caught.value.errors)
    for fragment in (
        "slug",
        "intrro_callback_url",
        "/stage_mapping/by_stage_id/1",
        "/2",
        "by_name",
        "closed_job_policy",
    ):
        assert fragment in joined


@pytest.mark.parametrize("which", ["intrro", "ats_webhook", "greenhouse_webhook"])
def test_a_rotate_body_names_a_secret_kind(which: str) -> None:
    assert secret_kind({"which": which}) == which


def test_greenhouse_webhook_is_an_alias_of_the_ats_webhook_secret() -> None:
    assert compat.secret_kind("greenhouse_webhook") == "ats_webhook"
    assert compat.secret_kind("intrro") == "intrro"


def test_the_greenhouse_era_secret_field_is_an_alias_of_ats_webhook_secret() -> None:
    legacy = tenant_input("acme", {"greenhouse_webhook_secret": "a-long-enough-secret"}, ("gh",))
    neutral = tenant_input("acme", {"ats_webhook_secret": "a-long-enough-secret"}, ("gh",))

    assert legacy.data == neutral.data
    assert legacy.webhook_secret_field == "greenhouse_webhook_secret"
    with pytest.raises(InvalidInputError) as caught:
        tenant_input(
            "acme",
            {"greenhouse_webhook_secret": "a-long-enough-secret", "ats_webhook_secret": "x" * 20},
            ("gh",),
        )
    assert any("alias" in e for e in caught.value.errors)
    with pytest.raises(InvalidInputError) as short:
        tenant_input("acme", {"greenhouse_webhook_secret": "short"}, ("gh",))
    assert any(e.startswith("greenhouse_webhook_secret") for e in short.value.errors)


def test_an_unknown_ats_is_invalid_input() -> None:
    with pytest.raises(InvalidInputError) as caught:
        tenant_input("acme", {"ats": "workday"}, ("greenhouse", "lever"))
    assert caught.value.errors == ["ats must be one of greenhouse, lever, not 'workday'"]


@given(JSON)
def test_any_other_rotate_body_is_invalid_input(which: Any) -> None:
    if which in ("intrro", "ats_webhook", "greenhouse_webhook"):
        return
    with pytest.raises(InvalidInputError):
        secret_kind({"which": which})


@given(st.text())
def test_a_query_choice_is_one_of_the_allowed_values_or_invalid(value: str) -> None:
    try:
        query = read_query(JobsQuery, {"status": value})
    except InvalidInputError as exc:
        assert exc.errors == ["status: must be 'open', 'closed' or 'all'"]
    else:
        assert query.status == (value or "open")


@given(st.datetimes(timezones=st.just(UTC)) | st.datetimes())
def test_timestamps_read_back_as_aware_datetimes(moment: datetime) -> None:
    parsed = read_query(JobsQuery, {"updated_after": moment.isoformat()}).updated_after

    assert parsed is not None
    assert parsed.tzinfo is not None
    assert parsed.replace(tzinfo=None) == moment.replace(tzinfo=None)


@given(st.text())
def test_any_text_is_a_timestamp_or_invalid_input(text: str) -> None:
    try:
        read_query(JobsQuery, {"updated_after": text})
    except InvalidInputError as exc:
        assert exc.errors == ["updated_after: must be an ISO-8601 date-time"]


def test_every_bad_query_parameter_is_named_and_unknown_ones_are_ignored() -> None:
    with pytest.raises(InvalidInputError) as caught:
        read_query(DeliveriesQuery, {"direction": "sideways", "state": "lost", "other": "x"})

    assert [e.split(":")[0] for e in caught.value.errors] == ["direction", "state"]
    assert read_query(DeliveriesQuery, {"state": "dead", "cursor": ""}) == DeliveriesQuery(
        state="dead"
    )


def test_the_delivery_states_of_the_query_are_the_inbox_and_outbox_states() -> None:
    assert get_args(DeliveryState) == tuple(dict.fromkeys([*InboxState, *OutboxState]))


def test_the_pipeline_query_takes_every_referral_status() -> None:
    for status in ReferralStatus:
        assert read_query(PipelineQuery, {"status": str(status)}).status is status
