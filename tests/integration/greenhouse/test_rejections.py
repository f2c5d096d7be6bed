"""Greenhouse's rejection vocabulary, the one reader that Harvest records and web hooks share."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intrro_gateway.adapters.greenhouse.harvest import _mappers as m
from intrro_gateway.adapters.greenhouse.rejections import rejection_kind
from intrro_gateway.adapters.greenhouse.webhooks._applications import _rejection_kind
from intrro_gateway.domain.signals import RejectionKind

CANDIDATE, COMPANY, UNSPECIFIED = (
    RejectionKind.CANDIDATE,
    RejectionKind.COMPANY,
    RejectionKind.UNSPECIFIED,
)


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (("THEY_REJECTED_US",), CANDIDATE),
        (("They rejected us",), CANDIDATE),
        ((" they_rejected_us ",), CANDIDATE),
        (("WE_REJECTED_THEM",), COMPANY),
        (("We rejected them",), COMPANY),
        (("NONE_SPECIFIED",), UNSPECIFIED),
        ((None, "They rejected us"), CANDIDATE),
        (("NONE_SPECIFIED", "We rejected them"), COMPANY),
        (("THEY_REJECTED_US", "We rejected them"), CANDIDATE),
        ((), UNSPECIFIED),
    ],
)
def test_the_first_label_the_vocabulary_knows_decides(
    labels: tuple[str | None, ...], expected: RejectionKind
) -> None:
    assert rejection_kind(*labels) is expected


@given(st.lists(st.one_of(st.none(), st.text(max_size=30)), max_size=3))
def test_any_labels_are_read_without_raising(labels: list[str | None]) -> None:
    assert rejection_kind(*labels) in set(RejectionKind)


@given(st.sampled_from(["THEY_REJECTED_US", "WE_REJECTED_THEM", "they rejected us", "x"]))
def test_a_harvest_record_and_a_web_hook_type_read_the_same_kind(key: str) -> None:
    harvest = m.rejection_kind({"type": {"id": 1, "key": key}})
    assert harvest is _rejection_kind({"key": key}, "payload") is _rejection_kind(key, "payload")
