"""Opportunity writes that are never blindly sent twice: a write of unknown outcome is re-read first.

Lever creates one opportunity per posting; a create naming an e-mail Lever already knows lands under
the existing contact (`deduped: true`), so a re-sent create never makes a second person, but it would
make a second opportunity for the same posting: hence the re-read by e-mail (or contact) and posting.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from intrro_gateway.adapters.http_retry import write_once
from intrro_gateway.adapters.lever.api import _mappers as m
from intrro_gateway.adapters.lever.api._http import LeverHttp, Params
from intrro_gateway.adapters.lever.api._settings import LeverSettings
from intrro_gateway.domain.candidates import CandidateChanges, CandidateProfile
from intrro_gateway.domain.status import StageRef
from intrro_gateway.ports.ats import (
    AtsCandidate,
    AtsContext,
    AtsOutcomeUnknownError,
    CreatedApplication,
    NewApplication,
)

Record = Mapping[str, Any]


def perform_as(ctx: AtsContext) -> Params:
    """`perform_as=<the connecting user>`: Lever attributes the write to them."""
    user_id = ctx.credentials.user_id
    return (("perform_as", user_id),) if user_id else ()


def opportunity_body(
    settings: LeverSettings,
    application: NewApplication,
    *,
    name: str,
    emails: Sequence[str],
    phones: Sequence[str] = (),
    links: Sequence[str] = (),
    headline: str | None = None,
    location: str | None = None,
    contact: str | None = None,
) -> dict[str, Any]:
    """The create body: one posting, origin referred, the Intrro source and tag, the follower."""
    body: dict[str, Any] = {
        "name": name,
        "emails": list(dict.fromkeys(e.strip() for e in emails if e.strip())),
        "origin": settings.origin,
        "sources": [application.source_id or settings.source_name],
        "tags": [settings.tag_name],
        "postings": [application.job_id],
    }
    if phones:
        body["phones"] = [{"value": p} for p in phones]
    if links:
        body["links"] = list(dict.fromkeys(links))
    if headline:
        body["headline"] = headline
    if location:
        body["location"] = location
    if contact:
        body["contact"] = contact
    if application.referral.kind == "follower" and application.referral.referrer_id:
        body["followers"] = [application.referral.referrer_id]
    return body


def profile_fields(profile: CandidateProfile) -> dict[str, Any]:
    """The person's fields as `opportunity_body` takes them."""
    links = [u for u in (profile.linkedin_url, *profile.social_profiles, *profile.websites) if u]
    headline = m.join_headline(profile.current_title, profile.current_company)
    return {
        "name": f"{profile.first_name} {profile.last_name}".strip(),
        "emails": profile.emails,
        "phones": profile.phones,
        "links": links,
        "headline": headline,
        "location": profile.location,
    }


def link_key(url: str) -> str:
    """The form two links are compared in: no scheme, no `www.`, no trailing slash, case folded."""
    folded = url.strip().casefold().rstrip("/")
    for prefix in ("https://", "http://"):
        folded = folded.removeprefix(prefix)
    return folded.removeprefix("www.")


def _digits(phone: str) -> str:
    return "".join(c for c in phone if c.isdigit() or c == "+") or phone.strip().casefold()


def contact_update(raw: Record, held: AtsCandidate, changes: CandidateChanges) -> dict[str, Any]:
    """The `PUT /contacts/:id` body that merges `changes` into the contact (`raw`: an opportunity
    of it, showing the contact's fields; `held`: the same read): scalars set, lists extended with
    what is new; empty when nothing would change."""
    body: dict[str, Any] = {}
    if changes.first_name is not None or changes.last_name is not None:
        first = changes.first_name if changes.first_name is not None else held.first_name
        last = changes.last_name if changes.last_name is not None else held.last_name
        name = f"{first} {last}".strip()
        if name and name != f"{held.first_name} {held.last_name}".strip():
            body["name"] = name
    if changes.current_title is not None or changes.current_company is not None:
        headline = m.join_headline(
            changes.current_title if changes.current_title is not None else held.title,
            changes.current_company if changes.current_company is not None else held.company,
        )
        if headline and headline != m.text(raw.get("headline")):
            body["headline"] = headline
    if changes.location is not None and changes.location != held.location:
        body["location"] = changes.location
    if changes.emails:
        known = {e.casefold() for e in held.emails}
        new = [e.strip() for e in changes.emails if e.strip() and e.strip().casefold() not in known]
        if new:
            body["emails"] = list(dict.fromkeys([*held.emails, *new]))
    if changes.phones:
        known = {_digits(p) for p in held.phones}
        new = list(dict.fromkeys(p for p in changes.phones if _digits(p) not in known))
        if new:
            phones = [
                {k: v for k, v in m.record(p).items() if k in ("type", "value")}
                for p in raw.get("phones") or ()
            ]
            body["phones"] = [*phones, *({"value": p} for p in new)]
    return body


class LeverWrites:
    """Creates opportunities, with their re-reads."""

    def __init__(self, http: LeverHttp, settings: LeverSettings) -> None:
        self._http = http
        self._settings = settings

    async def create(
        self,
        ctx: AtsContext,
        body: Mapping[str, Any],
        lookup: Sequence[tuple[str, str]],
        stages: Mapping[str, StageRef],
    ) -> CreatedApplication:
        """`POST /opportunities?perform_as=`; on an unknown outcome, look the opportunity up by
        each of `lookup` (`("email", …)` or `("contact_id", …)`) and the posting."""
        posting = str(body["postings"][0])

        async def send() -> CreatedApplication:
            answer = await self._http.write(
                ctx, "POST", "/opportunities", body, params=perform_as(ctx)
            )
            made = _created(m.record(m.record(answer).get("data")), posting, stages)
            if made is None:
                found = await reread()
                if found is None:
                    raise AtsOutcomeUnknownError("POST /opportunities: no opportunity answered")
                return found
            return made

        async def reread() -> CreatedApplication | None:
            for key, value in lookup:
                rows = await self._http.list_all(
                    ctx,
                    "/opportunities",
                    ((key, value), ("posting_id", posting), ("expand", "applications")),
                )
                for row in rows:
                    if m.posting_of(row) == posting:
                        made = _created(row, posting, stages)
                        if made is not None:
                            return made
            return None

        return await write_once(
            "create opportunity",
            send,
            reread,
            attempts=self._settings.write_attempts,
            delay=self._settings.reread_delay,
        )


def _created(
    raw: Record, posting: str, stages: Mapping[str, StageRef]
) -> CreatedApplication | None:
    opportunity_id, contact_id = m.ident(raw.get("id")), m.ident(raw.get("contact"))
    if opportunity_id is None or contact_id is None:
        return None
    stage_id = m.ident(raw.get("stage"))
    stage = (stages.get(stage_id) or StageRef(stage_id, stage_id)) if stage_id else None
    return CreatedApplication(
        application_id=opportunity_id, candidate_id=contact_id, job_id=posting, stage=stage
    )
