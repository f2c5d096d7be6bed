"""An introduction's life outside the ATS signals: export, failure, withdrawal, snapshots, removals."""

from __future__ import annotations

import pytest

from intrro_gateway.domain.candidates import CandidateChanges
from intrro_gateway.domain.events import (
    ApplicationRemoved,
    ApplicationStatusChanged,
    IntroductionExported,
    IntroductionFailed,
)
from intrro_gateway.domain.introduction import (
    ExportJournal,
    ExportState,
    RemovalReason,
    Verdict,
    snapshot_status,
)
from intrro_gateway.domain.signals import (
    ApplicationSnapshot,
    ApplicationState,
    Rejected,
    RejectionKind,
    RejectionReason,
    StageChanged,
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
    new_introduction,
)

MAPPING = StageMapping()
APP = "app-job-1"


def snapshot(state: ApplicationState, **kwargs: object) -> ApplicationSnapshot:
    return ApplicationSnapshot(
        application_id=APP,
        candidate_id="cand-1",
        job_id="job-1",
        state=state,
        **kwargs,  # type: ignore[arg-type]
    )


def test_an_introduction_needs_a_job_and_keeps_each_chosen_job_once() -> None:
    with pytest.raises(ValueError, match="job"):
        new_introduction(())
    intro = new_introduction(("job-1", "job-2", "job-1"))
    assert intro.job_ids == ("job-1", "job-2")
    assert [lk.status for lk in intro.links] == [ReferralStatus.INTRODUCED] * 2
    assert intro.export_state is ExportState.PENDING
    assert not intro.is_exported


def test_the_export_links_each_job_to_its_application_and_names_the_problems() -> None:
    intro = new_introduction(("job-1", "job-2"))

    intro.mark_exported(
        ats="greenhouse",
        candidate_id="cand-1",
        candidate_url="https://app.greenhouse.io/people/1",
        referral_credit="referrer",
        applications={"job-1": ("app-1", REVIEW, ReferralStatus.APPLIED)},
        problems={"job-2": "job_not_open"},
        at=at(1),
    )

    assert intro.is_exported
    assert intro.ats_candidate_id == "cand-1"
    first, second = intro.links
    assert (first.application_id, first.status, first.stage) == (
        "app-1",
        ReferralStatus.APPLIED,
        REVIEW,
    )
    assert (second.application_id, second.status, second.problem) == (
        None,
        ReferralStatus.INTRODUCED,
        "job_not_open",
    )
    [event] = intro.events
    assert isinstance(event, IntroductionExported)
    assert event.sequence == 1
    assert event.referral_credit == "referrer"
    assert [v.problem for v in event.applications] == [None, "job_not_open"]


def test_an_introduction_is_exported_only_once() -> None:
    intro = exported_introduction()
    intro.mark_exported(
        ats="greenhouse",
        candidate_id="other",
        candidate_url=None,
        referral_credit="none",
        applications={},
        problems={},
        at=at(2),
    )
    assert intro.ats_candidate_id == "cand-1"
    assert intro.events == []


def test_a_failed_export_records_the_failure_once_and_blocks_a_later_export() -> None:
    intro = new_introduction()

    intro.fail(
        code="job_not_open", message="no chosen job is open", problems={"job-1": "job_not_open"}
    )
    intro.fail(code="ats_rejected", message="again")
    intro.mark_exported(
        ats="greenhouse",
        candidate_id="c",
        candidate_url=None,
        referral_credit="none",
        applications={"job-1": ("app-1", REVIEW, ReferralStatus.APPLIED)},
        problems={},
        at=at(1),
    )

    assert intro.export_state is ExportState.FAILED
    assert intro.links[0].problem == "job_not_open"
    assert intro.links[0].application_id is None
    [event] = intro.events
    assert isinstance(event, IntroductionFailed)
    assert (event.code, event.sequence) == ("job_not_open", 1)


def test_withdrawing_before_the_export_cancels_it() -> None:
    intro = new_introduction()
    intro.withdraw(at=at(1))
    assert intro.export_state is ExportState.CANCELLED
    assert intro.links[0].status is ReferralStatus.WITHDRAWN
    [event] = intro.events
    assert isinstance(event, ApplicationStatusChanged)
    assert event.previous_status is ReferralStatus.INTRODUCED


