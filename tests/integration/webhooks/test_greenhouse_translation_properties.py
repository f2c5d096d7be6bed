"""Whatever arrives, the translator answers a translation or MalformedWebhookError, nothing else."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from intrro_gateway.adapters.greenhouse.webhooks import GreenhouseWebhookTranslator
from intrro_gateway.ports.ats_webhooks import MalformedWebhookError, Translation
from tests.integration.webhooks._payloads import fixture_json, fixture_names

translator = GreenhouseWebhookTranslator()

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
odd_scalars = (
    scalars
    | st.integers(min_value=10**30, max_value=10**300)
    | st.sampled_from(
        ["", " ", "\u0000", "ü\u202e", "2026-13-45T99:99:99Z", "9999-12-31T23:59:59-23:59"]
    )
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
actions = st.sampled_from([action for action, _ in translator.subscriptions()] + ["ping"])


def translate_or_malformed(body: bytes) -> Translation | None:
    try:
        translation = translator.translate(body)
    except MalformedWebhookError:
        return None
    assert isinstance(translation, Translation)
    return translation


@given(st.binary(max_size=300))
def test_random_bytes_never_raise_anything_but_malformed(body: bytes) -> None:
    translate_or_malformed(body)
    assert translator.action_of(body) is None or isinstance(translator.action_of(body), str)


@given(json_values)
def test_random_json_never_raises_anything_but_malformed(document: Any) -> None:
    translate_or_malformed(json.dumps(document).encode())


@given(actions, json_values)
def test_a_known_action_with_a_random_payload_never_raises_anything_but_malformed(
    action: str, payload: Any
) -> None:
    translate_or_malformed(json.dumps({"action": action, "payload": payload}).encode())


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside a JSON document."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += paths(child, (*prefix, index))
    return found


@st.composite
def mutated_fixtures(draw: st.DrawFn) -> Any:
    document = fixture_json(draw(st.sampled_from(fixture_names())))
    for _ in range(draw(st.integers(1, 4))):
        targets = paths(document)
        if not targets:
            break
        path = draw(st.sampled_from(targets))
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        key = path[-1]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[key]
        else:
            parent[key] = draw(odd_scalars | json_values)
    return document


@given(mutated_fixtures())
def test_a_mutated_documented_payload_never_raises_anything_but_malformed(document: Any) -> None:
    translate_or_malformed(json.dumps(document).encode())


@given(mutated_fixtures())
def test_a_mutated_payload_with_unicode_escaped_never_raises_anything_but_malformed(
    document: Any,
) -> None:
    translate_or_malformed(json.dumps(document, ensure_ascii=False).encode("utf-8"))


def test_a_number_too_long_to_read_is_malformed() -> None:
    body = b'{"action": "job_deleted", "payload": {"job": {"id": ' + b"9" * 5000 + b"}}}"
    assert translate_or_malformed(body) is None


def test_json_nested_too_deep_is_malformed() -> None:
    body = b'{"action": "ping", "payload": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert translate_or_malformed(body) is None
    assert translator.action_of(body) is None


REPLACEMENTS: list[Any] = [None, "ü\u202e", 10**400, -1.5, True, [], {}]
_DROP = object()


def replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    copy = json.loads(json.dumps(document))
    parent = copy
    for step in path[:-1]:
        parent = parent[step]
    if value is _DROP:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return copy


def test_every_field_of_every_fixture_dropped_or_retyped_raises_only_malformed() -> None:
    tried = 0
    for name in fixture_names():
        document = fixture_json(name)
        for path in paths(document):
            for value in [*REPLACEMENTS, *([_DROP] if isinstance(path[-1], str) else [])]:
                translate_or_malformed(json.dumps(replaced(document, path, value)).encode())
                tried += 1
    assert tried > 1000


def assert_read_agrees(body: bytes) -> None:
    """`read` (one parse) says what `action_of` and `translate` (two) say, and never raises."""
    reading = translator.read(body)
    assert reading.action == translator.action_of(body)
    assert reading.translation == translate_or_malformed(body)
    if reading.translation is None:
        assert reading.problem


@given(st.binary(max_size=300))
def test_reading_random_bytes_agrees_with_translating_them(body: bytes) -> None:
    assert_read_agrees(body)


@given(actions, json_values)
def test_reading_a_known_action_with_any_payload_agrees_with_translating_it(
    action: str, payload: Any
) -> None:
    assert_read_agrees(json.dumps({"action": action, "payload": payload}).encode())


def test_reading_every_documented_fixture_agrees_with_translating_it() -> None:
    for name in fixture_names():
        assert_read_agrees(json.dumps(fixture_json(name)).encode())
