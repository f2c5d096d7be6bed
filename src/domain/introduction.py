"""The Introduction aggregate: one accepted introduction, its applications and their statuses."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from intrro_gateway.domain.candidates import CandidateChanges, CandidateProfile, Referrer
from intrro_gateway.domain.events import (
    ApplicationRemoved,
    ApplicationStatusChanged,
    ApplicationView,
    CandidateChanged,
    IntroductionEvent,
    IntroductionExported,
    IntroductionFailed,
)
from intrro_gateway.domain.profiles import HeldProfile
from intrro_gateway.domain.signals import (
    ApplicationCreated,
    ApplicationDeleted,
    ApplicationSignal,
    ApplicationSnapshot,
    ApplicationState,
    ApplicationUpdated,
    Hired,
    Rejected,
    RejectionKind,
    RejectionReason,
    StageChanged,
    Unhired,
    Unrejected,
)
from intrro_gateway.domain.status import (
    ReferralStatus,
    RejectionMapping,
    StageMapping,
    StageRef,
)


class ExportState(enum.StrEnum):
    """How far the export of an introduction to the ATS has come."""

    PENDING = "pending"
    EXPORTED = "exported"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Verdict(enum.StrEnum):
    """What applying a signal to an application came to."""

    APPLIED = "applied"  # the signal was newer: the application took it (status may be unchanged)
    STALE = "stale"  # older than what the application already applied: nothing changes
    NEEDS_REREAD = "needs_reread"  # no time, the same time, or no status: the service re-reads
    CLOSED = "closed"  # the application was deleted or merged away: nothing reopens it
    UNKNOWN = "unknown"  # the introduction has no application with that id (yet)


class RemovalReason(enum.StrEnum):
    """Why an application link was closed."""

    DELETED = "deleted"
    MERGED = "merged"


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One entry of an application's status history."""

    previous: ReferralStatus
    status: ReferralStatus
    sequence: int
    at: datetime
    stage: StageRef | None = None


@dataclass(slots=True)
class ApplicationLink:
    """An introduction's application for one chosen job, linked to the ATS application once exported."""

    job_id: str
    application_id: str | None = None
    status: ReferralStatus = ReferralStatus.INTRODUCED
    stage: StageRef | None = None
    rejection: RejectionReason | None = None
    last_change_at: datetime | None = None
    closed: RemovalReason | None = None
    problem: str | None = None
    history: list[StatusChange] = field(default_factory=list)

    def view(self) -> ApplicationView:
        """This application as events report it."""
        return ApplicationView(
            job_id=self.job_id,
            application_id=self.application_id,
            status=self.status,
            stage=self.stage,
            problem=self.problem,
            closed=str(self.closed) if self.closed else None,
        )


@dataclass(slots=True)
class ExportJournal:
    """Which ATS writes of the export were attempted and which are known done.

    A write is recorded as attempted (and committed) before it is sent, so that after a crash the
    service knows to read the ATS before trying again: the ATS may have applied it.
    """

    attempted: set[str] = field(default_factory=set)
    done: set[str] = field(default_factory=set)

    def was_attempted(self, key: str) -> bool:
        """Whether a write was sent (or about to be) whose outcome may be unknown."""
        return key in self.attempted and key not in self.done