def test_withdrawing_marks_every_open_application_withdrawn_once() -> None:
    intro = exported_introduction(("job-1", "job-2", "job-3"))
    intro.close_application("app-job-3", RemovalReason.DELETED)
    intro.events.clear()

    intro.withdraw(at=at(1))
    intro.withdraw(at=at(2))

    assert [lk.status for lk in intro.links] == [
        ReferralStatus.WITHDRAWN,
        ReferralStatus.WITHDRAWN,
        ReferralStatus.APPLIED,
    ]
    assert intro.withdrawn_at == at(1)
    assert [type(e) for e in intro.events] == [ApplicationStatusChanged] * 2
    assert intro.export_state is ExportState.EXPORTED


def test_withdrawing_leaves_an_application_with_a_problem_alone() -> None:
    intro = new_introduction(("job-1", "job-2"))
    intro.mark_exported(
        ats="greenhouse",
        candidate_id="c",
        candidate_url=None,
        referral_credit="none",
        applications={"job-1": ("app-1", REVIEW, ReferralStatus.APPLIED)},
        problems={"job-2": "job_not_open"},
        at=at(1),
    )
    intro.withdraw(at=at(2))
    assert [lk.status for lk in intro.links] == [
        ReferralStatus.WITHDRAWN,
        ReferralStatus.INTRODUCED,
    ]


@pytest.mark.parametrize(
    ("state", "extra", "expected"),
    [
        (ApplicationState.HIRED, {}, ReferralStatus.HIRED),
        (ApplicationState.ACTIVE, {"stage": ONSITE}, ReferralStatus.INTERVIEWING),
        (ApplicationState.ACTIVE, {"stage": OFFER}, ReferralStatus.OFFER),
        (ApplicationState.REJECTED, {}, ReferralStatus.REJECTED),
        (
            ApplicationState.REJECTED,
            {
                "rejection": RejectionReason(
                    id="r", name="They rejected us", kind=RejectionKind.CANDIDATE
                )
            },
            ReferralStatus.WITHDRAWN,
        ),
    ],
)
def test_a_snapshot_sets_the_status_the_ats_reports(
    state: ApplicationState, extra: dict[str, object], expected: ReferralStatus
) -> None:
    intro = exported_introduction()
    assert intro.apply_snapshot(
        snapshot(state, **extra), mapping=MAPPING, job_stages=STAGES, at=at(9)
    ) is (Verdict.APPLIED)
    assert intro.links[0].status is expected
    [event] = intro.events
    assert isinstance(event, ApplicationStatusChanged)
    assert event.status is expected


def test_an_application_not_read_yet_is_applied_and_one_read_means_what_its_snapshot_says() -> None:
    assert snapshot_status(None, MAPPING, STAGES) is ReferralStatus.APPLIED
    assert snapshot_status(snapshot(ApplicationState.ACTIVE), MAPPING) is ReferralStatus.APPLIED
    active = snapshot(ApplicationState.ACTIVE, stage=PHONE)
    assert snapshot_status(active, MAPPING, STAGES) is MAPPING.status_for(PHONE, STAGES)
    bare = snapshot(ApplicationState.ACTIVE)
    assert snapshot_status(bare, MAPPING, STAGES, last_stage=OFFER) is MAPPING.status_for(
        OFFER, STAGES
    )
    hired = snapshot(ApplicationState.HIRED, stage=PHONE)
    assert snapshot_status(hired, MAPPING, STAGES, last_stage=OFFER) is ReferralStatus.HIRED
    said_no = RejectionReason(id="r", name="Took another job", kind=RejectionKind.CANDIDATE)
    rejected = snapshot(ApplicationState.REJECTED, stage=PHONE, rejection=said_no)
    assert snapshot_status(rejected, MAPPING, STAGES) is ReferralStatus.WITHDRAWN
    no_reason = snapshot(ApplicationState.REJECTED, stage=PHONE)
    assert snapshot_status(no_reason, MAPPING, STAGES) is ReferralStatus.REJECTED


