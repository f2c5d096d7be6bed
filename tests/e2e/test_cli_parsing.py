"""Property tests for what the command line and the demo read from outside: `--stage` entries,
`--wait` values, and the bodies the demo's timeline reads from each exchange."""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intrro_gateway.domain.status import STAGE_TARGETS, ReferralStatus
from intrro_gateway.entrypoints.cli import CliError
from intrro_gateway.entrypoints.cli.commands.demo import _seconds
from intrro_gateway.entrypoints.cli.commands.tenant import parse_stages
from intrro_gateway.entrypoints.demo._tap import Hit
from intrro_gateway.entrypoints.demo._timeline import describe_event, entries

TARGETS = sorted(str(s) for s in STAGE_TARGETS)
names = (
    st.text(min_size=1, max_size=30)
    .map(str.strip)
    .filter(lambda n: bool(n) and not n.startswith("id:"))
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


@given(st.lists(st.text(max_size=40), max_size=5))
def test_any_stage_entries_give_a_mapping_or_a_usage_error(entries_: list[str]) -> None:
    try:
        mapping = parse_stages(entries_)
    except CliError as exc:
        assert exc.code == 2
    else:
        assert (mapping is None) == (entries_ == [])


@given(st.dictionaries(names, st.sampled_from(TARGETS), min_size=1, max_size=5))
def test_stage_entries_by_name_map_each_name_to_its_status(given_: dict[str, str]) -> None:
    mapping = parse_stages([f"{name}={status}" for name, status in given_.items()])

    assert mapping is not None
    for name, status in given_.items():
        assert mapping.by_stage_name[name.casefold()] is ReferralStatus(status)


@given(st.integers(min_value=1, max_value=10**9), st.sampled_from(TARGETS))
def test_stage_entries_by_id_map_the_id(stage_id: int, status: str) -> None:
    mapping = parse_stages([f"id:{stage_id}={status}"])

    assert mapping is not None and mapping.by_stage_id == {str(stage_id): ReferralStatus(status)}


@pytest.mark.parametrize("status", ["hired", "rejected", "withdrawn", "introduced", "nope"])
def test_a_stage_cannot_mean_an_end_or_an_unknown_status(status: str) -> None:
    with pytest.raises(CliError) as refused:
        parse_stages([f"Onsite={status}"])

    assert refused.value.code == 2


@given(st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12).map(str))
def test_a_wait_is_a_positive_number_of_seconds_or_a_usage_error(value: float | str) -> None:
    text = str(value)
    try:
        seconds = _seconds(text)
    except argparse.ArgumentTypeError:
        try:
            parsed = float(text)
        except ValueError:
            return
        assert not parsed > 0 or math.isnan(parsed)
    else:
        assert seconds > 0 and seconds == float(text)


@given(st.text(max_size=30), json_values)
def test_any_event_data_reads_as_one_line(kind: str, data: Any) -> None:
    line = describe_event(kind, data)

    assert (isinstance(line, str) and "\n" not in line) or "\n" in json.dumps(data)


@given(
    st.lists(
        st.builds(
            Hit,
            at=st.floats(min_value=0, max_value=100),
            server=st.sampled_from(["gateway", "sandbox", "receiver"]),
            method=st.sampled_from(["GET", "POST", "PUT"]),
            path=st.sampled_from(
                [
                    "/events/intrro/acme",
                    "/webhooks/greenhouse/acme",
                    "/api/tenants/acme/jobs",
                    "/v3/jobs",
                    "/_sandbox/seed",
                    "/intrro",
                ]
            ),
            status=st.integers(min_value=100, max_value=599),
            body=st.binary(max_size=40) | json_values.map(lambda v: json.dumps(v).encode()),
        ),
        max_size=12,
    )
)
def test_the_timeline_reads_any_exchange_and_keeps_time_order(hits: list[Hit]) -> None:
    lines = entries(hits, [])

    assert [e.at for e in lines] == sorted(e.at for e in lines)
    assert all(e.flow for e in lines)
