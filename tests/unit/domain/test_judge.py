"""Ordering a signal against what an application already applied."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from intrro_gateway.domain.introduction import Verdict, judge
from tests.unit.domain.builders import at

times = st.datetimes(timezones=st.just(UTC))


def test_newer_evidence_is_applied() -> None:
    assert judge(at(1), at(2)) is Verdict.APPLIED


def test_any_evidence_is_applied_when_nothing_was_applied_yet() -> None:
    assert judge(None, at(0)) is Verdict.APPLIED


def test_older_evidence_is_stale() -> None:
    assert judge(at(2), at(1)) is Verdict.STALE


def test_equal_evidence_needs_a_reread() -> None:
    assert judge(at(2), at(2)) is Verdict.NEEDS_REREAD


def test_missing_evidence_needs_a_reread() -> None:
    assert judge(at(2), None) is Verdict.NEEDS_REREAD
    assert judge(None, None) is Verdict.NEEDS_REREAD


@given(last=st.none() | times, evidence=st.none() | times)
def test_judge_applies_exactly_the_strictly_newer_evidence(
    last: datetime | None, evidence: datetime | None
) -> None:
    verdict = judge(last, evidence)
    if evidence is None or evidence == last:
        assert verdict is Verdict.NEEDS_REREAD
    elif last is None or evidence > last:
        assert verdict is Verdict.APPLIED
    else:
        assert verdict is Verdict.STALE
