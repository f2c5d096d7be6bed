"""An in-memory ATS implementing `ports.ats.AtsClient`, with knobs for failures and lag.

It holds jobs, candidates, applications, stages, notes, tags, referrers, users and sources; records every
call in `calls`; can fail one call once (`fail_once`), hide just-created candidates from the e-mail
search for a while (`hide_new_candidates_for`), and change application state (`move`, `reject`, `hire`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from intrro_gateway.domain.candidates import CandidateChanges, CandidateProfile, Referrer
from intrro_gateway.domain.jobs import Job, JobStage, JobStatus
from intrro_gateway.domain.signals import ApplicationSnapshot, ApplicationState, RejectionReason
from intrro_gateway.domain.status import StageRef
from intrro_gateway.ports.ats import (
    AtsAuthError,
    AtsCandidate,
    AtsContext,
    AtsError,
    AtsNotFoundError,
    AtsOutcomeUnknownError,
    AtsSource,
    AtsUnavailableError,
    AtsUser,
    CreatedApplication,
    NewApplication,
    PermissionCheck,
    ReferralCredit,
)
from intrro_gateway.ports.clock import Clock

WRITES = frozenset(
    {
        "create_candidate",
        "add_application",
        "record_referrer",
        "add_note",
        "tag_candidate",
        "update_candidate",
    }
)


@dataclass
class FakeCandidate:
    """A candidate as the fake ATS holds it."""

    id: str
    first_name: str
    last_name: str
    emails: list[str]
    phones: list[str] = field(default_factory=list)
    social_profiles: list[str] = field(default_factory=list)
    websites: list[str] = field(default_factory=list)
    company: str | None = None
    title: str | None = None
    location: str | None = None
    tags: list[str] = field(default_factory=list)
    referrer: Referrer | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    deleted: bool = False
    merged_into: str | None = None

    def public(self) -> AtsCandidate:
        """The candidate as the port returns it."""
        return AtsCandidate(
            id=self.id,
            first_name=self.first_name,
            last_name=self.last_name,
            emails=tuple(self.emails),
            phones=tuple(self.phones),
            social_profiles=tuple(self.social_profiles),
            websites=tuple(self.websites),
            company=self.company,
            title=self.title,
            tags=tuple(self.tags),
            updated_at=self.updated_at,
            location=self.location,
        )


@dataclass
class FakeApplication:
    """An application as the fake ATS holds it."""

    id: str
    candidate_id: str
    job_id: str | None
    state: ApplicationState = ApplicationState.ACTIVE
    stage: StageRef | None = None
    rejection: RejectionReason | None = None
    prospect: bool = False
    source_id: str | None = None
    referral: ReferralCredit = field(default_factory=lambda: ReferralCredit("none"))
    updated_at: datetime | None = None

    def snapshot(self) -> ApplicationSnapshot:
        """The application as a read returns it."""
        return ApplicationSnapshot(
            application_id=self.id,
            candidate_id=self.candidate_id,
            job_id=self.job_id,
            state=self.state,
            stage=self.stage,
            rejection=self.rejection,
            as_of=self.updated_at,
            prospect=self.prospect,
        )


@dataclass(frozen=True)
class FakeNote:
    """A note on a candidate."""

    candidate_id: str
    application_id: str | None
    body: str


@dataclass
class _Failure:
    error: AtsError
    after_applying: bool


class FakeAtsClient:
    """An applicant tracking system in memory."""

    name = "greenhouse"

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.jobs: dict[str, Job] = {}
        self.candidates: dict[str, FakeCandidate] = {}
        self.applications: dict[str, FakeApplication] = {}
        self.notes: list[FakeNote] = []
        self.referrers: dict[str, str] = {}  # referrer e-mail (casefolded) -> referrer id
        self.custom_field = True  # whether the referrer field exists (the credit fallback)
        self.users: list[AtsUser] = []
        self.sources: list[AtsSource] = [AtsSource(id="src-intrro", name="Intrro")]
        self.rejection_reasons: list[RejectionReason] = []
        self.permissions: list[PermissionCheck] = []
        self.refused_secrets: set[str] = set()
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.hide_new_for = timedelta(0)
        self._failures: dict[str, list[_Failure]] = {}
        self._next = 1000

    # -- test knobs ----------------------------------------------------------------------------

    def fail_once(
        self, method: str, error: AtsError | None = None, *, after_applying: bool = False
    ) -> None:
        """Make the next call of `method` fail: before it applies anything, or (outcome unknown) after."""
        if error is None:
            error = (
                AtsOutcomeUnknownError("timed out")
                if after_applying
                else AtsUnavailableError("503", status=503)
            )
        self._failures.setdefault(method, []).append(_Failure(error, after_applying))

    def hide_new_candidates_for(self, window: timedelta) -> None:
        """Leave candidates out of the e-mail search until they are `window` old (eventual consistency)."""
        self.hide_new_for = window

    def add_job(self, job: Job) -> Job:
        """Put a job in the ATS."""
        self.jobs[job.ats_id] = job
        return job

    def add_candidate(self, first_name: str, last_name: str, emails: Sequence[str]) -> str:
        """Put a candidate in the ATS (made by someone else); returns its id."""
        cand = FakeCandidate(self._id(), first_name, last_name, list(emails))
        cand.created_at = cand.updated_at = self.clock.now()
        self.candidates[cand.id] = cand
        return cand.id

    def add_existing_application(self, candidate_id: str, job_id: str) -> str:
        """Put an application in the ATS (made by someone else); returns its id."""
        app = self._new_application(candidate_id, NewApplication(job_id=job_id))
        return app.id

    def move(self, application_id: str, stage: StageRef) -> None:
        """A recruiter moves the application to a stage."""
        app = self.applications[application_id]
        app.stage, app.state, app.rejection = stage, ApplicationState.ACTIVE, None
        self._touch(app)

    def reject(self, application_id: str, reason: RejectionReason | None) -> None:
        """A recruiter rejects the application."""
        app = self.applications[application_id]
        app.state, app.rejection = ApplicationState.REJECTED, reason
        self._touch(app)

    def hire(self, application_id: str) -> None:
        """A recruiter hires on the application."""
        app = self.applications[application_id]
        app.state = ApplicationState.HIRED
        self._touch(app)

    def merge(self, candidate_id: str, into_candidate_id: str) -> dict[str, str]:
        """Merge a candidate into another: its applications move to the survivor, except one on a
        job the survivor has an application for, which is merged into that one.

        Returns the merged-away application ids, each with the one it was merged into."""
        self.candidates[candidate_id].merged_into = into_candidate_id
        kept = {a.job_id: a.id for a in self.applications_of(into_candidate_id)}
        merged: dict[str, str] = {}
        for app in list(self.applications.values()):
            if app.candidate_id != candidate_id:
                continue
            if app.job_id in kept:
                merged[app.id] = kept[app.job_id]
                del self.applications[app.id]
            else:
                app.candidate_id = into_candidate_id
        return merged

    def delete_candidate(self, candidate_id: str) -> list[str]:
        """Delete a candidate and its applications; returns the application ids."""
        self.candidates[candidate_id].deleted = True
        gone = [a.id for a in self.applications.values() if a.candidate_id == candidate_id]
        for app_id in gone:
            del self.applications[app_id]
        return gone

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        """The arguments of every call of one method."""
        return [args for name, args in self.calls if name == method]

    def live_candidates(self) -> list[FakeCandidate]:
        """Candidates neither deleted nor merged away."""
        return [c for c in self.candidates.values() if not c.deleted and c.merged_into is None]

    def applications_of(self, candidate_id: str) -> list[FakeApplication]:
        """The applications a candidate has now."""
        return [a for a in self.applications.values() if a.candidate_id == candidate_id]

    # -- the port ------------------------------------------------------------------------------

    async def verify_credentials(self, ctx: AtsContext) -> None:
        """Refuse the secrets the test listed."""
        await self._call("verify_credentials", ctx)
        self._maybe_fail("verify_credentials")
        if ctx.credentials.client_secret in self.refused_secrets:
            raise AtsAuthError("invalid_client", status=401)

    async def find_user_by_email(self, ctx: AtsContext, email: str) -> AtsUser | None:
        """A user by e-mail."""
        await self._call("find_user_by_email", ctx)
        self._maybe_fail("find_user_by_email")
        return next((u for u in self.users if u.email.casefold() == email.casefold()), None)

    async def check_permissions(self, ctx: AtsContext) -> Sequence[PermissionCheck]:
        """The permissions the test set up."""
        await self._call("check_permissions", ctx)
        self._maybe_fail("check_permissions")
        return list(self.permissions)

    async def list_sources(self, ctx: AtsContext) -> Sequence[AtsSource]:
        """The sources."""
        await self._call("list_sources", ctx)
        self._maybe_fail("list_sources")
        return list(self.sources)

    async def list_rejection_reasons(self, ctx: AtsContext) -> Sequence[RejectionReason]:
        """The rejection reasons."""
        await self._call("list_rejection_reasons", ctx)
        self._maybe_fail("list_rejection_reasons")
        return list(self.rejection_reasons)

    async def list_jobs(
        self, ctx: AtsContext, *, updated_since: datetime | None = None, job_ids: Sequence[str] = ()
    ) -> Sequence[Job]:
        """Open jobs; or every job changed since; or these jobs; templates never."""
        await self._call("list_jobs", ctx, updated_since=updated_since, job_ids=tuple(job_ids))
        self._maybe_fail("list_jobs")
        jobs = [j for j in self.jobs.values() if not j.is_template]
        if job_ids:
            jobs = [j for j in jobs if j.ats_id in job_ids]
        elif updated_since is not None:
            jobs = [j for j in jobs if j.updated_at is not None and j.updated_at > updated_since]
        else:
            jobs = [j for j in jobs if j.status is JobStatus.OPEN]
        return sorted(jobs, key=lambda j: j.ats_id)

    async def find_candidates_by_email(
        self, ctx: AtsContext, emails: Sequence[str]
    ) -> Sequence[AtsCandidate]:
        """Live candidates with any of these e-mails, leaving out those too new to be indexed."""
        await self._call("find_candidates_by_email", ctx, emails=tuple(emails))
        self._maybe_fail("find_candidates_by_email")
        wanted = {e.casefold() for e in emails}
        now = self.clock.now()
        return [
            c.public()
            for c in self.live_candidates()
            if wanted & {e.casefold() for e in c.emails}
            and (c.created_at is None or c.created_at + self.hide_new_for <= now)
        ]

    async def create_candidate(
        self, ctx: AtsContext, profile: CandidateProfile, application: NewApplication
    ) -> CreatedApplication:
        """Create a candidate with a first application."""
        await self._call("create_candidate", ctx, emails=profile.emails, job_id=application.job_id)
        self._maybe_fail("create_candidate", before=True)
        self._check_job(application)
        cand = FakeCandidate(
            id=self._id(),
            first_name=profile.first_name,
            last_name=profile.last_name,
            emails=list(profile.emails),
            phones=list(profile.phones),
            social_profiles=[
                *([profile.linkedin_url] if profile.linkedin_url else []),
                *profile.social_profiles,
            ],
            websites=list(profile.websites),
            company=profile.current_company,
            title=profile.current_title,
            location=profile.location,
            created_at=self.clock.now(),
            updated_at=self.clock.now(),
        )
        self.candidates[cand.id] = cand
        app = self._new_application(cand.id, application)
        self._maybe_fail("create_candidate", before=False)
        return self._created(app)

    async def add_application(
        self, ctx: AtsContext, candidate_id: str, application: NewApplication
    ) -> CreatedApplication:
        """Add an application to a candidate."""
        await self._call(
            "add_application", ctx, candidate_id=candidate_id, job_id=application.job_id
        )
        self._maybe_fail("add_application", before=True)
        self._live(candidate_id)
        self._check_job(application)
        app = self._new_application(candidate_id, application)
        self._maybe_fail("add_application", before=False)
        return self._created(app)

    async def get_candidate(self, ctx: AtsContext, candidate_id: str) -> AtsCandidate | None:
        """The candidate now; None when deleted or merged away."""
        await self._call("get_candidate", ctx, candidate_id=candidate_id)
        self._maybe_fail("get_candidate")
        cand = self.candidates.get(candidate_id)
        if cand is None or cand.deleted or cand.merged_into is not None:
            return None
        return cand.public()

    async def application_owners(
        self, ctx: AtsContext, application_ids: Sequence[str]
    ) -> Mapping[str, str]:
        """Who owns each of these applications now; gone ones left out."""
        await self._call("application_owners", ctx, application_ids=tuple(application_ids))
        self._maybe_fail("application_owners")
        return {
            i: self.applications[i].candidate_id for i in application_ids if i in self.applications
        }

    async def applications_of_candidate(
        self, ctx: AtsContext, candidate_id: str
    ) -> Sequence[ApplicationSnapshot]:
        """Every application of a candidate."""
        await self._call("applications_of_candidate", ctx, candidate_id=candidate_id)
        self._maybe_fail("applications_of_candidate")
        return [a.snapshot() for a in self.applications_of(candidate_id)]

    async def get_applications(
        self, ctx: AtsContext, application_ids: Sequence[str]
    ) -> Sequence[ApplicationSnapshot]:
        """These applications now; missing ones left out."""
        await self._call("get_applications", ctx, application_ids=tuple(application_ids))
        self._maybe_fail("get_applications")
        return [self.applications[i].snapshot() for i in application_ids if i in self.applications]

    async def applications_changed_since(
        self, ctx: AtsContext, since: datetime, application_ids: Sequence[str] = ()
    ) -> Sequence[ApplicationSnapshot]:
        """Applications (of these ids) changed after `since`."""
        await self._call("applications_changed_since", ctx, since=since, ids=tuple(application_ids))
        self._maybe_fail("applications_changed_since")
        return [
            a.snapshot()
            for a in self.applications.values()
            if (not application_ids or a.id in application_ids)
            and a.updated_at is not None
            and a.updated_at > since
        ]

    async def resolve_referral(self, ctx: AtsContext, referrer: Referrer) -> ReferralCredit:
        """A referrer record when the ATS knows the e-mail, else the custom field, else none."""
        await self._call("resolve_referral", ctx)
        self._maybe_fail("resolve_referral")
        referrer_id = self.referrers.get(referrer.email.casefold())
        if referrer_id is not None:
            return ReferralCredit("referrer", referrer_id)
        return ReferralCredit("custom_field" if self.custom_field else "none")

    async def record_referrer(self, ctx: AtsContext, candidate_id: str, referrer: Referrer) -> None:
        """Write the referrer field on the candidate."""
        await self._call("record_referrer", ctx, candidate_id=candidate_id)
        self._maybe_fail("record_referrer", before=True)
        self._live(candidate_id).referrer = referrer
        self._maybe_fail("record_referrer", before=False)

    async def has_note(self, ctx: AtsContext, candidate_id: str, marker: str) -> bool:
        """Whether a note of the candidate contains the marker."""
        await self._call("has_note", ctx, candidate_id=candidate_id, marker=marker)
        self._maybe_fail("has_note")
        return any(n.candidate_id == candidate_id and marker in n.body for n in self.notes)

    async def add_note(
        self, ctx: AtsContext, candidate_id: str, application_id: str | None, body: str
    ) -> None:
        """Add a note."""
        await self._call("add_note", ctx, candidate_id=candidate_id, application_id=application_id)
        self._maybe_fail("add_note", before=True)
        self._live(candidate_id)
        self.notes.append(FakeNote(candidate_id, application_id, body))
        self._maybe_fail("add_note", before=False)

    async def tag_candidate(self, ctx: AtsContext, candidate_id: str, tag: str) -> None:
        """Tag a candidate (once)."""
        await self._call("tag_candidate", ctx, candidate_id=candidate_id, tag=tag)
        self._maybe_fail("tag_candidate", before=True)
        cand = self._live(candidate_id)
        if tag not in cand.tags:
            cand.tags.append(tag)
        self._maybe_fail("tag_candidate", before=False)

    async def update_candidate(
        self, ctx: AtsContext, candidate_id: str, changes: CandidateChanges
    ) -> None:
        """Merge changes: scalars replaced, lists merged, nothing cleared."""
        await self._call("update_candidate", ctx, candidate_id=candidate_id, changes=changes)
        self._maybe_fail("update_candidate", before=True)
        cand = self._live(candidate_id)
        cand.first_name = changes.first_name or cand.first_name
        cand.last_name = changes.last_name or cand.last_name
        cand.company = changes.current_company or cand.company
        cand.title = changes.current_title or cand.title
        cand.location = changes.location or cand.location
        linkedin = (changes.linkedin_url,) if changes.linkedin_url else None
        for attr, new in (
            ("social_profiles", linkedin),
            ("emails", changes.emails),
            ("phones", changes.phones),
            ("social_profiles", changes.social_profiles),
            ("websites", changes.websites),
        ):
            values: list[str] = getattr(cand, attr)
            values.extend(v for v in new or () if v not in values)
        cand.updated_at = self.clock.now()
        self._maybe_fail("update_candidate", before=False)

    def source_steps(self, source_name: str) -> Sequence[str]:
        """The steps to add a source."""
        return [f"Configure > Sources > add {source_name!r}"]

    def candidate_url(self, candidate_id: str) -> str | None:
        """The candidate's page."""
        return f"https://ats.invalid/people/{candidate_id}"

    # -- internals -----------------------------------------------------------------------------

    def _id(self) -> str:
        self._next += 1
        return str(self._next)

    async def _call(self, method: str, ctx: AtsContext, **args: Any) -> None:
        self.calls.append((method, {"tenant": ctx.tenant_id, **args}))
        await asyncio.sleep(0)  # a real ATS call suspends: let concurrent work interleave

    def _maybe_fail(self, method: str, *, before: bool = True) -> None:
        pending = self._failures.get(method)
        if not pending:
            return
        failure = pending[0]
        if method in WRITES and failure.after_applying == before:
            return
        pending.pop(0)
        raise failure.error

    def _live(self, candidate_id: str) -> FakeCandidate:
        cand = self.candidates.get(candidate_id)
        if cand is None or cand.deleted or cand.merged_into is not None:
            raise AtsNotFoundError(f"candidate {candidate_id} not found", status=404)
        return cand

    def _check_job(self, application: NewApplication) -> None:
        if application.job_id not in self.jobs:
            raise AtsNotFoundError(f"job {application.job_id} not found", status=404)

    def _new_application(self, candidate_id: str, application: NewApplication) -> FakeApplication:
        job = self.jobs.get(application.job_id)
        first = job.ordered_stages[0].as_ref() if job and job.stages else None
        app = FakeApplication(
            id=self._id(),
            candidate_id=candidate_id,
            job_id=application.job_id,
            stage=None if application.prospect else first,
            prospect=application.prospect,
            source_id=application.source_id,
            referral=application.referral,
            updated_at=self.clock.now(),
        )
        self.applications[app.id] = app
        return app

    def _created(self, app: FakeApplication) -> CreatedApplication:
        return CreatedApplication(
            application_id=app.id,
            candidate_id=app.candidate_id,
            job_id=app.job_id or "",
            stage=app.stage,
        )

    def _touch(self, app: FakeApplication) -> None:
        app.updated_at = self.clock.now()
        cand = self.candidates.get(app.candidate_id)
        if cand is not None:
            cand.updated_at = app.updated_at


def job(
    job_id: str,
    *,
    title: str = "Engineer",
    status: JobStatus = JobStatus.OPEN,
    stages: Sequence[str] = ("Application Review", "Phone Screen", "Onsite", "Offer"),
    updated_at: datetime | None = None,
    template: bool = False,
) -> Job:
    """A job with stages `<job_id>-s0`, `<job_id>-s1`, … named as given."""
    return Job(
        ats_id=job_id,
        title=title,
        status=status,
        is_template=template,
        stages=tuple(JobStage(f"{job_id}-s{i}", name, i) for i, name in enumerate(stages)),
        updated_at=updated_at,
    )
