"""Convergence: whatever order the ATS's signals arrive in, the application ends where the ATS is."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given
from hypothesis import strategies as st

from intrro_gateway.domain.introduction import Introduction, Verdict
from intrro_gateway.domain.signals import (
    ApplicationCreated,
    ApplicationSignal,
    ApplicationUpdated,
    Hired,
    Rejected,
    RejectionKind,
    RejectionReason,
    StageChanged,
    Unhired,
    Unrejected,
)
from intrro_gateway.domain.status import ReferralStatus, StageMapping
from tests.unit.domain.builders import (
    OFFER,
    ONSITE,
    PHONE,
    REVIEW,
    STAGES,
    at,
    exported_introduction,
)
from tests.unit.domain.reference_model import replay, snapshot, status_of

APP = "app-job-1"
MAPPING = StageMapping()
TABLE = {
    REVIEW.id: ReferralStatus.APPLIED,
    PHONE.id: ReferralStatus.INTERVIEWING,
    ONSITE.id: ReferralStatus.INTERVIEWING,
    OFFER.id: ReferralStatus.OFFER,
}

stages = st.sampled_from(STAGES)
reasons = st.none() | st.builds(
    RejectionReason, id=st.just("r"), name=st.just("reason"), kind=st.sampled_from(RejectionKind)
)
telling = st.one_of(
    st.builds(lambda s: (StageChanged, {"stage": s}), stages),
    st.builds(lambda r: (Rejected, {"reason": r}), reasons),
    st.builds(lambda s: (Unrejected, {"stage": s}), stages),
    st.builds(lambda s: (Unhired, {"stage": s}), stages),
    st.just((Hired, {})),
)
untelling = st.one_of(
    st.just((Unrejected, {})),
    st.just((Unhired, {})),
    st.just((ApplicationUpdated, {})),
)


@st.composite
def histories(
    draw: st.DrawFn, kinds: st.SearchStrategy[tuple[type, dict[str, object]]]
) -> list[ApplicationSignal]:
    """An application's ATS history, one change per minute, optionally opened by its creation."""
    changes = draw(st.lists(kinds, min_size=1, max_size=8))
    signals: list[ApplicationSignal] = []
    if draw(st.booleans()):
        signals.append(
            ApplicationCreated(
                application_id=APP, occurred_at=at(0), stage=draw(st.none() | stages)
            )
        )
    for minute, (make, fields) in enumerate(changes, start=1):
        signals.append(make(application_id=APP, occurred_at=at(minute), **fields))
    return signals


def receive_all(
    order: Sequence[ApplicationSignal], history: Sequence[ApplicationSignal]
) -> tuple[Introduction, list[Verdict]]:
    """Apply signals in this order, re-reading the ATS (all of `history` done) when the domain asks."""
    intro = exported_introduction()
    verdicts: list[Verdict] = []
    for signal in order:
        verdict = intro.apply_signal(signal, mapping=MAPPING, job_stages=STAGES, at=at(999))
        verdicts.append(verdict)
        if verdict is Verdict.NEEDS_REREAD:
            latest = history[-1].occurred_at
            intro.apply_snapshot(
                snapshot(APP, history, latest), mapping=MAPPING, job_stages=STAGES, at=at(999)
            )
    return intro, verdicts


@given(data=st.data(), history=histories(telling))
def test_signals_that_tell_the_status_converge_in_any_order_without_a_reread(
    data: st.DataObject, history: list[ApplicationSignal]
) -> None:
    order = data.draw(st.permutations(history))

    in_time, _ = receive_all(history, history)
    shuffled, verdicts = receive_all(order, history)

    assert Verdict.NEEDS_REREAD not in verdicts
    expected = status_of(replay(history), TABLE)
    assert in_time.links[0].status is expected
    assert shuffled.links[0].status is expected
    assert shuffled.links[0].last_change_at == history[-1].occurred_at


@given(data=st.data(), history=histories(st.one_of(telling, untelling)))
def test_any_signals_converge_in_any_order_once_the_service_rereads_when_asked(
    data: st.DataObject, history: list[ApplicationSignal]
) -> None:
    order = data.draw(st.permutations(history))

    in_time, _ = receive_all(history, history)
    shuffled, _ = receive_all(order, history)

    expected = status_of(replay(history), TABLE)
    assert in_time.links[0].status is expected
    assert shuffled.links[0].status is expected


@given(data=st.data(), history=histories(st.one_of(telling, untelling)))
def test_receiving_every_signal_twice_ends_where_receiving_it_once_does(
    data: st.DataObject, history: list[ApplicationSignal]
) -> None:
    order = data.draw(st.permutations(history))
    once, _ = receive_all(order, history)
    twice, verdicts = receive_all([s for s in order for _ in range(2)], history)

    assert twice.links[0].status is once.links[0].status
    assert twice.links[0].last_change_at == once.links[0].last_change_at
    # The second copy of a signal is never taken as news.
    assert Verdict.APPLIED not in verdicts[1::2]


def test_the_histories_include_ones_that_need_a_reread() -> None:
    history = [
        StageChanged(application_id=APP, occurred_at=at(1), stage=PHONE),
        Rejected(application_id=APP, occurred_at=at(2)),
        Unrejected(application_id=APP, occurred_at=at(3)),
    ]
    _, verdicts = receive_all(list(reversed(history)), history)
    assert verdicts == [Verdict.NEEDS_REREAD, Verdict.STALE, Verdict.STALE]
    intro, _ = receive_all(list(reversed(history)), history)
    assert intro.links[0].status is ReferralStatus.INTERVIEWING
