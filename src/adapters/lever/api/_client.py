"""`LeverAtsClient`: the ATS port on Lever's Data API v1.

The port's words in Lever's: a candidate is a contact (Lever's person id, shared by the person's
opportunities); an application is an opportunity (one posting each); a job is a posting, with the
account's stages (Lever has one pipeline for every posting).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import httpx
import structlog

from intrro_gateway.adapters.lever.api import _mappers as m
from intrro_gateway.adapters.lever.api._catalogue import Catalogue, Catalogues
from intrro_gateway.adapters.lever.api._http import LeverHttp, Sleep
from intrro_gateway.adapters.lever.api._permissions import ENDPOINTS, Endpoint, permission_steps
from intrro_gateway.adapters.lever.api._settings import LeverSettings
from intrro_gateway.adapters.lever.api._writes import (
    LeverWrites,
    contact_update,
    link_key,
    opportunity_body,
    perform_as,
    profile_fields,
)
from intrro_gateway.adapters.system import SystemClock
from intrro_gateway.domain.candidates import CandidateChanges, CandidateProfile, Referrer
from intrro_gateway.domain.jobs import Job, JobStatus
from intrro_gateway.domain.signals import ApplicationSnapshot, RejectionReason
from intrro_gateway.ports.ats import (
    AtsCandidate,
    AtsClient,
    AtsContext,
    AtsError,
    AtsNotFoundError,
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
from intrro_gateway.ports.clock import Clock

logger = structlog.get_logger(__name__)
Record = Mapping[str, Any]


class LeverAtsClient(AtsClient):
    """Lever through its Data API: one instance per process, shared by every worker."""

    name = "lever"

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        settings: LeverSettings | None = None,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        self.settings = settings or LeverSettings()
        sleep = sleep or asyncio.sleep
        self._http = LeverHttp(
            http,
            base_url=base_url,
            settings=self.settings,
            clock=clock or SystemClock(),
            sleep=sleep,
        )
        self._catalogues = Catalogues(self._http, self.settings.catalogue_ttl)
        self._writes = LeverWrites(self._http, self.settings)

    @property
    def http(self) -> LeverHttp:
        """The call layer, shared with the web hook registrar."""
        return self._http

    # -- account -------------------------------------------------------------------------------

    async def verify_credentials(self, ctx: AtsContext) -> None:
        """One cheap call; AtsAuthError when Lever refuses the key (401).

        A key without the users permission still answers (403): the key itself is valid.
        """
        try:
            await self._http.get(ctx, "/users", (("limit", 1),))
        except AtsPermissionError:
            return

    async def find_user_by_email(self, ctx: AtsContext, email: str) -> AtsUser | None:
        """The active Lever user with this e-mail (case-insensitive)."""
        wanted = email.strip()
        if not wanted:
            return None
        rows = await self._http.list_all(ctx, "/users", (("email", wanted),))
        for row in rows:
            found = m.user(row)
            if found is not None and found.email.casefold() == wanted.casefold():
                return found
        return None

    async def check_permissions(self, ctx: AtsContext) -> Sequence[PermissionCheck]:
        """Every endpoint the gateway calls, each probed without changing anything."""
        checks = []
        for endpoint in ENDPOINTS:
            status = await self._probe(ctx, endpoint)
            steps = (
                permission_steps(endpoint.endpoint) if status is PermissionStatus.MISSING else ()
            )
            checks.append(
                PermissionCheck(
                    endpoint.endpoint, endpoint.covers, endpoint.required, status, steps
                )
            )
        return checks

    async def _probe(self, ctx: AtsContext, endpoint: Endpoint) -> PermissionStatus:
        try:
            if endpoint.method == "GET":
                await self._http.get(ctx, endpoint.path, (("limit", 1),))
            else:
                acting = perform_as(ctx) if endpoint.path.startswith("/opportunities") else ()
                await self._http.write(
                    ctx, endpoint.method, endpoint.path, endpoint.body, params=acting
                )
        except AtsPermissionError:
            return PermissionStatus.MISSING
        except (AtsNotFoundError, AtsRejectedError):
            return PermissionStatus.GRANTED  # past the permission check, refused for the probe
        except AtsError as exc:
            if exc.status is not None and 400 <= exc.status < 500:
                return PermissionStatus.UNVERIFIED
            raise
        return PermissionStatus.GRANTED

    async def list_sources(self, ctx: AtsContext) -> Sequence[AtsSource]:
        """The account's sources; the gateway's own is always there, as Lever makes it on use."""
        rows = await self._http.list_all(ctx, "/sources", sized=False)
        names = list(dict.fromkeys(n for n in (m.text(r.get("text")) for r in rows) if n))
        sources = [AtsSource(id=n, name=n) for n in names]
        own = self.settings.source_name
        if all(n.casefold() != own.casefold() for n in names):
            sources.append(AtsSource(id=own, name=own, type="created on first use"))
        return sources

    async def list_rejection_reasons(self, ctx: AtsContext) -> Sequence[RejectionReason]:
        """The non-hired archive reasons, each with the kind its name suggests."""
        catalogue = await self._catalogues.get(ctx, fresh=True)
        return [reason for reason, hired in catalogue.reasons.values() if not hired]

    # -- jobs ----------------------------------------------------------------------------------

    async def list_jobs(
        self, ctx: AtsContext, *, updated_since: datetime | None = None, job_ids: Sequence[str] = ()
    ) -> Sequence[Job]:
        """Open postings (published and internal), or postings changed since a time, or these."""
        catalogue = await self._catalogues.get(ctx, fresh=not job_ids)
        if job_ids:
            rows: list[Record] = []
            for posting_id in dict.fromkeys(job_ids):
                try:
                    rows.append(m.record(await self._http.get(ctx, f"/postings/{posting_id}")))
                except AtsNotFoundError:
                    continue
        elif updated_since is not None:
            since = m.to_millis(updated_since)
            rows = [
                r
                for r in await self._http.list_all(ctx, "/postings")
                if not isinstance(r.get("updatedAt"), int) or r["updatedAt"] >= since
            ]
        else:
            rows = []
            # Published postings on the internal job site alone are listed only when the
            # distribution channels are named (Lever's reference, as the Lever sandbox documents).
            published = (
                ("state", "published"),
                ("distributionChannel", "public"),
                ("distributionChannel", "internal"),
            )
            rows.extend(await self._http.list_all(ctx, "/postings", published))
            rows.extend(await self._http.list_all(ctx, "/postings", (("state", "internal"),)))
        jobs = {}
        for row in rows:
            job = m.job(row, catalogue.stages)
            if job is not None and (job_ids or updated_since or job.status is JobStatus.OPEN):
                jobs[job.ats_id] = job
        return list(jobs.values())

    # -- candidates ----------------------------------------------------------------------------

    async def find_candidates_by_email(
        self, ctx: AtsContext, emails: Sequence[str]
    ) -> Sequence[AtsCandidate]:
        """The contacts of the opportunities having any of these e-mails, each once."""
        found: dict[str, AtsCandidate] = {}
        for email in dict.fromkeys(e.strip().casefold() for e in emails if e.strip()):
            for row in await self._http.list_all(ctx, "/opportunities", (("email", email),)):
                person = m.candidate(row)
                if person is not None and person.id not in found:
                    found[person.id] = person
        return list(found.values())

    async def create_candidate(
        self, ctx: AtsContext, profile: CandidateProfile, application: NewApplication
    ) -> CreatedApplication:
        """The person's first opportunity (Lever makes the contact, or dedupes onto one)."""
        body = opportunity_body(self.settings, application, **profile_fields(profile))
        lookup = [("email", e.strip().casefold()) for e in profile.emails if e.strip()]
        catalogue = await self._catalogues.get(ctx)
        return await self._writes.create(ctx, body, lookup, catalogue.stages_by_id)

    async def add_application(
        self, ctx: AtsContext, candidate_id: str, application: NewApplication
    ) -> CreatedApplication:
        """Another opportunity for the contact, for one more posting."""
        rows = await self._opportunities_of(ctx, candidate_id)
        person = next((p for p in map(m.candidate, rows) if p is not None), None)
        if person is None:
            raise AtsNotFoundError(f"Lever contact {candidate_id} has no opportunity to copy from")
        body = opportunity_body(
            self.settings,
            application,
            name=f"{person.first_name} {person.last_name}".strip(),
            emails=person.emails,
            contact=candidate_id,
        )
        catalogue = await self._catalogues.get(ctx)
        return await self._writes.create(
            ctx, body, [("contact_id", candidate_id)], catalogue.stages_by_id
        )

    async def update_candidate(
        self, ctx: AtsContext, candidate_id: str, changes: CandidateChanges
    ) -> None:
        """Merge the changes into the person, as Lever splits it: the contact's name, headline,
        location, e-mails and phones in one `PUT /contacts/:id` (the lists sent whole: what Lever
        holds, then what is new), the links in one `addLinks` on the contact's first opportunity
        (Lever keeps links per opportunity; the person's are every opportunity's). Nothing held is
        removed; nothing already held is written, so a repeat sends nothing."""
        rows = await self._opportunities_of(ctx, candidate_id)
        person = self._person(rows)
        if person is None:
            raise AtsNotFoundError(f"Lever contact {candidate_id} has no opportunity")
        contact = contact_update(rows[0], person, changes)
        if contact:
            try:
                await self._http.write(ctx, "PUT", f"/contacts/{candidate_id}", contact)
            except AtsPermissionError:
                # Optional permission (the connect report shows it missing): the links still go.
                logger.warning("lever.contact_update_refused", fields=sorted(contact))
        held = {link_key(u) for u in (*person.social_profiles, *person.websites)}
        links = [
            u
            for u in dict.fromkeys(
                (changes.linkedin_url, *(changes.social_profiles or ()), *(changes.websites or ()))
            )
            if u and link_key(u) not in held
        ]
        opportunity_id = next((i for r in rows if (i := m.ident(r.get("id")))), None)
        if links and opportunity_id is not None:
            await self._http.write(
                ctx,
                "POST",
                f"/opportunities/{opportunity_id}/addLinks",
                {"links": links},
                params=perform_as(ctx),
            )

    async def get_candidate(self, ctx: AtsContext, candidate_id: str) -> AtsCandidate | None:
        """The contact as its opportunities show it (the links of all of them); None when it has
        none left."""
        return self._person(await self._opportunities_of(ctx, candidate_id))

    @staticmethod
    def _person(rows: Sequence[Record]) -> AtsCandidate | None:
        links = list(dict.fromkeys(u for r in rows for u in m.strings(r.get("links"))))
        return next((p for p in (m.candidate(r, links) for r in rows) if p is not None), None)

    # -- applications --------------------------------------------------------------------------

    async def application_owners(
        self, ctx: AtsContext, application_ids: Sequence[str]
    ) -> Mapping[str, str]:
        """The contact of each opportunity (one read each: Lever has no read by ids)."""
        owners: dict[str, str] = {}
        for opportunity_id in dict.fromkeys(application_ids):
            try:
                raw = m.record(await self._http.get(ctx, f"/opportunities/{opportunity_id}"))
            except AtsNotFoundError:
                continue
            contact = m.ident(raw.get("contact"))
            if contact is not None:
                owners[opportunity_id] = contact
        return owners

    async def applications_of_candidate(
        self, ctx: AtsContext, candidate_id: str
    ) -> Sequence[ApplicationSnapshot]:
        """Every opportunity of the contact, as it is now."""
        rows = await self._opportunities_of(ctx, candidate_id)
        return self._snapshots(rows, await self._catalogue_for(ctx, rows))

    async def get_applications(
        self, ctx: AtsContext, application_ids: Sequence[str]
    ) -> Sequence[ApplicationSnapshot]:
        """These opportunities as they are now; deleted ones are left out."""
        rows: list[Record] = []
        for opportunity_id in dict.fromkeys(application_ids):
            try:
                raw = await self._http.get(
                    ctx, f"/opportunities/{opportunity_id}", (("expand", "applications"),)
                )
            except AtsNotFoundError:
                continue
            rows.append(m.record(raw))
        return self._snapshots(rows, await self._catalogue_for(ctx, rows))

    async def applications_changed_since(
        self, ctx: AtsContext, since: datetime, application_ids: Sequence[str] = ()
    ) -> Sequence[ApplicationSnapshot]:
        """Opportunities (of these ids, when given) updated at or after `since`."""
        if application_ids:
            current = await self.get_applications(ctx, application_ids)
            return [s for s in current if s.as_of is None or s.as_of >= since]
        rows = await self._http.list_all(
            ctx,
            "/opportunities",
            (("updated_at_start", m.to_millis(since)), ("expand", "applications")),
        )
        return self._snapshots(rows, await self._catalogue_for(ctx, rows))

    async def _opportunities_of(self, ctx: AtsContext, contact_id: str) -> list[Record]:
        return await self._http.list_all(
            ctx, "/opportunities", (("contact_id", contact_id), ("expand", "applications"))
        )

    async def _catalogue_for(self, ctx: AtsContext, rows: Sequence[Record]) -> Catalogue:
        """The catalogue, read again when a row names a stage or reason it does not know."""
        catalogue = await self._catalogues.get(ctx)
        known_stages = catalogue.stages_by_id
        for row in rows:
            stage = m.ident(row.get("stage"))
            reason = m.ident(m.record(row.get("archived")).get("reason"))
            if (stage and stage not in known_stages) or (
                reason and reason not in catalogue.reasons
            ):
                return await self._catalogues.get(ctx, fresh=True)
        return catalogue

    @staticmethod
    def _snapshots(rows: Sequence[Record], catalogue: Catalogue) -> list[ApplicationSnapshot]:
        stages = catalogue.stages_by_id
        return [
            s
            for s in (m.snapshot(r, stages=stages, reasons=catalogue.reasons) for r in rows)
            if s is not None
        ]

    # -- referral credit, notes, tags ----------------------------------------------------------

    async def resolve_referral(self, ctx: AtsContext, referrer: Referrer) -> ReferralCredit:
        """A follower, when the referrer is a Lever user: Lever's API has no referrer field
        (shared/lever.md §3.9); else none (the note still names them)."""
        try:
            user = await self.find_user_by_email(ctx, referrer.email)
        except AtsPermissionError:
            return ReferralCredit("none")
        if user is None:
            return ReferralCredit("none")
        return ReferralCredit("follower", user.id)

    async def record_referrer(self, ctx: AtsContext, candidate_id: str, referrer: Referrer) -> None:
        """Lever has no field the gateway owns: the referrer is credited as a follower and in the
        note, so there is nothing more to write."""
        return None

    async def has_note(self, ctx: AtsContext, candidate_id: str, marker: str) -> bool:
        """Whether a note on any of the contact's opportunities contains the marker."""
        for row in await self._opportunities_of(ctx, candidate_id):
            opportunity_id = m.ident(row.get("id"))
            if opportunity_id is None:
                continue
            notes = await self._http.list_all(ctx, f"/opportunities/{opportunity_id}/notes")
            for note in notes:
                for field in note.get("fields") or ():
                    value = m.text(m.record(field).get("value"))
                    if value is not None and marker in value:
                        return True
        return False

    async def add_note(
        self, ctx: AtsContext, candidate_id: str, application_id: str | None, body: str
    ) -> None:
        """A note on the opportunity (the contact's first one, when none is named)."""
        if application_id is None:
            rows = await self._opportunities_of(ctx, candidate_id)
            application_id = next((i for r in rows if (i := m.ident(r.get("id")))), None)
            if application_id is None:
                raise AtsNotFoundError(f"Lever contact {candidate_id} has no opportunity")
        await self._http.write(
            ctx,
            "POST",
            f"/opportunities/{application_id}/notes",
            {"value": body, "notifyFollowers": False},
            params=perform_as(ctx),
        )

    async def tag_candidate(self, ctx: AtsContext, candidate_id: str, tag: str) -> None:
        """Add the tag to each of the contact's opportunities that lacks it (Lever tags
        opportunities, not people); adding a tag twice changes nothing in Lever."""
        for row in await self._opportunities_of(ctx, candidate_id):
            opportunity_id = m.ident(row.get("id"))
            if opportunity_id is None or tag in m.strings(row.get("tags")):
                continue
            await self._http.write(
                ctx,
                "POST",
                f"/opportunities/{opportunity_id}/addTags",
                {"tags": [tag]},
                params=perform_as(ctx),
            )

    # -- what people see -----------------------------------------------------------------------

    def source_steps(self, source_name: str) -> Sequence[str]:
        """Nothing to do: Lever creates a source the first time an opportunity names it."""
        return (f"Nothing to do: Lever creates the source {source_name} on first use",)

    def candidate_url(self, candidate_id: str) -> str | None:
        """None: Lever's pages are per opportunity (`/candidates/<opportunity id>`), and the
        port names the contact."""
        return None
