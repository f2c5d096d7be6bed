"""`GreenhouseAtsClient`: the ATS port on Greenhouse Harvest v3."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import datetime

import httpx

from intrro_gateway.adapters.greenhouse.harvest import _applications as apps
from intrro_gateway.adapters.greenhouse.harvest import _fields as f
from intrro_gateway.adapters.greenhouse.harvest import _mappers as m
from intrro_gateway.adapters.greenhouse.harvest._annotate import HarvestAnnotations
from intrro_gateway.adapters.greenhouse.harvest._http import HarvestHttp
from intrro_gateway.adapters.greenhouse.harvest._jobs import load_jobs
from intrro_gateway.adapters.greenhouse.harvest._permissions import SCOPES
from intrro_gateway.adapters.greenhouse.harvest._ratelimit import (
    HarvestRateLimiter,
    RateLimiter,
    SharedRateLimiter,
    Sleep,
)
from intrro_gateway.adapters.greenhouse.harvest._settings import HarvestSettings
from intrro_gateway.adapters.greenhouse.harvest._tokens import TokenCache
from intrro_gateway.adapters.greenhouse.harvest._writes import HarvestWrites
from intrro_gateway.adapters.system import SystemClock
from intrro_gateway.domain.candidates import CandidateChanges, CandidateProfile, Referrer
from intrro_gateway.domain.jobs import Job
from intrro_gateway.domain.signals import ApplicationSnapshot, RejectionReason
from intrro_gateway.ports.ats import (
    AtsCandidate,
    AtsClient,
    AtsContext,
    AtsError,
    AtsPermissionError,
    AtsRejectedError,
    AtsSource,
    AtsUser,
    CreatedApplication,
    NewApplication,
    PermissionCheck,
    PermissionStatus,
    ReferralCredit,
)
from intrro_gateway.ports.ats_budget import AtsBudget, AtsTokenStore
from intrro_gateway.ports.clock import Clock


class GreenhouseAtsClient(AtsClient):
    """Greenhouse Recruiting through Harvest v3: one instance per process, shared by every worker."""

    name = "greenhouse"

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        auth_url: str,
        settings: HarvestSettings | None = None,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
        budget: AtsBudget | None = None,
        token_store: AtsTokenStore | None = None,
    ) -> None:
        self.settings = settings or HarvestSettings()
        clock = clock or SystemClock()
        sleep = sleep or asyncio.sleep
        self.tokens = TokenCache(
            http,
            auth_url=auth_url,
            settings=self.settings,
            clock=clock,
            store=token_store,
        )
        reserve = self.settings.priority_reserve
        self.rate_limiter = HarvestRateLimiter(clock, sleep, reserve=reserve)
        limiter: RateLimiter = self.rate_limiter
        if budget is not None:  # one allowance for every process of the deployment
            limiter = SharedRateLimiter(budget, self.rate_limiter, clock, sleep, reserve=reserve)
        self._http = HarvestHttp(
            http,
            base_url=base_url,
            settings=self.settings,
            tokens=self.tokens,
            limiter=limiter,
            clock=clock,
        )
        self._writes = HarvestWrites(self._http, self.settings)
        self._annotations = HarvestAnnotations(self._http, self._writes, self.settings)

    # -- account -------------------------------------------------------------------------------

    async def verify_credentials(self, ctx: AtsContext) -> None:
        """Mint a fresh token; AtsAuthError when Greenhouse refuses the credential."""
        await self.tokens.refresh(ctx.credentials)

    async def find_user_by_email(self, ctx: AtsContext, email: str) -> AtsUser | None:
        """The user with this primary e-mail, else the owner of this secondary e-mail."""
        wanted = email.strip()
        if not wanted:
            return None
        rows = await self._http.list_all(ctx, "/v3/users", {"primary_email": wanted})
        exact = [
            r
            for r in rows
            if (f.text(r.get("primary_email")) or "").casefold() == wanted.casefold()
        ]
        for row in exact or rows:
            found = m.user(row, wanted)
            if found is not None:
                return found
        owners = await self._http.list_all(ctx, "/v3/user_emails", {"email": wanted})
        user_ids = [
            i
            for r in owners
            if (i := f.ident(r.get("user_id")))
            and (f.text(r.get("email")) or wanted).casefold() == wanted.casefold()
        ]
        if not user_ids:
            return None
        users = await self._http.list_by_ids(ctx, "/v3/users", "ids", user_ids[:1])
        found_users = [u for u in (m.user(r, wanted) for r in users) if u is not None]
        return found_users[0] if found_users else None

    async def check_permissions(self, ctx: AtsContext) -> Sequence[PermissionCheck]:
        """Each needed scope: from token introspection, else one harmless list call per read scope."""
        token = await self.tokens.get(ctx.credentials)
        granted = await self.tokens.introspect(ctx.credentials, token)
        checks: list[PermissionCheck] = []
        for scope in SCOPES:
            if granted is not None:
                status = (
                    PermissionStatus.GRANTED if scope.scope in granted else PermissionStatus.MISSING
                )
            elif scope.probe is None:
                status = PermissionStatus.UNVERIFIED
            else:
                status = await self._probe(ctx, scope.probe)
            checks.append(PermissionCheck(scope.scope, scope.covers, scope.required, status))
        return checks

    async def _probe(self, ctx: AtsContext, path: str) -> PermissionStatus:
        try:
            await self._http.get(ctx, path, {"per_page": 1})
        except AtsPermissionError:
            return PermissionStatus.MISSING
        except AtsRejectedError:
            return PermissionStatus.UNVERIFIED
        except AtsError as exc:
            if exc.status == 404:
                return PermissionStatus.UNVERIFIED
            raise
        return PermissionStatus.GRANTED

    async def list_sources(self, ctx: AtsContext) -> Sequence[AtsSource]:
        """Every candidate source of the account."""
        rows = await self._http.list_all(ctx, "/v3/sources")
        return [s for s in (m.source(r) for r in rows) if s is not None]

    async def list_rejection_reasons(self, ctx: AtsContext) -> Sequence[RejectionReason]:
        """Every rejection reason, defaults included, each with its kind."""
        return await apps.list_rejection_reasons(self._http, ctx)

    # -- jobs ----------------------------------------------------------------------------------

    async def list_jobs(
        self, ctx: AtsContext, *, updated_since: datetime | None = None, job_ids: Sequence[str] = ()
    ) -> Sequence[Job]:
        """Open jobs, or jobs changed since a time, or these jobs; templates excluded."""
        return await load_jobs(
            self._http, ctx, self.settings, updated_since=updated_since, job_ids=job_ids
        )

    # -- candidates ----------------------------------------------------------------------------

    async def find_candidates_by_email(
        self, ctx: AtsContext, emails: Sequence[str]
    ) -> Sequence[AtsCandidate]:
        """Candidates having any of these e-mails: one `?email=` call per distinct address."""
        found: dict[str, AtsCandidate] = {}
        for email in dict.fromkeys(e.strip().casefold() for e in emails if e.strip()):
            for row in await self._http.list_all(ctx, "/v3/candidates", {"email": email}):
                candidate = m.candidate(row)
                if candidate is not None and candidate.id not in found:
                    found[candidate.id] = candidate
        return list(found.values())

    async def create_candidate(
        self, ctx: AtsContext, profile: CandidateProfile, application: NewApplication
    ) -> CreatedApplication:
        """Create the candidate with its first application (re-read, never resent blindly)."""
        return await self._writes.create_candidate(ctx, profile, application)

    async def add_application(
        self, ctx: AtsContext, candidate_id: str, application: NewApplication
    ) -> CreatedApplication:
        """Add an application to an existing candidate (re-read, never resent blindly)."""
        return await self._writes.add_application(ctx, candidate_id, application)

    async def update_candidate(
        self, ctx: AtsContext, candidate_id: str, changes: CandidateChanges
    ) -> None:
        """Merge the changes: lists are unions, nothing Greenhouse holds is cleared."""
        await self._writes.update_candidate(ctx, candidate_id, changes)

    async def get_candidate(self, ctx: AtsContext, candidate_id: str) -> AtsCandidate | None:
        """`GET /v3/candidates?ids=`: the candidate now, or None when it is gone."""
        rows = await self._http.list_by_ids(ctx, "/v3/candidates", "ids", [candidate_id])
        found = (m.candidate(row) for row in rows)
        return next((c for c in found if c is not None and c.id == candidate_id), None)

    # -- applications --------------------------------------------------------------------------

    async def application_owners(
        self, ctx: AtsContext, application_ids: Sequence[str]
    ) -> Mapping[str, str]:
        """`GET /v3/applications?ids=` alone (50 ids a request): who owns each application now."""
        if not application_ids:
            return {}
        rows = await self._http.list_by_ids(
            ctx, "/v3/applications", "ids", list(dict.fromkeys(application_ids))
        )
        owners: dict[str, str] = {}
        for row in rows:
            app_id, owner = f.ident(row.get("id")), f.ident(row.get("candidate_id"))
            if app_id is not None and owner is not None:
                owners[app_id] = owner
        return owners

    async def applications_of_candidate(
        self, ctx: AtsContext, candidate_id: str
    ) -> Sequence[ApplicationSnapshot]:
        """Every application of the candidate with its current stage."""
        rows = await self._http.list_all(ctx, "/v3/applications", {"candidate_ids": candidate_id})
        return await apps.snapshots(self._http, ctx, rows)

    async def get_applications(
        self, ctx: AtsContext, application_ids: Sequence[str]
    ) -> Sequence[ApplicationSnapshot]:
        """These applications as they are now; missing ones are left out."""
        if not application_ids:
            return []
        rows = await self._http.list_by_ids(ctx, "/v3/applications", "ids", application_ids)
        return await apps.snapshots(self._http, ctx, rows)

    async def applications_changed_since(
        self, ctx: AtsContext, since: datetime, application_ids: Sequence[str] = ()
    ) -> Sequence[ApplicationSnapshot]:
        """Applications (of these ids, when given) with activity at or after `since`."""
        if not application_ids:
            rows = await self._http.list_since(ctx, "/v3/applications", "last_activity_at", since)
        else:
            rows = []
            unique = list(dict.fromkeys(application_ids))
            size = self.settings.ids_chunk
            for start in range(0, len(unique), size):
                chunk = {"ids": ",".join(unique[start : start + size])}
                rows.extend(
                    await self._http.list_since(
                        ctx, "/v3/applications", "last_activity_at", since, chunk
                    )
                )
        return await apps.snapshots(self._http, ctx, rows)

    # -- referral credit, notes, tags ----------------------------------------------------------

    async def resolve_referral(self, ctx: AtsContext, referrer: Referrer) -> ReferralCredit:
        """The referrer row of the referrer's Greenhouse user, else the gateway's custom field."""
        try:
            user = await self.find_user_by_email(ctx, referrer.email)
            if user is None:
                return ReferralCredit("custom_field")
            rows = await self._http.list_all(ctx, "/v3/referrers", {"user_ids": user.id})
        except AtsPermissionError:
            return ReferralCredit("custom_field")
        for row in rows:
            ident = f.ident(row.get("id"))
            if ident and f.ident(row.get("user_id")) in (user.id, None):
                return ReferralCredit("referrer", ident)
        return ReferralCredit("custom_field")

    async def record_referrer(self, ctx: AtsContext, candidate_id: str, referrer: Referrer) -> None:
        """Write the referrer into the gateway's candidate custom field (created once)."""
        await self._annotations.record_referrer(ctx, candidate_id, referrer)

    async def has_note(self, ctx: AtsContext, candidate_id: str, marker: str) -> bool:
        """Whether one of the candidate's notes contains the marker."""
        return any(
            marker in body for body in await self._annotations.note_bodies(ctx, candidate_id)
        )

    async def add_note(
        self, ctx: AtsContext, candidate_id: str, application_id: str | None, body: str
    ) -> None:
        """Add a note as the acting user."""
        await self._annotations.add_note(ctx, candidate_id, application_id, body)

    async def tag_candidate(self, ctx: AtsContext, candidate_id: str, tag: str) -> None:
        """Apply the tag, creating it when missing; a second call changes nothing."""
        await self._annotations.tag(ctx, candidate_id, tag)

    # -- what people see -----------------------------------------------------------------------

    def source_steps(self, source_name: str) -> Sequence[str]:
        """Where a Greenhouse admin adds the source."""
        return (
            "Configure (the gear icon in Greenhouse's navigation bar)",
            "Custom Options",
            "Sources (under Company Metadata), then Manage Sources",
            f"Add a source named {source_name} with the sourcing strategy Prospecting",
        )

    def candidate_url(self, candidate_id: str) -> str | None:
        """The candidate's page in Greenhouse."""
        return f"{self.settings.app_base_url.rstrip('/')}/people/{candidate_id}"
