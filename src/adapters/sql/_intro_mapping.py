"""Private helpers: an Introduction to rows and back."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy.engine import RowMapping

from intrro_gateway.domain.candidates import CandidateProfile, Referrer
from intrro_gateway.domain.introduction import (
    ApplicationLink,
    ExportJournal,
    ExportState,
    Introduction,
    RemovalReason,
    StatusChange,
)
from intrro_gateway.domain.profiles import HeldProfile
from intrro_gateway.domain.signals import RejectionKind, RejectionReason
from intrro_gateway.domain.status import ReferralStatus, StageRef

ATS_PROFILE_KEY = "ats"
"""Inside the `candidate` column: the candidate as the gateway last wrote or announced it to the ATS."""


def _plain(profile: CandidateProfile | HeldProfile) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(profile).items()}


def _held_of(plain: Any) -> HeldProfile | None:
    if not isinstance(plain, dict):
        return None
    return HeldProfile(
        first_name=plain.get("first_name") or "",
        last_name=plain.get("last_name") or "",
        emails=tuple(plain.get("emails") or ()),
        phones=tuple(plain.get("phones") or ()),
        linkedin_url=plain.get("linkedin_url"),
        social_profiles=tuple(plain.get("social_profiles") or ()),
        websites=tuple(plain.get("websites") or ()),
        current_company=plain.get("current_company"),
        current_title=plain.get("current_title"),
        location=plain.get("location"),
    )


def stage_plain(stage: StageRef | None) -> dict[str, Any] | None:
    """A stage reference as JSON."""
    return None if stage is None else {"id": stage.id, "name": stage.name, "order": stage.order}


def stage_of(plain: dict[str, Any] | None) -> StageRef | None:
    """A stage reference from JSON."""
    return None if plain is None else StageRef(plain["id"], plain["name"], plain.get("order"))


def introduction_values(intro: Introduction) -> dict[str, Any]:
    """The introduction's own row, without its version."""
    return {
        "tenant_id": intro.tenant_id,
        "introduction_id": intro.introduction_id,
        "candidate": _plain(intro.candidate)
        | ({} if intro.ats_profile is None else {ATS_PROFILE_KEY: _plain(intro.ats_profile)}),
        "referrer": asdict(intro.referrer),
        "job_ids": list(intro.job_ids),
        "message": intro.message,
        "accepted_at": intro.accepted_at,
        "ats_candidate_id": intro.ats_candidate_id,
        "export_state": str(intro.export_state),
        "referral_credit": intro.referral_credit,
        "journal_attempted": sorted(intro.journal.attempted),
        "journal_done": sorted(intro.journal.done),
        "sequence": intro.sequence,
        "withdrawn_at": intro.withdrawn_at,
    }


def link_values(intro: Introduction) -> list[dict[str, Any]]:
    """One row per application link."""
    return [
        {
            "tenant_id": intro.tenant_id,
            "introduction_id": intro.introduction_id,
            "job_id": link.job_id,
            "position": position,
            "application_id": link.application_id,
            "status": str(link.status),
            "stage": stage_plain(link.stage),
            "rejection": None
            if link.rejection is None
            else {
                "id": link.rejection.id,
                "name": link.rejection.name,
                "kind": str(link.rejection.kind),
            },
            "last_change_at": link.last_change_at,
            "closed": None if link.closed is None else str(link.closed),
            "problem": link.problem,
            "updated_at": link.history[-1].at if link.history else None,
        }
        for position, link in enumerate(intro.links)
    ]


def history_values(intro: Introduction) -> list[dict[str, Any]]:
    """One row per status change of every link."""
    return [
        {
            "tenant_id": intro.tenant_id,
            "introduction_id": intro.introduction_id,
            "job_id": link.job_id,
            "position": position,
            "previous": str(change.previous),
            "status": str(change.status),
            "sequence": change.sequence,
            "at": change.at,
            "stage": stage_plain(change.stage),
        }
        for link in intro.links
        for position, change in enumerate(link.history)
    ]


def index_values(intro: Introduction) -> list[dict[str, Any]]:
    """The ATS id index rows: the candidate and each linked application."""
    key = {"tenant_id": intro.tenant_id, "introduction_id": intro.introduction_id}
    rows = []
    if intro.ats_candidate_id is not None:
        rows.append({**key, "kind": "candidate", "ats_id": intro.ats_candidate_id})
    for app_id in dict.fromkeys(lk.application_id for lk in intro.links if lk.application_id):
        rows.append({**key, "kind": "application", "ats_id": app_id})
    return rows


def introduction_of(
    row: RowMapping, links: list[RowMapping], history: list[RowMapping]
) -> Introduction:
    """The aggregate from its rows (links by position, history by position)."""
    changes: dict[str, list[StatusChange]] = {}
    for h in history:
        changes.setdefault(h["job_id"], []).append(
            StatusChange(
                previous=ReferralStatus(h["previous"]),
                status=ReferralStatus(h["status"]),
                sequence=h["sequence"],
                at=h["at"],
                stage=stage_of(h["stage"]),
            )
        )
    plain = dict(row["candidate"])
    candidate = CandidateProfile(
        first_name=plain["first_name"],
        last_name=plain["last_name"],
        emails=tuple(plain["emails"]),
        phones=tuple(plain.get("phones") or ()),
        linkedin_url=plain.get("linkedin_url"),
        social_profiles=tuple(plain.get("social_profiles") or ()),
        websites=tuple(plain.get("websites") or ()),
        current_company=plain.get("current_company"),
        current_title=plain.get("current_title"),
        location=plain.get("location"),
    )
    return Introduction(
        tenant_id=row["tenant_id"],
        introduction_id=row["introduction_id"],
        candidate=candidate,
        referrer=Referrer(**row["referrer"]),
        job_ids=list(row["job_ids"]),
        message=row["message"],
        accepted_at=row["accepted_at"],
        links=[
            ApplicationLink(
                job_id=lk["job_id"],
                application_id=lk["application_id"],
                status=ReferralStatus(lk["status"]),
                stage=stage_of(lk["stage"]),
                rejection=None
                if lk["rejection"] is None
                else RejectionReason(
                    lk["rejection"]["id"],
                    lk["rejection"]["name"],
                    RejectionKind(lk["rejection"]["kind"]),
                ),
                last_change_at=lk["last_change_at"],
                closed=None if lk["closed"] is None else RemovalReason(lk["closed"]),
                problem=lk["problem"],
                history=changes.get(lk["job_id"], []),
            )
            for lk in links
        ],
        ats_candidate_id=row["ats_candidate_id"],
        export_state=ExportState(row["export_state"]),
        referral_credit=row["referral_credit"],
        journal=ExportJournal(
            attempted=set(row["journal_attempted"]), done=set(row["journal_done"])
        ),
        sequence=row["sequence"],
        withdrawn_at=row["withdrawn_at"],
        ats_profile=_held_of(plain.get(ATS_PROFILE_KEY)),
        version=row["version"],
    )