class Introduction:
    """An introduction accepted by a candidate, followed through the ATS."""

    def __init__(
        self,
        *,
        tenant_id: str,
        introduction_id: str,
        candidate: CandidateProfile,
        referrer: Referrer,
        job_ids: Sequence[str],
        message: str | None,
        accepted_at: datetime,
        links: list[ApplicationLink] | None = None,
        ats_candidate_id: str | None = None,
        export_state: ExportState = ExportState.PENDING,
        referral_credit: str = "none",
        journal: ExportJournal | None = None,
        sequence: int = 0,
        withdrawn_at: datetime | None = None,
        ats_profile: HeldProfile | None = None,
        version: int = 0,
    ) -> None:
        if not job_ids:
            raise ValueError("an introduction needs at least one chosen job")
        self.tenant_id = tenant_id
        self.introduction_id = introduction_id
        self.candidate = candidate
        self.referrer = referrer
        self.job_ids = tuple(dict.fromkeys(job_ids))
        self.message = message
        self.accepted_at = accepted_at
        self.links = (
            links if links is not None else [ApplicationLink(job_id=j) for j in self.job_ids]
        )
        self.ats_candidate_id = ats_candidate_id
        self.export_state = export_state
        self.referral_credit = referral_credit
        self.journal = journal or ExportJournal()
        self.sequence = sequence
        self.withdrawn_at = withdrawn_at
        self.ats_profile = ats_profile  # the candidate as the gateway last wrote or announced it
        self.version = version
        self.events: list[IntroductionEvent] = []

    # -- reading -------------------------------------------------------------------------------

    def link_for_application(self, application_id: str) -> ApplicationLink | None:
        """The link of an ATS application, if this introduction has it."""
        return next((lk for lk in self.links if lk.application_id == application_id), None)

    def link_for_job(self, job_id: str) -> ApplicationLink | None:
        """The link of a chosen job."""
        return next((lk for lk in self.links if lk.job_id == job_id), None)

    def views(self) -> tuple[ApplicationView, ...]:
        """Every application's current view, the snapshot that status events carry."""
        return tuple(lk.view() for lk in self.links)

    @property
    def is_exported(self) -> bool:
        """Whether the candidate is in the ATS."""
        return self.export_state is ExportState.EXPORTED

    # -- export --------------------------------------------------------------------------------

    def mark_exported(
        self,
        *,
        ats: str,
        candidate_id: str,
        candidate_url: str | None,
        referral_credit: str,
        applications: dict[str, tuple[str, StageRef | None, ReferralStatus]],
        problems: dict[str, str],
        at: datetime,
    ) -> None:
        """Record the export: per job its ATS application, stage and status, and/or its problem."""
        if self.export_state is not ExportState.PENDING:
            return
        self.ats_candidate_id = candidate_id
        self.referral_credit = referral_credit
        for link in self.links:
            if link.job_id in applications:
                app_id, stage, status = applications[link.job_id]
                link.application_id = app_id
                link.stage = stage
                link.history.append(StatusChange(link.status, status, self.sequence + 1, at, stage))
                link.status = status
                link.problem = problems.get(link.job_id)  # an application may exist incomplete
            elif link.job_id in problems:
                link.problem = problems[link.job_id]
        self.export_state = ExportState.EXPORTED
        self.events.append(
            IntroductionExported(
                tenant_id=self.tenant_id,
                introduction_id=self.introduction_id,
                sequence=self._next_sequence(),
                ats=ats,
                ats_candidate_id=candidate_id,
                candidate_url=candidate_url,
                referral_credit=referral_credit,
                applications=self.views(),
            )
        )

    def fail(self, *, code: str, message: str, problems: dict[str, str] | None = None) -> None:
        """Record that the export failed for good."""
        if self.export_state is not ExportState.PENDING:
            return
        for link in self.links:
            if problems and link.job_id in problems:
                link.problem = problems[link.job_id]
        self.export_state = ExportState.FAILED
        self.events.append(
            IntroductionFailed(
                tenant_id=self.tenant_id,
                introduction_id=self.introduction_id,
                sequence=self._next_sequence(),
                code=code,
                message=message,
            )
        )

    # -- Intrro-side changes -------------------------------------------------------------------

    def update_candidate(self, changes: CandidateChanges) -> None:
        """Take Intrro's changes to the candidate's profile."""
        self.candidate = self.candidate.with_changes(changes)

    def withdraw(self, *, at: datetime) -> None:
        """The introduction was withdrawn on Intrro's side.

        Before export, the export is cancelled. Every application still in process becomes
        `withdrawn`; one the ATS already settled (hired, rejected, withdrawn) keeps its status. The ATS
        stays the truth, so later ATS signals still move the applications (their evidence is untouched).
        """
        if self.withdrawn_at is not None:
            return
        self.withdrawn_at = at
        if self.export_state is ExportState.PENDING:
            self.export_state = ExportState.CANCELLED
        for link in self.links:
            exported = link.problem is None or link.application_id is not None
            if link.closed is None and exported and link.status not in _SETTLED:
                self._change_status(link, ReferralStatus.WITHDRAWN, at=at, stage=link.stage)

    def erase_personal_data(self) -> None:
        """Erase the candidate's personal data (deleted or anonymised in the ATS)."""
        self.candidate = self.candidate.anonymized()
        self.message = None
        self.ats_profile = None

    # -- the candidate as the ATS holds it -----------------------------------------------------

    def expect_ats_profile(self, held: HeldProfile) -> None:
        """The gateway wrote the candidate: this is what the ATS holds once the write applies.

        Recorded before the write is sent, so that its echo (the ATS's web hook about it) compares
        equal and announces nothing.
        """
        self.ats_profile = held

    def observe_ats_profile(self, held: HeldProfile) -> tuple[str, ...]:
        """The ATS holds this profile now: announce the fields an ATS edit changed.

        Compared with what the gateway last wrote or announced, so its own writes are never
        announced; without such a record (exported before it was kept) the profile is only noted.
        """
        before = self.ats_profile
        if self.candidate == self.candidate.anonymized():
            return ()  # erased: nothing about the person is kept or sent any more
        self.ats_profile = held
        if before is None:
            return ()
        changed = held.changed_fields(before)
        if changed:
            self.events.append(
                CandidateChanged(
                    tenant_id=self.tenant_id,
                    introduction_id=self.introduction_id,
                    sequence=self._next_sequence(),
                    candidate=held,
                    changed=changed,
                )
            )
        return changed

    # -- ATS signals ---------------------------------------------------------------------------

    def apply_signal(
        self,
        signal: ApplicationSignal,
        *,
        mapping: StageMapping,
        job_stages: Sequence[StageRef] = (),
        at: datetime,
        rejections: RejectionMapping = RejectionMapping(),  # noqa: B008 - frozen value
    ) -> Verdict:
        """Apply an ATS signal about one of this introduction's applications.

        `at` is when the gateway applies it (the event time when the ATS gives none).
        """
        link = self.link_for_application(signal.application_id)
        if link is None:
            return Verdict.UNKNOWN
        if link.closed is not None:
            return Verdict.CLOSED
        if isinstance(signal, ApplicationDeleted):
            self._close(link, RemovalReason.DELETED)
            return Verdict.APPLIED
        verdict = judge(link.last_change_at, signal.occurred_at)
        if verdict is not Verdict.APPLIED:
            return verdict
        if not _tells_status(signal):
            # Newer, but it does not say where the application stands now (an update of unnamed
            # fields, an unreject or unhire without its stage): taking its time would make older
            # signals still in flight stale, so the ATS's current state decides instead.
            return Verdict.NEEDS_REREAD
        status, stage, rejection = _outcome(link, signal, mapping, job_stages, rejections)
        link.stage = stage
        link.rejection = rejection
        link.last_change_at = signal.occurred_at
        self._change_status(link, status, at=signal.occurred_at or at, stage=stage)
        return Verdict.APPLIED

    def apply_snapshot(
        self,
        snapshot: ApplicationSnapshot,
        *,
        mapping: StageMapping,
        job_stages: Sequence[StageRef] = (),
        at: datetime,
        rejections: RejectionMapping = RejectionMapping(),  # noqa: B008 - frozen value
    ) -> Verdict:
        """Apply the application's current state read from the ATS: it wins over every signal."""
        link = self.link_for_application(snapshot.application_id)
        if link is None:
            return Verdict.UNKNOWN
        if link.closed is not None:
            return Verdict.CLOSED
        stage = snapshot.stage or link.stage
        rejection = snapshot.rejection if snapshot.state is ApplicationState.REJECTED else None
        status = snapshot_status(
            snapshot, mapping, job_stages, last_stage=link.stage, rejections=rejections
        )
        link.stage = stage
        link.rejection = rejection
        if snapshot.as_of is not None and (
            link.last_change_at is None or snapshot.as_of > link.last_change_at
        ):
            link.last_change_at = snapshot.as_of
        self._change_status(link, status, at=snapshot.as_of or at, stage=stage)
        return Verdict.APPLIED

    def relink_candidate(self, into_candidate_id: str) -> None:
        """The ATS merged this introduction's candidate into another: follow the survivor."""
        self.ats_candidate_id = into_candidate_id

    def merge_application(
        self,
        application_id: str,
        survivor: ApplicationSnapshot,
        *,
        mapping: StageMapping,
        job_stages: Sequence[StageRef] = (),
        at: datetime,
        rejections: RejectionMapping = RejectionMapping(),  # noqa: B008 - frozen value
    ) -> bool:
        """The ATS merged this application into `survivor` (a duplicate on the same job).

        The merged-away application is announced removed (`merged`); the link then follows the
        survivor, taking its current status. Returns whether anything changed.
        """
        link = self.link_for_application(application_id)
        if link is None or link.closed is not None or survivor.application_id == application_id:
            return False
        link.application_id = survivor.application_id
        link.last_change_at = None
        self.events.append(
            ApplicationRemoved(
                tenant_id=self.tenant_id,
                introduction_id=self.introduction_id,
                sequence=self._next_sequence(),
                job_id=link.job_id,
                application_id=application_id,
                reason=str(RemovalReason.MERGED),
                applications=self.views(),
            )
        )
        self.apply_snapshot(
            survivor, mapping=mapping, job_stages=job_stages, at=at, rejections=rejections
        )
        return True

    def close_application(self, application_id: str, reason: RemovalReason) -> bool:
        """Close an application the ATS removed; returns whether anything changed."""
        link = self.link_for_application(application_id)
        if link is None or link.closed is not None:
            return False
        self._close(link, reason)
        return True

    # -- internals -----------------------------------------------------------------------------

    def _close(self, link: ApplicationLink, reason: RemovalReason) -> None:
        link.closed = reason
        self.events.append(
            ApplicationRemoved(
                tenant_id=self.tenant_id,
                introduction_id=self.introduction_id,
                sequence=self._next_sequence(),
                job_id=link.job_id,
                application_id=link.application_id,
                reason=str(reason),
                applications=self.views(),
            )
        )

    def _change_status(
        self, link: ApplicationLink, status: ReferralStatus, *, at: datetime, stage: StageRef | None
    ) -> None:
        if status is link.status:
            return
        previous = link.status
        link.status = status
        sequence = self._next_sequence()
        link.history.append(StatusChange(previous, status, sequence, at, stage))
        self.events.append(
            ApplicationStatusChanged(
                tenant_id=self.tenant_id,
                introduction_id=self.introduction_id,
                sequence=sequence,
                job_id=link.job_id,
                application_id=link.application_id,
                status=status,
                previous_status=previous,
                stage=stage,
                rejection_reason=link.rejection if status in _REJECTION_STATUSES else None,
                occurred_at=at,
                applications=self.views(),
            )
        )

    def _next_sequence(self) -> int:
        self.sequence += 1
        return self.sequence