def test_an_active_snapshot_without_a_stage_keeps_the_known_stage() -> None:
    intro = exported_introduction()
    intro.apply_signal(
        Rejected(application_id=APP, occurred_at=at(1)),
        mapping=MAPPING,
        job_stages=STAGES,
        at=at(1),
    )
    intro.links[0].stage = PHONE
    intro.apply_snapshot(
        snapshot(ApplicationState.ACTIVE), mapping=MAPPING, job_stages=STAGES, at=at(2)
    )
    assert intro.links[0].status is ReferralStatus.INTERVIEWING
    assert intro.links[0].rejection is None


def test_a_snapshot_wins_over_newer_evidence_and_never_moves_the_evidence_back() -> None:
    intro = exported_introduction()
    intro.apply_signal(
        StageChanged(application_id=APP, occurred_at=at(5), stage=PHONE),
        mapping=MAPPING,
        job_stages=STAGES,
        at=at(5),
    )
    intro.apply_snapshot(
        snapshot(ApplicationState.HIRED, as_of=at(3)), mapping=MAPPING, job_stages=STAGES, at=at(6)
    )
    assert intro.links[0].status is ReferralStatus.HIRED
    assert intro.links[0].last_change_at == at(5)


def test_a_newer_snapshot_makes_older_signals_stale() -> None:
    intro = exported_introduction()
    intro.apply_snapshot(
        snapshot(ApplicationState.HIRED, as_of=at(5)), mapping=MAPPING, job_stages=STAGES, at=at(6)
    )
    verdict = intro.apply_signal(
        StageChanged(application_id=APP, occurred_at=at(4), stage=PHONE),
        mapping=MAPPING,
        job_stages=STAGES,
        at=at(7),
    )
    assert verdict is Verdict.STALE
    assert intro.links[0].status is ReferralStatus.HIRED


def test_a_snapshot_of_the_state_already_known_records_nothing() -> None:
    intro = exported_introduction()
    intro.apply_snapshot(
        snapshot(ApplicationState.ACTIVE, stage=REVIEW),
        mapping=MAPPING,
        job_stages=STAGES,
        at=at(1),
    )
    assert intro.events == []


def test_a_snapshot_cannot_reopen_a_closed_application_nor_touch_an_unknown_one() -> None:
    intro = exported_introduction()
    intro.close_application(APP, RemovalReason.DELETED)
    intro.events.clear()
    hired = snapshot(ApplicationState.HIRED)
    assert intro.apply_snapshot(hired, mapping=MAPPING, at=at(1)) is Verdict.CLOSED
    other = ApplicationSnapshot(
        application_id="x", candidate_id="c", job_id=None, state=ApplicationState.HIRED
    )
    assert intro.apply_snapshot(other, mapping=MAPPING, at=at(1)) is Verdict.UNKNOWN
    assert intro.events == []
    assert intro.links[0].status is ReferralStatus.APPLIED


def test_a_merge_relinks_the_introduction_to_the_surviving_candidate() -> None:
    intro = exported_introduction()
    intro.relink_candidate("cand-2")
    assert intro.ats_candidate_id == "cand-2"
    assert intro.links[0].closed is None


def test_closing_an_application_records_its_removal_once() -> None:
    intro = exported_introduction()
    assert intro.close_application(APP, RemovalReason.MERGED)
    assert not intro.close_application(APP, RemovalReason.DELETED)
    assert not intro.close_application("unknown", RemovalReason.DELETED)
    [event] = intro.events
    assert isinstance(event, ApplicationRemoved)
    assert (event.reason, event.job_id) == ("merged", "job-1")
    assert intro.links[0].closed is RemovalReason.MERGED


def test_erasing_personal_data_keeps_no_name_address_or_message() -> None:
    intro = exported_introduction()
    intro.erase_personal_data()
    assert (intro.candidate.first_name, intro.candidate.last_name) == ("", "")
    assert "ada@example.com" not in intro.candidate.emails
    assert intro.message is None


def test_intrro_changes_to_the_candidate_replace_only_the_named_fields() -> None:
    intro = new_introduction()
    intro.update_candidate(CandidateChanges(current_title="CTO"))
    assert intro.candidate.current_title == "CTO"
    assert intro.candidate.first_name == "Ada"


def test_the_export_journal_knows_a_write_whose_outcome_is_unknown() -> None:
    journal = ExportJournal()
    journal.attempted.add("candidate")
    assert journal.was_attempted("candidate")
    journal.done.add("candidate")
    assert not journal.was_attempted("candidate")
    assert not journal.was_attempted("application:job-1")
