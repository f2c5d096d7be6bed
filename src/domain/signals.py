"""What an ATS tells the gateway, as ATS-neutral values.

Each application signal carries the ordering evidence the ATS gives: `occurred_at`, the ATS time of the
change when it has one (an ATS's web hook may carry no more than the application's last activity time;
deletions and merges carry no time at all).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from intrro_gateway.domain.status import StageRef


class RejectionKind(enum.StrEnum):
    """Who said no: the company, the candidate, or the ATS does not say."""

    COMPANY = "company"
    CANDIDATE = "candidate"
    UNSPECIFIED = "unspecified"


@dataclass(frozen=True, slots=True)
class RejectionReason:
    """Why an application was rejected, with the reason's kind."""

    id: str
    name: str
    kind: RejectionKind


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplicationSignal:
    """A change to one ATS application."""

    application_id: str
    candidate_id: str | None = None
    job_id: str | None = None
    occurred_at: datetime | None = None
    source: str | None = None  # the name of the ATS source the application came from, when given


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplicationCreated(ApplicationSignal):
    """An application was created (by the gateway or anyone else)."""

    stage: StageRef | None = None
    prospect: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class StageChanged(ApplicationSignal):
    """The application moved to another interview stage."""

    stage: StageRef


@dataclass(frozen=True, slots=True, kw_only=True)
class Rejected(ApplicationSignal):
    """The application was rejected, for a reason of some kind."""

    reason: RejectionReason | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Unrejected(ApplicationSignal):
    """A rejection was undone; the stage it returned to, when the ATS says."""

    stage: StageRef | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Hired(ApplicationSignal):
    """The candidate was hired on this application."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Unhired(ApplicationSignal):
    """A hire was undone; the stage it returned to, when the ATS says."""

    stage: StageRef | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplicationUpdated(ApplicationSignal):
    """Something about the application changed; the ATS does not say what."""

    stage: StageRef | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplicationDeleted(ApplicationSignal):
    """The application was destroyed in the ATS."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CandidateSignal:
    """A change to one ATS candidate (person)."""

    candidate_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CandidateDeleted(CandidateSignal):
    """The candidate was deleted, with the ids of the applications that went with it."""

    application_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class CandidateMerged(CandidateSignal):
    """The candidate was merged into another one, which survives."""

    into_candidate_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CandidateProfileChanged(CandidateSignal):
    """The candidate's profile fields changed in the ATS."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CandidateAnonymized(CandidateSignal):
    """The ATS anonymised the candidate: the gateway must erase their personal data."""

    fields: tuple[str, ...] = ()


class ApplicationState(enum.StrEnum):
    """An application's state as the ATS reports it on a read."""

    ACTIVE = "active"
    REJECTED = "rejected"
    HIRED = "hired"
    CONVERTED = "converted"


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplicationSnapshot:
    """An application as read from the ATS now: its current state wins over any signal."""

    application_id: str
    candidate_id: str
    job_id: str | None
    state: ApplicationState
    stage: StageRef | None = None
    rejection: RejectionReason | None = None
    as_of: datetime | None = None
    prospect: bool = False


AtsSignal = ApplicationSignal | CandidateSignal
