"""Property tests for every parser of outside input: query parameters, cursors, auth, bodies."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intrro_gateway.sandboxes.greenhouse import DeliveryOptions, InvalidFieldError
from intrro_gateway.sandboxes.greenhouse._auth import parse_basic, parse_form
from intrro_gateway.sandboxes.greenhouse._bodies import NOTE_SCHEMA, check_fields, parse_json_object
from intrro_gateway.sandboxes.greenhouse._listing import ListSpec, list_page
from intrro_gateway.sandboxes.greenhouse._query import (
    Cursor,
    QueryError,
    decode_cursor,
    encode_cursor,
    parse_bool,
    parse_ids,
    parse_per_page,
    parse_time_filter,
)
from intrro_gateway.sandboxes.greenhouse._resources import SPECS

_ids = st.lists(st.integers(min_value=1, max_value=10**12), min_size=1, max_size=50)
_moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


@given(_ids)
def test_id_lists_of_up_to_fifty_round_trip(ids: list[int]) -> None:
    assert parse_ids("ids", ",".join(map(str, ids))) == ids


@given(st.lists(st.integers(min_value=1), min_size=51, max_size=80))
def test_id_lists_longer_than_fifty_are_refused(ids: list[int]) -> None:
    with pytest.raises(QueryError):
        parse_ids("ids", ",".join(map(str, ids)))


@given(st.text())
def test_any_text_as_ids_parses_to_positive_ints_or_is_refused(text: str) -> None:
    try:
        ids = parse_ids("ids", text)
    except QueryError:
        return
    assert ids and all(i > 0 for i in ids)


@given(st.text())
def test_per_page_is_accepted_only_from_one_to_five_hundred(text: str) -> None:
    try:
        value = parse_per_page(text)
    except QueryError:
        assert not (text.isascii() and text.isdigit() and 1 <= int(text) <= 500)
        return
    assert 1 <= value == int(text) <= 500


@given(st.text())
def test_booleans_are_exactly_true_or_false(text: str) -> None:
    try:
        value = parse_bool("active", text)
    except QueryError:
        assert text not in ("true", "false")
        return
    assert value is (text == "true")


@given(_moments, _moments)
def test_a_two_sided_time_window_in_the_pipe_form_round_trips(a: datetime, b: datetime) -> None:
    low, high = sorted((a, b))
    text = f"gte|{low.isoformat()}|lte|{high.isoformat()}"

    bounds = parse_time_filter("updated_at", text)

    assert [(x.operator, x.moment) for x in bounds] == [("gte", low), ("lte", high)]
    assert all(bound.admits(low) or bound.operator == "lte" for bound in bounds)


@given(st.text())
def test_any_text_as_a_time_filter_parses_or_is_refused(text: str) -> None:
    try:
        bounds = parse_time_filter("created_at", text)
    except QueryError:
        return
    assert 1 <= len(bounds) <= 2
    assert all(b.moment.tzinfo is not None for b in bounds)


def test_a_time_without_an_offset_is_refused() -> None:
    with pytest.raises(QueryError):
        parse_time_filter("updated_at", "gte|2024-01-01T00:00:00")


_cursors = st.builds(
    Cursor,
    resource=st.sampled_from(sorted(SPECS)),
    query=st.dictionaries(st.text(min_size=1), st.text()).map(lambda d: tuple(sorted(d.items()))),
    per_page=st.integers(min_value=1, max_value=500),
    after_id=st.integers(min_value=1, max_value=10**12),
    page=st.integers(min_value=1, max_value=10**4),
)


@given(_cursors)
def test_cursors_round_trip_through_their_opaque_form(cursor: Cursor) -> None:
    text = encode_cursor(cursor)

    assert decode_cursor(text) == cursor
    assert all(c.isalnum() or c in "-_=" for c in text)


@given(st.text())
def test_any_text_as_a_cursor_decodes_or_is_refused(text: str) -> None:
    try:
        cursor = decode_cursor(text)
    except QueryError:
        return
    assert 1 <= cursor.per_page <= 500


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(), st.lists))
def test_any_json_document_as_a_cursor_decodes_or_is_refused(document: Any) -> None:
    text = base64.urlsafe_b64encode(json.dumps(document).encode()).decode()

    with pytest.raises(QueryError):
        decode_cursor(text)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                ["per_page", "ids", "status", "cursor", "bogus", "updated_at", "fields"]
            ),
            st.text(max_size=20),
        ),
        max_size=4,
    )
)
def test_any_query_on_a_list_gives_a_page_or_a_query_error(params: list[tuple[str, str]]) -> None:
    table = {
        i: {"id": i, "status": "open", "updated_at": "2026-01-01T00:00:00.000Z"} for i in (1, 2, 3)
    }
    spec: ListSpec = SPECS["jobs"]
    try:
        page, _, _ = list_page(spec, table, params)
    except QueryError:
        return
    assert [r.get("id", 0) for r in page.records] == sorted(
        (r.get("id", 0) for r in page.records), reverse=True
    )


@given(st.text(), st.text())
def test_basic_credentials_round_trip(client_id: str, secret: str) -> None:
    encoded = base64.b64encode(f"{client_id}:{secret}".encode()).decode()

    parsed = parse_basic(f"Basic {encoded}")

    if ":" in client_id:
        assert parsed is not None and f"{parsed[0]}:{parsed[1]}" == f"{client_id}:{secret}"
    else:
        assert parsed == (client_id, secret)


@given(st.one_of(st.none(), st.text()))
def test_any_authorization_header_parses_or_is_none(header: str | None) -> None:
    parsed = parse_basic(header)

    assert parsed is None or len(parsed) == 2


@given(st.binary())
def test_any_form_body_parses_to_a_mapping_or_none(body: bytes) -> None:
    form = parse_form(body)

    assert form is None or all(isinstance(k, str) for k in form)


@given(st.binary())
def test_any_write_body_is_a_json_object_or_refused(body: bytes) -> None:
    try:
        data = parse_json_object(body)
    except InvalidFieldError:
        return
    assert isinstance(data, dict)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)


@given(st.dictionaries(st.sampled_from([*NOTE_SCHEMA, "tag"]), _json))
def test_a_note_body_passes_only_with_every_field_present_and_well_typed(
    body: dict[str, Any],
) -> None:
    required = ("candidate_id", "user_id", "body", "visibility", "note_type")
    try:
        checked = check_fields(body, NOTE_SCHEMA, required)
    except InvalidFieldError:
        return
    assert set(required) <= set(checked) <= set(NOTE_SCHEMA)
    assert checked["note_type"] == "NOTE"
    assert type(checked["candidate_id"]) is int and checked["candidate_id"] > 0


@given(
    st.dictionaries(st.sampled_from(["duplicate", "duplicate_ids", "delay_s", "drop", "x"]), _json)
)
def test_delivery_options_from_json_are_valid_or_refused(data: dict[str, Any]) -> None:
    try:
        options = DeliveryOptions.from_json(data)
    except ValueError:
        return
    assert options.duplicate >= 0 and options.duplicate_ids >= 0 and options.delay_s >= 0
