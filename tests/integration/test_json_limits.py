"""Reading outside JSON within bounds: nesting past the limit (even past Python's recursion limit) is
bad input, a ValueError, never a crash; anything within it reads as `json.loads` reads it."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intrro_gateway.adapters.json_limits import MAX_JSON_DEPTH, JsonTooDeepError, loads_bounded

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=30,
)


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 1_000, 100_000, 1_000_000])
@pytest.mark.parametrize(("opener", "closer"), [("[", "]"), ('{"a":', "}")])
def test_nesting_past_the_limit_is_refused_as_bad_input(
    depth: int, opener: str, closer: str
) -> None:
    inner = "1" if opener.startswith("{") else ""
    with pytest.raises(JsonTooDeepError):
        loads_bounded(opener * depth + inner + closer * depth)


def test_nesting_up_to_the_limit_reads_and_brackets_inside_strings_do_not_count() -> None:
    assert loads_bounded("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH) is not None
    assert loads_bounded(json.dumps(["[" * 1000, {"k[{": "}]" * 500}])) == [
        "[" * 1000,
        {"k[{": "}]" * 500},
    ]


@given(_json)
def test_any_document_within_the_limit_reads_as_json_loads_reads_it(document: object) -> None:
    text = json.dumps(document)
    assert loads_bounded(text) == json.loads(text)
    assert loads_bounded(text.encode()) == json.loads(text)


@given(st.binary(max_size=200))
def test_any_bytes_read_or_raise_value_error(raw: bytes) -> None:
    try:
        loads_bounded(raw)
    except ValueError:
        pass
