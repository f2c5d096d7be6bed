"""Property tests for every parser of outside input: query parameters, offset tokens, Basic auth,
JSON bodies, delivery options; and pagination over arbitrary page sizes."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intrro_gateway.sandboxes.lever import DeliveryOptions, InvalidFieldError
from intrro_gateway.sandboxes.lever._bodies import (
    NOTE_SCHEMA,
    OPPORTUNITY_SCHEMA,
    check_fields,
    parse_json_object,
)
from intrro_gateway.sandboxes.lever._http import parse_basic
from intrro_gateway.sandboxes.lever._listing import list_page
from intrro_gateway.sandboxes.lever._query import (
    Offset,
    QueryError,
    decode_offset,
    encode_offset,
    parse_bool,
    parse_limit,
    parse_ms,
    read_query,
)

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@given(st.text())
def test_limit_is_an_integer_from_one_to_a_hundred_or_refused(text: str) -> None:
    try:
        value = parse_limit(text)
    except QueryError:
        assert not (text.isascii() and text.isdigit() and 1 <= int(text) <= 100)
        return
    assert 1 <= value <= 100 and str(value) == text.lstrip("0")


@given(st.text())
def test_booleans_are_exactly_true_or_false(text: str) -> None:
    try:
        value = parse_bool("archived", text)
    except QueryError:
        assert text not in ("true", "false")
        return
    assert value is (text == "true")


@given(st.integers(min_value=0, max_value=10**15))
def test_epoch_milliseconds_round_trip(ms: int) -> None:
    assert parse_ms("updated_at_start", str(ms)) == ms


@given(st.text())
def test_any_text_as_epoch_ms_is_a_non_negative_int_or_refused(text: str) -> None:
    try:
        value = parse_ms("updated_at_start", text)
    except QueryError:
        return
    assert value >= 0 and text.isdigit()


@given(st.text(max_size=20), st.text(max_size=20), st.integers(min_value=0, max_value=2**40))
def test_offset_tokens_round_trip(resource: str, digest: str, after: int) -> None:
    offset = Offset(resource, digest, after)

    assert decode_offset(encode_offset(offset)) == offset


@given(st.text())
def test_any_text_as_an_offset_is_a_token_or_refused(text: str) -> None:
    try:
        offset = decode_offset(text)
    except QueryError:
        return
    assert offset.after >= 0


@given(st.binary())
def test_any_bytes_as_an_offset_are_handled(raw: bytes) -> None:
    text = base64.urlsafe_b64encode(raw).decode()
    try:
        decode_offset(text)
    except QueryError:
        pass


@given(
    st.lists(
        st.tuples(st.sampled_from(["limit", "email", "state", "x", "offset"]), st.text(max_size=5))
    )
)
def test_read_query_refuses_unknown_names_and_repeated_singles(
    pairs: list[tuple[str, str]],
) -> None:
    names = [n for n, _ in pairs]
    try:
        query = read_query(pairs, ("limit", "email", "offset"), ("state",))
    except QueryError:
        assert "x" in names or any(names.count(n) > 1 for n in ("limit", "email", "offset"))
        return
    assert sum(len(v) for v in query.values()) == len(pairs)
    assert all(len(query[n]) == 1 for n in ("limit", "email", "offset") if n in query)


@given(st.text(), st.text())
def test_basic_auth_round_trips_user_and_password(user: str, password: str) -> None:
    header = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    parsed = parse_basic(header)
    assert parsed is not None
    if ":" not in user:
        assert parsed == (user, password)


@given(st.text())
def test_any_authorization_header_parses_or_is_none(header: str) -> None:
    parsed = parse_basic(header)
    assert parsed is None or isinstance(parsed, tuple)


@given(st.binary())
def test_any_body_is_an_object_or_a_field_error(raw: bytes) -> None:
    try:
        data = parse_json_object(raw)
    except InvalidFieldError as exc:
        assert exc.field == "body"
        return
    assert isinstance(data, dict)


@given(st.dictionaries(st.sampled_from([*OPPORTUNITY_SCHEMA, "extra"]), _json, max_size=6))
def test_opportunity_bodies_pass_only_with_known_well_typed_fields(body: dict[str, Any]) -> None:
    try:
        checked = check_fields(body, OPPORTUNITY_SCHEMA)
    except InvalidFieldError as exc:
        assert exc.field in body
        return
    assert "extra" not in checked
    assert all(OPPORTUNITY_SCHEMA[k].check(v) for k, v in checked.items())


@given(st.dictionaries(st.sampled_from([*NOTE_SCHEMA, "note"]), _json, max_size=4))
def test_note_bodies_need_a_value(body: dict[str, Any]) -> None:
    try:
        checked = check_fields(body, NOTE_SCHEMA, ("value",))
    except InvalidFieldError:
        return
    assert isinstance(checked["value"], str) and checked["value"].strip()


@given(
    st.dictionaries(
        st.sampled_from(["duplicate", "delay_s", "reorder", "drop", "twice"]), _json, max_size=4
    )
)
def test_delivery_options_parse_or_raise_value_error(data: dict[str, Any]) -> None:
    try:
        options = DeliveryOptions.from_json(data)
    except ValueError:
        return
    assert options.duplicate >= 0 and options.delay_s >= 0


@given(
    st.integers(min_value=0, max_value=40),
    st.integers(min_value=1, max_value=100),
    st.integers(0, 3),
)
def test_pages_cover_every_matching_row_once(rows: int, limit: int, modulus: int) -> None:
    records = [{"id": str(i), "_seq": i + 1, "n": i} for i in range(rows)]
    predicates = [lambda r: r["n"] % 4 != modulus]
    query: dict[str, list[str]] = {"limit": [str(limit)], "tag": ["x"]}
    seen: list[str] = []
    pages = 0
    while True:
        body = list_page("things", records, query, predicates, lambda r: {"id": r["id"]})
        pages += 1
        seen.extend(r["id"] for r in body["data"])
        assert len(body["data"]) <= limit
        if not body["hasNext"]:
            break
        query = {**query, "offset": [body["next"]]}
    expected = [r["id"] for r in records if r["n"] % 4 != modulus]
    assert seen == expected
    assert pages == max(1, -(-len(expected) // limit))


@pytest.mark.parametrize("token", ["", "e30", "eyJyIjogMX0"])
def test_handmade_tokens_are_refused(token: str) -> None:
    with pytest.raises(QueryError):
        decode_offset(token)
