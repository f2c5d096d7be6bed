"""The ATS port: what the gateway needs of an applicant tracking system, ATS-neutral.

Errors (every implementation raises only these, translating library errors with `raise … from`):

    AtsError
    ├── AtsUnavailableError          the ATS could not be reached or answered 5xx; retry later
    │   ├── AtsRateLimitedError      429; `retry_after` says when
    │   ├── AtsOutcomeUnknownError   a write timed out or the connection dropped: re-read before retrying
    │   └── AtsIncompleteWriteError  a write was applied, a call after it failed: record its ids, retry
    ├── AtsAuthError                 the credential is refused (bad client id/secret, revoked)
    ├── AtsPermissionError           the credential lacks a scope, or its user is not allowed
    ├── AtsNotFoundError             the record does not exist
    └── AtsRejectedError             the ATS refused the request as invalid (422)
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from intrro_gateway.domain.candidates import CandidateChanges, CandidateProfile, Referrer
from intrro_gateway.domain.jobs import Job
from intrro_gateway.domain.signals import ApplicationSnapshot, RejectionReason
from intrro_gateway.domain.status import StageRef
from intrro_gateway.domain.tenant import AtsCredentials


class AtsError(Exception):
    """Base of every error an ATS adapter raises."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class AtsUnavailableError(AtsError):
    """Raised when the ATS cannot be reached or fails (5xx, timeouts on reads); worth retrying."""

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class AtsRateLimitedError(AtsUnavailableError):
    """Raised when the ATS answers 429 beyond what the adapter waits for itself."""


class AtsOutcomeUnknownError(AtsUnavailableError):
    """Raised when a write may or may not have been applied (timeout, dropped connection)."""


class AtsIncompleteWriteError(AtsUnavailableError):
    """Raised when a write was applied but a call that follows it (a read, say) failed.

    `candidate_id` and `application` are what the write produced: the caller records them before
    anything else, then retries like any unavailability (the write is not sent again).
    """

    def __init__(
        self,
        message: str,
        *,
        candidate_id: str,
        application: CreatedApplication | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message, status=status)
        self.candidate_id = candidate_id
        self.application = application


class AtsAuthError(AtsError):
    """Raised when the ATS refuses the credential itself."""


class AtsPermissionError(AtsError):
    """Raised when the credential lacks a permission (scope, site admin) the call needs."""

    def __init__(
        self, message: str, *, status: int | None = None, scope: str | None = None
    ) -> None:
        super().__init__(message, status=status)
        self.scope = scope


class AtsNotFoundError(AtsError):
    """Raised when a record the call names does not exist."""


class AtsRejectedError(AtsError):
    """Raised when the ATS refuses a request as invalid; `errors` lists what it said."""

    def __init__(
        self, message: str, *, status: int | None = None, errors: Sequence[str] = ()
    ) -> None:
        super().__init__(message, status=status)
        self.errors = tuple(errors)


@dataclass(frozen=True, slots=True)
class AtsContext:
    """What every ATS call needs: whose account, with which credential."""

    tenant_id: str
    credentials: AtsCredentials
    priority: bool = False  # a write a person waits for goes before background reads
    ats: str = field(kw_only=True)  # the tenant's ATS key: which registry entry serves the call


@dataclass(frozen=True, slots=True)
class AtsUser:
    """A user of the ATS account."""

    id: str
    name: str
    email: str
    site_admin: bool


@dataclass(frozen=True, slots=True)
class AtsSource:
    """A source (where candidates come from) of the ATS account."""

    id: str
    name: str
    type: str | None = None


class PermissionStatus(enum.StrEnum):
    """Whether the credential has a permission."""

    GRANTED = "granted"
    MISSING = "missing"
    UNVERIFIED = "unverified"


@dataclass(frozen=True, slots=True)
class PermissionCheck:
    """One permission the integration needs, and whether the credential has it."""

    scope: str
    covers: tuple[str, ...]
    required: bool
    status: PermissionStatus
    steps: tuple[str, ...] = ()  # how an admin grants it, when the ATS's adapter can say


@dataclass(frozen=True, slots=True)
class AtsCandidate:
    """A candidate (person) as the ATS holds it."""

    id: str
    first_name: str
    last_name: str
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    social_profiles: tuple[str, ...] = ()
    websites: tuple[str, ...] = ()
    company: str | None = None
    title: str | None = None
    tags: tuple[str, ...] = ()
    updated_at: datetime | None = None
    location: str | None = None  # the first address, when the ATS keeps addresses


@dataclass(frozen=True, slots=True)
class ReferralCredit:
    """How the referrer is credited: a referrer record of the ATS, a field the gateway owns, or not."""

    kind: str  # "referrer" | "custom_field" | "none"
    referrer_id: str | None = None


