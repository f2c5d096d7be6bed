"""Every kind of ATS signal through `Introduction.apply_signal`."""

from __future__ import annotations

import pytest

from intrro_gateway.domain.events import ApplicationRemoved, ApplicationStatusChanged
from intrro_gateway.domain.introduction import Introduction, RemovalReason, Verdict
from intrro_gateway.domain.signals import (
    ApplicationCreated,
    ApplicationDeleted,
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
from intrro_gateway.domain.status import ReferralStatus, StageMapping, StageRef
from tests.unit.domain.builders import ONSITE, PHONE, REVIEW, STAGES, at, exported_introduction

MAPPING = StageMapping()
APP = "app-job-1"
NOT_A_FIT = RejectionReason(id="r1", name="Not a fit", kind=RejectionKind.COMPANY)
THEY_SAID_NO = RejectionReason(id="r2", name="They rejected us", kind=RejectionKind.CANDIDATE)
UNSAID = RejectionReason(id="r3", name="Other", kind=RejectionKind.UNSPECIFIED)


def apply(intro: Introduction, signal: ApplicationSignal) -> Verdict:
    return intro.apply_signal(signal, mapping=MAPPING, job_stages=STAGES, at=at(1000))


def status(intro: Introduction) -> ReferralStatus:
    return intro.links[0].status


def status_events(intro: Introduction) -> list[ApplicationStatusChanged]:
    return [e for e in intro.events if isinstance(e, ApplicationStatusChanged)]


def test_a_stage_change_to_an_interview_stage_means_interviewing_and_records_one_event() -> None:
    intro = exported_introduction()
    sequence_before = intro.sequence

    verdict = apply(intro, StageChanged(application_id=APP, occurred_at=at(1), stage=PHONE))

    assert verdict is Verdict.APPLIED
    assert status(intro) is ReferralStatus.INTERVIEWING
    [event] = intro.events
    assert isinstance(event, ApplicationStatusChanged)
    assert (event.previous_status, event.status) == (
        ReferralStatus.APPLIED,
        ReferralStatus.INTERVIEWING,
    )
    assert event.sequence == sequence_before + 1 == intro.sequence
    assert event.stage == PHONE
    assert event.occurred_at == at(1)
    assert event.rejection_reason is None
    assert event.applications == intro.views()
    assert intro.links[0].history[-1].status is ReferralStatus.INTERVIEWING


def test_a_stage_change_to_the_offer_stage_means_offer() -> None:
    intro = exported_introduction()
    apply(intro, StageChanged(application_id=APP, occurred_at=at(1), stage=STAGES[-1]))
    assert status(intro) is ReferralStatus.OFFER


def test_a_newer_signal_that_leaves_the_status_as_it_is_records_no_event() -> None:
    intro = exported_introduction(stage=PHONE)
    apply(intro, StageChanged(application_id=APP, occurred_at=at(1), stage=PHONE))
    intro.events.clear()

    verdict = apply(intro, StageChanged(application_id=APP, occurred_at=at(2), stage=ONSITE))

    assert verdict is Verdict.APPLIED
    assert intro.links[0].stage == ONSITE
    assert intro.events == []


def test_a_company_rejection_means_rejected_with_its_reason() -> None:
    intro = exported_introduction()
    apply(intro, Rejected(application_id=APP, occurred_at=at(1), reason=NOT_A_FIT))
    assert status(intro) is ReferralStatus.REJECTED
    assert status_events(intro)[-1].rejection_reason == NOT_A_FIT


def test_a_rejection_of_kind_candidate_means_withdrawn() -> None:
    intro = exported_introduction()
    apply(intro, Rejected(application_id=APP, occurred_at=at(1), reason=THEY_SAID_NO))
    assert status(intro) is ReferralStatus.WITHDRAWN
    assert status_events(intro)[-1].rejection_reason == THEY_SAID_NO


@pytest.mark.parametrize("reason", [UNSAID, None])
def test_a_rejection_of_unspecified_or_unknown_kind_means_rejected(
    reason: RejectionReason | None,
) -> None:
    intro = exported_introduction()
    apply(intro, Rejected(application_id=APP, occurred_at=at(1), reason=reason))
    assert status(intro) is ReferralStatus.REJECTED


def test_a_hire_means_hired_and_keeps_the_stage() -> None:
    intro = exported_introduction()
    apply(intro, StageChanged(application_id=APP, occurred_at=at(1), stage=ONSITE))
    apply(intro, Hired(application_id=APP, occurred_at=at(2)))
    assert status(intro) is ReferralStatus.HIRED
    assert intro.links[0].stage == ONSITE


def test_an_unreject_returns_to_the_status_of_the_stage_it_names() -> None:
    intro = exported_introduction()
    apply(intro, Rejected(application_id=APP, occurred_at=at(1), reason=NOT_A_FIT))

    verdict = apply(intro, Unrejected(application_id=APP, occurred_at=at(2), stage=PHONE))

    assert verdict is Verdict.APPLIED
    assert status(intro) is ReferralStatus.INTERVIEWING
    assert intro.links[0].rejection is None


def test_an_unhire_returns_to_the_status_of_the_stage_it_names() -> None:
    intro = exported_introduction()
    apply(intro, Hired(application_id=APP, occurred_at=at(1)))
    apply(intro, Unhired(application_id=APP, occurred_at=at(2), stage=STAGES[-1]))
    assert status(intro) is ReferralStatus.OFFER


@pytest.mark.parametrize(
    "undo",
    [
        Unrejected(application_id=APP, occurred_at=at(2)),
        Unhired(application_id=APP, occurred_at=at(2)),
    ],
)
def test_an_unreject_or_unhire_without_its_stage_asks_for_a_reread_and_changes_nothing(
    undo: ApplicationSignal,
) -> None:
    intro = exported_introduction()
    apply(intro, Rejected(application_id=APP, occurred_at=at(1), reason=NOT_A_FIT))
    intro.events.clear()

    assert apply(intro, undo) is Verdict.NEEDS_REREAD
    assert status(intro) is ReferralStatus.REJECTED
    assert intro.links[0].last_change_at == at(1)
    assert intro.events == []


@pytest.mark.parametrize("stage", [PHONE, None])
def test_an_update_of_unnamed_fields_asks_for_a_reread_and_keeps_its_time_out(
    stage: StageRef | None,
) -> None:
    intro = exported_introduction()

    verdict = apply(intro, ApplicationUpdated(application_id=APP, occurred_at=at(5), stage=stage))

    assert verdict is Verdict.NEEDS_REREAD
    assert status(intro) is ReferralStatus.APPLIED
    # An older rejection still in flight must still count.
    assert apply(intro, Rejected(application_id=APP, occurred_at=at(3))) is Verdict.APPLIED
    assert status(intro) is ReferralStatus.REJECTED


def test_a_stale_update_is_stale() -> None:
    intro = exported_introduction()
    apply(intro, Rejected(application_id=APP, occurred_at=at(3)))
    assert apply(intro, ApplicationUpdated(application_id=APP, occurred_at=at(2))) is Verdict.STALE


def test_the_creation_of_the_application_takes_the_status_of_its_stage() -> None:
    intro = exported_introduction()
    apply(intro, ApplicationCreated(application_id=APP, occurred_at=at(1), stage=PHONE))
    assert status(intro) is ReferralStatus.INTERVIEWING


def test_a_creation_without_a_stage_keeps_the_stage_of_the_export() -> None:
    intro = exported_introduction(stage=REVIEW)
    assert (
        apply(intro, ApplicationCreated(application_id=APP, occurred_at=at(1))) is Verdict.APPLIED
    )
    assert status(intro) is ReferralStatus.APPLIED
    assert intro.events == []


def test_a_signal_older_than_what_the_application_applied_changes_nothing() -> None:
    intro = exported_introduction()
    apply(intro, StageChanged(application_id=APP, occurred_at=at(5), stage=PHONE))
    intro.events.clear()

    verdict = apply(intro, Rejected(application_id=APP, occurred_at=at(4), reason=NOT_A_FIT))

    assert verdict is Verdict.STALE
    assert status(intro) is ReferralStatus.INTERVIEWING
    assert intro.links[0].last_change_at == at(5)
    assert intro.events == []


@pytest.mark.parametrize("evidence", [None, "same"])
def test_a_signal_without_evidence_or_with_equal_evidence_asks_for_a_reread(
    evidence: str | None,
) -> None:
    intro = exported_introduction()
    apply(intro, StageChanged(application_id=APP, occurred_at=at(5), stage=PHONE))
    intro.events.clear()

    signal = Hired(application_id=APP, occurred_at=at(5) if evidence else None)

    assert apply(intro, signal) is Verdict.NEEDS_REREAD
    assert status(intro) is ReferralStatus.INTERVIEWING
    assert intro.events == []


def test_a_signal_about_an_application_the_introduction_does_not_have_is_unknown() -> None:
    intro = exported_introduction()
    assert apply(intro, Hired(application_id="someone-else", occurred_at=at(1))) is Verdict.UNKNOWN
    assert intro.events == []


def test_a_deletion_closes_the_link_and_records_a_removal() -> None:
    intro = exported_introduction()

    assert apply(intro, ApplicationDeleted(application_id=APP)) is Verdict.APPLIED

    assert intro.links[0].closed is RemovalReason.DELETED
    [event] = intro.events
    assert isinstance(event, ApplicationRemoved)
    assert event.reason == "deleted"
    assert event.application_id == APP
    assert event.applications[0].closed == "deleted"


def test_after_a_deletion_no_signal_reopens_the_application() -> None:
    intro = exported_introduction()
    apply(intro, StageChanged(application_id=APP, occurred_at=at(1), stage=PHONE))
    apply(intro, ApplicationDeleted(application_id=APP))
    intro.events.clear()

    for signal in (
        Hired(application_id=APP, occurred_at=at(0)),
        Hired(application_id=APP, occurred_at=at(9)),
        ApplicationDeleted(application_id=APP),
    ):
        assert apply(intro, signal) is Verdict.CLOSED

    assert status(intro) is ReferralStatus.INTERVIEWING
    assert intro.events == []


def test_a_signal_for_one_application_leaves_the_other_alone() -> None:
    intro = exported_introduction(("job-1", "job-2"))
    apply(intro, Hired(application_id="app-job-2", occurred_at=at(1)))
    assert [lk.status for lk in intro.links] == [ReferralStatus.APPLIED, ReferralStatus.HIRED]
    [event] = status_events(intro)
    assert event.job_id == "job-2"
    assert [v.status for v in event.applications] == [ReferralStatus.APPLIED, ReferralStatus.HIRED]


def test_signals_still_move_an_application_after_the_introduction_was_withdrawn() -> None:
    intro = exported_introduction()
    intro.withdraw(at=at(1))
    apply(intro, StageChanged(application_id=APP, occurred_at=at(2), stage=PHONE))
    assert status(intro) is ReferralStatus.INTERVIEWING


def test_sequence_numbers_rise_by_one_per_event_across_applications() -> None:
    intro = exported_introduction(("job-1", "job-2"))
    start = intro.sequence
    apply(intro, StageChanged(application_id="app-job-1", occurred_at=at(1), stage=PHONE))
    apply(intro, Hired(application_id="app-job-2", occurred_at=at(2)))
    apply(intro, ApplicationDeleted(application_id="app-job-1"))
    assert [e.sequence for e in intro.events] == [start + 1, start + 2, start + 3]
