"""Lever records (postings, opportunities, users, archive reasons) read into the gateway's values.

Lever's records are read leniently: a field of the wrong type counts as absent, a record without an
id is skipped. Times are epoch milliseconds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import urlsplit

from intrro_gateway.domain.jobs import Department, Job, JobPost, JobStage, JobStatus, Office
from intrro_gateway.domain.signals import (
    ApplicationSnapshot,
    ApplicationState,
    RejectionKind,
    RejectionReason,
)
from intrro_gateway.domain.status import StageRef
from intrro_gateway.ports.ats import AtsCandidate, AtsUser

Record = Mapping[str, Any]

_OPEN = frozenset({"published", "internal"})
_DRAFT = frozenset({"draft", "pending"})
ENTRY_STAGES = frozenset({"lead-new", "lead-reached-out", "lead-responded", "applicant-new"})
_ADMIN_ROLES = frozenset({"super admin", "admin"})
# Reason names that mean the candidate said no (shared/lever.md §5): seeds of the per-reason kind.
_CANDIDATE_SAID_NO = re.compile(r"withdr|declin|accepted another|no longer interested", re.I)


def text(value: Any) -> str | None:
    """A non-empty stripped string, else None."""
    return value.strip() if isinstance(value, str) and value.strip() else None


def ident(value: Any) -> str | None:
    """An id: a non-empty string (Lever's ids are UUIDs or fixed slugs such as `offer`)."""
    return text(value)


def record(value: Any) -> Record:
    """A JSON object, or an empty one."""
    return value if isinstance(value, Mapping) else {}


def strings(value: Any) -> tuple[str, ...]:
    """The non-empty strings of a list."""
    if not isinstance(value, list):
        return ()
    return tuple(s for s in (text(v) for v in value) if s is not None)


def millis(value: Any) -> datetime | None:
    """An epoch-milliseconds time, UTC."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def to_millis(at: datetime) -> int:
    """A time as epoch milliseconds."""
    return int(at.timestamp() * 1000)


# -- account -----------------------------------------------------------------------------------


def user(raw: Record) -> AtsUser | None:
    """A Lever user; Super Admins and Admins count as the account's admins."""
    user_id = ident(raw.get("id"))
    if user_id is None or raw.get("deactivatedAt") is not None:
        return None
    role = (text(raw.get("accessRole")) or "").casefold()
    return AtsUser(
        id=user_id,
        name=text(raw.get("name")) or "",
        email=text(raw.get("email")) or "",
        site_admin=role in _ADMIN_ROLES,
    )


def stage_refs(raw_stages: Sequence[Record]) -> tuple[StageRef, ...]:
    """The account's stages in Lever's (pipeline) order.

    Lever's entry stages (the fixed `lead-*` ones and `applicant-new`) all share order 0: a referral
    in any of them has not been screened yet, so each means `applied` under the default mapping; the
    others follow from 1.
    """
    out: list[StageRef] = []
    later = 0
    for raw in raw_stages:
        stage_id = ident(raw.get("id"))
        if stage_id is None:
            continue
        if stage_id not in ENTRY_STAGES:
            later += 1
        order = 0 if stage_id in ENTRY_STAGES else later
        out.append(StageRef(id=stage_id, name=text(raw.get("text")) or stage_id, order=order))
    return tuple(out)


def seeded_kind(name: str) -> RejectionKind:
    """Who said no, judged from an archive reason's name (the seed of the tenant's mapping)."""
    return RejectionKind.CANDIDATE if _CANDIDATE_SAID_NO.search(name) else RejectionKind.COMPANY


def archive_reason(raw: Record) -> tuple[RejectionReason, bool] | None:
    """An archive reason as a rejection reason, and whether its type is `hired`."""
    reason_id = ident(raw.get("id"))
    if reason_id is None:
        return None
    name = text(raw.get("text")) or reason_id
    hired = (text(raw.get("type")) or "").casefold() == "hired"
    return RejectionReason(id=reason_id, name=name, kind=seeded_kind(name)), hired


# -- jobs --------------------------------------------------------------------------------------


def job_status(state: str | None) -> JobStatus:
    """Published and internal postings are open; drafts and pending approvals are drafts."""
    folded = (state or "").casefold()
    if folded in _OPEN:
        return JobStatus.OPEN
    if folded in _DRAFT:
        return JobStatus.DRAFT
    return JobStatus.CLOSED


def job(raw: Record, stages: Sequence[StageRef]) -> Job | None:
    """A posting as a job: department and team, locations, its public post, the account's stages."""
    posting_id = ident(raw.get("id"))
    if posting_id is None:
        return None
    title = text(raw.get("text")) or posting_id
    categories = record(raw.get("categories"))
    departments = tuple(
        Department(id=name, name=name)
        for name in dict.fromkeys(
            n for n in (text(categories.get("department")), text(categories.get("team"))) if n
        )
    )
    locations = strings(categories.get("allLocations")) or tuple(
        n for n in (text(categories.get("location")),) if n
    )
    urls = record(raw.get("urls"))
    url = text(urls.get("show")) or text(urls.get("apply"))
    status = job_status(text(raw.get("state")))
    posts = (JobPost(id=posting_id, title=title, url=url),) if status is JobStatus.OPEN else ()
    return Job(
        ats_id=posting_id,
        title=title,
        status=status,
        departments=departments,
        offices=tuple(Office(id=n, name=n) for n in dict.fromkeys(locations)),
        posts=posts,
        stages=tuple(JobStage(id=s.id, name=s.name, order=s.order or 0) for s in stages),
        updated_at=millis(raw.get("updatedAt")),
    )


# -- opportunities -----------------------------------------------------------------------------


def posting_of(raw: Record) -> str | None:
    """The posting an opportunity is for: its (expanded) application's, else `postings[0]`."""
    for application in raw.get("applications") or ():
        if isinstance(application, Mapping):
            posting = ident(application.get("posting"))
            if posting is not None:
                return posting
    postings = raw.get("postings")
    if isinstance(postings, list) and postings:
        first = postings[0]
        return ident(first.get("id") if isinstance(first, Mapping) else first)
    return None


def snapshot(
    raw: Record,
    *,
    stages: Mapping[str, StageRef],
    reasons: Mapping[str, tuple[RejectionReason, bool]],
) -> ApplicationSnapshot | None:
    """An opportunity as an application: archived for a `hired` reason is hired, for another
    reason rejected (the reason's kind tells withdrawn), else active in its stage."""
    opportunity_id = ident(raw.get("id"))
    contact_id = ident(raw.get("contact"))
    if opportunity_id is None or contact_id is None:
        return None
    stage_id = ident(raw.get("stage"))
    if isinstance(raw.get("stage"), Mapping):
        stage_id = ident(raw["stage"].get("id"))
    stage = None
    if stage_id is not None:
        stage = stages.get(stage_id) or StageRef(id=stage_id, name=stage_id)
    archived = record(raw.get("archived"))
    state, rejection = ApplicationState.ACTIVE, None
    if archived:
        reason_id = ident(archived.get("reason"))
        known = reasons.get(reason_id) if reason_id else None
        if known is not None and known[1]:
            state = ApplicationState.HIRED
        else:
            state = ApplicationState.REJECTED
            rejection = known[0] if known else None
            if rejection is None and reason_id is not None:
                rejection = RejectionReason(reason_id, reason_id, RejectionKind.UNSPECIFIED)
    return ApplicationSnapshot(
        application_id=opportunity_id,
        candidate_id=contact_id,
        job_id=posting_of(raw),
        state=state,
        stage=stage,
        rejection=rejection,
        as_of=millis(raw.get("updatedAt")),
    )


# Hosts whose links count as social profiles; Lever keeps one list of links per opportunity, the
# contract two (social profiles, websites): a link on another host is a website.
SOCIAL_HOSTS: Final = frozenset(
    {
        "linkedin.com",
        "twitter.com",
        "x.com",
        "github.com",
        "gitlab.com",
        "facebook.com",
        "instagram.com",
        "dribbble.com",
        "behance.net",
        "stackoverflow.com",
        "medium.com",
    }
)
_AT = " at "


def is_social(url: str) -> bool:
    """Whether a link is on a social network's host (any subdomain, with or without a scheme)."""
    folded = url.strip().casefold()
    host = urlsplit(folded if "://" in folded else f"//{folded}").hostname or ""
    return any(host == h or host.endswith(f".{h}") for h in SOCIAL_HOSTS)


def split_headline(headline: str | None) -> tuple[str | None, str | None]:
    """Lever's one free-text headline as (title, company): `Title at Company`, `at Company` or
    `Title` (the form the gateway writes; another headline is all title)."""
    if not headline:
        return None, None
    if headline.casefold().startswith("at "):
        return None, text(headline[3:])
    title, found, company = headline.rpartition(_AT)
    if found and text(title) and text(company):
        return text(title), text(company)
    return headline, None


def join_headline(title: str | None, company: str | None) -> str | None:
    """The headline the gateway writes for a title and a company (`split_headline` reads it back)."""
    if title and company:
        return f"{title}{_AT}{company}"
    if company:
        return f"at {company}"
    return title or None


def phone_values(raw: Record) -> tuple[str, ...]:
    """The phone numbers of an opportunity (or contact)."""
    return tuple(
        p for p in (text(record(x).get("value")) for x in raw.get("phones") or ()) if p is not None
    )


def candidate(raw: Record, links: Sequence[str] | None = None) -> AtsCandidate | None:
    """The person (contact) behind an opportunity; `links`, when given, are the person's links
    (every opportunity's), else the opportunity's own."""
    contact_id = ident(raw.get("contact"))
    if contact_id is None:
        return None
    first, _, last = (text(raw.get("name")) or "").partition(" ")
    every = tuple(links) if links is not None else strings(raw.get("links"))
    title, company = split_headline(text(raw.get("headline")))
    location = raw.get("location")
    if isinstance(location, Mapping):
        location = location.get("name")
    return AtsCandidate(
        id=contact_id,
        first_name=first,
        last_name=last.strip(),
        emails=strings(raw.get("emails")),
        phones=phone_values(raw),
        social_profiles=tuple(u for u in every if is_social(u)),
        websites=tuple(u for u in every if not is_social(u)),
        company=company,
        title=title,
        tags=strings(raw.get("tags")),
        updated_at=millis(raw.get("updatedAt")),
        location=text(location),
    )
