"""Domain events: what happened, recorded by aggregates and announced through the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from intrro_gateway.domain.jobs import Job
from intrro_gateway.domain.profiles import HeldProfile
from intrro_gateway.domain.signals import RejectionReason
from intrro_gateway.domain.status import ReferralStatus, StageRef


@dataclass(frozen=True, slots=True)
class ApplicationView:
    """One application of an introduction as events report it: the snapshot in every status event."""

    job_id: str
    application_id: str | None
    status: ReferralStatus
    stage: StageRef | None
    problem: str | None = None
    closed: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class IntroductionEvent:
    """An event of one introduction, numbered by the introduction's own sequence."""

    tenant_id: str
    introduction_id: str
    sequence: int


@dataclass(frozen=True, slots=True, kw_only=True)
class IntroductionExported(IntroductionEvent):
    """The candidate is in the ATS under the open chosen jobs; closed ones are named."""

    ats: str
    ats_candidate_id: str
    candidate_url: str | None
    referral_credit: str
    applications: tuple[ApplicationView, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class IntroductionFailed(IntroductionEvent):
    """The introduction could not be exported; `code` says why."""

    code: str
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplicationStatusChanged(IntroductionEvent):
    """An application's referral status changed."""

    job_id: str
    application_id: str | None
    status: ReferralStatus
    previous_status: ReferralStatus
    stage: StageRef | None
    rejection_reason: RejectionReason | None
    occurred_at: datetime
    applications: tuple[ApplicationView, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplicationRemoved(IntroductionEvent):
    """An application left the ATS (deleted, or merged away)."""

    job_id: str
    application_id: str | None
    reason: str
    applications: tuple[ApplicationView, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class CandidateChanged(IntroductionEvent):
    """An edit made in the ATS changed candidate fields Intrro knows; `candidate` as the ATS holds it."""

    candidate: HeldProfile
    changed: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class JobsChanged:
    """A tenant's job mirror changed; numbered by the tenant's job sequence."""

    tenant_id: str
    jobs: tuple[Job, ...]
    sequence: int


DomainEvent = IntroductionEvent | JobsChanged