_REJECTION_STATUSES = frozenset({ReferralStatus.REJECTED, ReferralStatus.WITHDRAWN})
_SETTLED = frozenset({ReferralStatus.HIRED, ReferralStatus.REJECTED, ReferralStatus.WITHDRAWN})


def judge(last_applied: datetime | None, evidence: datetime | None) -> Verdict:
    """Order a signal against what an application already applied.

    Older evidence changes nothing; missing or equal evidence cannot be ordered, so the ATS is asked.
    """
    if evidence is None:
        return Verdict.NEEDS_REREAD
    if last_applied is None or evidence > last_applied:
        return Verdict.APPLIED
    if evidence == last_applied:
        return Verdict.NEEDS_REREAD
    return Verdict.STALE


def _outcome(
    link: ApplicationLink,
    signal: ApplicationSignal,
    mapping: StageMapping,
    job_stages: Sequence[StageRef],
    rejections: RejectionMapping,
) -> tuple[ReferralStatus, StageRef | None, RejectionReason | None]:
    """The status, stage and rejection an application has after a (newer) signal."""
    if isinstance(signal, Hired):
        return ReferralStatus.HIRED, link.stage, None
    if isinstance(signal, Rejected):
        return _rejection_status(signal.reason, rejections), link.stage, signal.reason
    if isinstance(signal, StageChanged):
        return _stage_status(signal.stage, mapping, job_stages), signal.stage, None
    if isinstance(signal, Unrejected | Unhired | ApplicationCreated):
        stage = signal.stage or link.stage
        return _stage_status(stage, mapping, job_stages), stage, None
    return link.status, link.stage, link.rejection


