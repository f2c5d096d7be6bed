"""The rejection mapping: a reason id the tenant maps wins; otherwise the reason's (seeded) kind."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intrro_gateway.domain.introduction import snapshot_status
from intrro_gateway.domain.signals import (
    ApplicationSnapshot,
    ApplicationState,
    Rejected,
    RejectionKind,
    RejectionReason,
)
from intrro_gateway.domain.status import (
    InvalidRejectionMappingError,
    ReferralStatus,
    RejectionMapping,
    StageMapping,
)
from tests.unit.domain.builders import STAGES, at, exported_introduction

APP = "app-job-1"
UNDERQUALIFIED = RejectionReason(id="r-under", name="Underqualified", kind=RejectionKind.COMPANY)
WITHDREW = RejectionReason(id="r-withdrew", name="Withdrew", kind=RejectionKind.CANDIDATE)
TARGETS = st.sampled_from([ReferralStatus.REJECTED, ReferralStatus.WITHDRAWN])
KINDS = st.sampled_from(list(RejectionKind))


def test_without_an_override_the_reason_kind_decides() -> None:
    empty = RejectionMapping()
    assert empty.status_for("r-withdrew", candidate_said_no=True) is ReferralStatus.WITHDRAWN
    assert empty.status_for("r-under", candidate_said_no=False) is ReferralStatus.REJECTED
    assert empty.status_for(None, candidate_said_no=False) is ReferralStatus.REJECTED


def test_an_override_by_reason_id_wins_over_the_name_rule() -> None:
    mapping = RejectionMapping.from_plain({"r-under": "withdrawn", "r-withdrew": "rejected"})
    assert mapping.status_for("r-under", candidate_said_no=False) is ReferralStatus.WITHDRAWN
    assert mapping.status_for("r-withdrew", candidate_said_no=True) is ReferralStatus.REJECTED


@pytest.mark.parametrize("status", ["hired", "offer", "applied", "nope"])
def test_a_reason_can_only_mean_rejected_or_withdrawn(status: str) -> None:
    with pytest.raises(InvalidRejectionMappingError):
        RejectionMapping.from_plain({"r1": status})


def test_a_rejected_signal_takes_the_tenants_mapping() -> None:
    intro = exported_introduction()
    mapping = RejectionMapping.from_plain({"r-under": "withdrawn"})
    intro.apply_signal(
        Rejected(application_id=APP, occurred_at=at(1), reason=UNDERQUALIFIED),
        mapping=StageMapping(),
        job_stages=STAGES,
        at=at(1000),
        rejections=mapping,
    )
    assert intro.links[0].status is ReferralStatus.WITHDRAWN
    assert intro.links[0].rejection == UNDERQUALIFIED


@given(
    mapped=st.dictionaries(st.text(min_size=1, max_size=8), TARGETS, max_size=5),
    reason_id=st.text(min_size=1, max_size=8),
    kind=KINDS,
)
def test_a_rejected_snapshot_is_the_override_else_the_kind_and_the_plain_form_round_trips(
    mapped: dict[str, ReferralStatus], reason_id: str, kind: RejectionKind
) -> None:
    mapping = RejectionMapping(by_reason_id=mapped)
    assert RejectionMapping.from_plain(mapping.to_plain()["by_reason_id"]) == mapping
    snapshot = ApplicationSnapshot(
        application_id=APP,
        candidate_id="c1",
        job_id="j1",
        state=ApplicationState.REJECTED,
        rejection=RejectionReason(id=reason_id, name="any", kind=kind),
    )
    status = snapshot_status(snapshot, StageMapping(), STAGES, rejections=mapping)
    if reason_id in mapped:
        assert status is mapped[reason_id]
    elif kind is RejectionKind.CANDIDATE:
        assert status is ReferralStatus.WITHDRAWN
    else:
        assert status is ReferralStatus.REJECTED