@dataclass(frozen=True, slots=True)
class NewApplication:
    """An application to create, for one job."""

    job_id: str
    source_id: str | None = None
    referral: ReferralCredit = field(default_factory=lambda: ReferralCredit("none"))
    prospect: bool = False


@dataclass(frozen=True, slots=True)
class CreatedApplication:
    """An application the ATS created (or that was found to exist already)."""

    application_id: str
    candidate_id: str
    job_id: str
    stage: StageRef | None = None


class AtsClient(Protocol):
    """An applicant tracking system, as the gateway uses it."""

    name: str

    async def verify_credentials(self, ctx: AtsContext) -> None:
        """Check that the ATS accepts the credential; raises AtsAuthError when it does not."""
        ...

    async def find_user_by_email(self, ctx: AtsContext, email: str) -> AtsUser | None:
        """The ATS user with this e-mail (primary or secondary), if any."""
        ...

    async def check_permissions(self, ctx: AtsContext) -> Sequence[PermissionCheck]:
        """Every permission the integration needs, checked without changing anything."""
        ...

    async def list_sources(self, ctx: AtsContext) -> Sequence[AtsSource]:
        """The account's candidate sources."""
        ...

    async def list_rejection_reasons(self, ctx: AtsContext) -> Sequence[RejectionReason]:
        """The account's rejection reasons, each with its kind."""
        ...

    async def list_jobs(
        self, ctx: AtsContext, *, updated_since: datetime | None = None, job_ids: Sequence[str] = ()
    ) -> Sequence[Job]:
        """Jobs with departments, offices, posts and stages; templates excluded.

        With neither argument: every open job. With `updated_since`: every job (any status) changed
        since then. With `job_ids`: those jobs, whatever their status.
        """
        ...

    async def find_candidates_by_email(
        self, ctx: AtsContext, emails: Sequence[str]
    ) -> Sequence[AtsCandidate]:
        """Candidates having any of these e-mail addresses (case-insensitive), without duplicates."""
        ...

    async def create_candidate(
        self, ctx: AtsContext, profile: CandidateProfile, application: NewApplication
    ) -> CreatedApplication:
        """Create the candidate with a first application."""
        ...

    async def add_application(
        self, ctx: AtsContext, candidate_id: str, application: NewApplication
    ) -> CreatedApplication:
        """Add an application to an existing candidate."""
        ...

    async def get_candidate(self, ctx: AtsContext, candidate_id: str) -> AtsCandidate | None:
        """The candidate as the ATS holds it now; None when it is gone (deleted or merged away)."""
        ...

    async def application_owners(
        self, ctx: AtsContext, application_ids: Sequence[str]
    ) -> Mapping[str, str]:
        """The candidate each of these applications belongs to now; ones gone are left out.

        The cheap check of reconciliation: no stages or reasons are read, only the applications.
        """
        ...

    async def applications_of_candidate(
        self, ctx: AtsContext, candidate_id: str
    ) -> Sequence[ApplicationSnapshot]:
        """Every application of a candidate, with its current stage."""
        ...

    async def get_applications(
        self, ctx: AtsContext, application_ids: Sequence[str]
    ) -> Sequence[ApplicationSnapshot]:
        """These applications as they are now, with their current stage; missing ones are left out."""
        ...

    async def applications_changed_since(
        self, ctx: AtsContext, since: datetime, application_ids: Sequence[str] = ()
    ) -> Sequence[ApplicationSnapshot]:
        """Applications (of these ids, when given) whose activity is newer than `since`."""
        ...

    async def resolve_referral(self, ctx: AtsContext, referrer: Referrer) -> ReferralCredit:
        """How this referrer can be credited in the ATS."""
        ...

    async def record_referrer(self, ctx: AtsContext, candidate_id: str, referrer: Referrer) -> None:
        """Write the referrer into the field the gateway owns on the candidate (credit fallback)."""
        ...

    async def has_note(self, ctx: AtsContext, candidate_id: str, marker: str) -> bool:
        """Whether the candidate already has a note containing `marker`."""
        ...

    async def add_note(
        self, ctx: AtsContext, candidate_id: str, application_id: str | None, body: str
    ) -> None:
        """Add a note to the candidate (on an application, when given)."""
        ...

    async def tag_candidate(self, ctx: AtsContext, candidate_id: str, tag: str) -> None:
        """Apply a tag to the candidate, creating it when missing; applying it twice is harmless."""
        ...

    async def update_candidate(
        self, ctx: AtsContext, candidate_id: str, changes: CandidateChanges
    ) -> None:
        """Merge changes into the candidate: lists are merged, nothing the ATS holds is cleared."""
        ...

    def source_steps(self, source_name: str) -> Sequence[str]:
        """The steps an admin follows in the ATS to add a source of this name."""
        ...

    def candidate_url(self, candidate_id: str) -> str | None:
        """Where a person sees the candidate in the ATS."""
        ...