def _tells_status(signal: ApplicationSignal) -> bool:
    """Whether a signal says, on its own, which status the application has after it."""
    if isinstance(signal, ApplicationUpdated):
        return False
    if isinstance(signal, Unrejected | Unhired):
        return signal.stage is not None
    return True


def snapshot_status(
    snapshot: ApplicationSnapshot | None,
    mapping: StageMapping,
    job_stages: Sequence[StageRef] = (),
    *,
    last_stage: StageRef | None = None,
    rejections: RejectionMapping = RejectionMapping(),  # noqa: B008 - frozen value
) -> ReferralStatus:
    """The referral status an application read from the ATS means.

    Hired; rejected or withdrawn as the tenant's rejection mapping says (by default withdrawn when
    the candidate said no); otherwise what its stage means, the
    `last_stage` known when the ATS names none. An application not read yet is applied.
    """
    if snapshot is None:
        return ReferralStatus.APPLIED
    if snapshot.state is ApplicationState.HIRED:
        return ReferralStatus.HIRED
    if snapshot.state is ApplicationState.REJECTED:
        return _rejection_status(snapshot.rejection, rejections)
    return _stage_status(snapshot.stage or last_stage, mapping, job_stages)


def _rejection_status(
    reason: RejectionReason | None, rejections: RejectionMapping
) -> ReferralStatus:
    said_no = reason is not None and reason.kind is RejectionKind.CANDIDATE
    return rejections.status_for(reason.id if reason is not None else None, said_no)


def _stage_status(
    stage: StageRef | None, mapping: StageMapping, job_stages: Sequence[StageRef]
) -> ReferralStatus:
    if stage is None:
        return ReferralStatus.APPLIED
    return mapping.status_for(stage, job_stages)
