"""Whatever Intrro (or anyone) sends, the reader raises only the port's errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from intrro_gateway.adapters.intrro import IntrroEventReader
from intrro_gateway.adapters.intrro.fields import is_email, is_web_url, parse_time
from intrro_gateway.ports.referral_events import (
    EventSignatureError,
    InvalidEventError,
    NotJsonError,
    ParsedEvent,
)
from tests.integration.intrro._events import SECRET, accepted, updated, withdrawn

reader = IntrroEventReader()
NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**30, max_value=10**300)
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["", " ", "\u0000", "ü\u202e@é.com", "9999-12-31T23:59:59-23:59", "a@b.co"])
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
valid_events = st.sampled_from([accepted, updated, withdrawn]).map(lambda make: make())


def parse_or_port_error(body: bytes) -> ParsedEvent | None:
    try:
        parsed = reader.parse("acme", body)
    except (NotJsonError, InvalidEventError):
        return None
    assert isinstance(parsed, ParsedEvent)
    return parsed


@given(st.binary(max_size=300))
def test_random_bytes_raise_only_the_ports_errors(body: bytes) -> None:
    parse_or_port_error(body)


@given(json_values)
def test_random_json_raises_only_the_ports_errors(document: Any) -> None:
    parse_or_port_error(json.dumps(document).encode())


@given(
    st.sampled_from(["introduction.accepted", "candidate.updated", "introduction.withdrawn"]),
    json_values,
)
def test_a_known_type_with_random_data_raises_only_the_ports_errors(kind: str, data: Any) -> None:
    event = {"type": kind, "timestamp": "2026-11-24T05:00:00Z", "data": data}
    parse_or_port_error(json.dumps(event).encode())


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += paths(child, (*prefix, index))
    return found


@st.composite
def mutated_events(draw: st.DrawFn) -> Any:
    event = draw(valid_events)
    for _ in range(draw(st.integers(1, 4))):
        targets = paths(event)
        if not targets:
            break
        path = draw(st.sampled_from(targets))
        parent = event
        for step in path[:-1]:
            parent = parent[step]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(json_values)
    return event


@given(mutated_events())
def test_a_mutated_valid_event_raises_only_the_ports_errors(event: Any) -> None:
    parse_or_port_error(json.dumps(event, ensure_ascii=False).encode())


@given(mutated_events())
def test_an_invalid_event_names_at_least_one_field(event: Any) -> None:
    try:
        reader.parse("acme", json.dumps(event).encode())
    except InvalidEventError as exc:
        assert exc.errors
        assert all(error.message for error in exc.errors)


@given(
    headers=st.dictionaries(
        st.sampled_from(["webhook-id", "webhook-timestamp", "webhook-signature", "x"]),
        st.text(max_size=60),
    ),
    body=st.binary(max_size=100),
)
def test_random_headers_raise_only_a_signature_error(headers: dict[str, str], body: bytes) -> None:
    try:
        reader.verify(headers, body, [SECRET], NOW)
    except EventSignatureError:
        return


@given(st.text(max_size=40))
def test_the_field_checks_never_raise(text: str) -> None:
    assert isinstance(is_email(text), bool)
    assert isinstance(is_web_url(text), bool)
    parsed = parse_time(text)
    assert parsed is None or parsed.utcoffset() == timedelta(0)
