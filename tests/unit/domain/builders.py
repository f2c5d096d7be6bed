"""Builders for the domain's tests: an introduction, stages and times in a few words."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from intrro_gateway.domain.candidates import CandidateProfile, Referrer
from intrro_gateway.domain.introduction import Introduction
from intrro_gateway.domain.status import ReferralStatus, StageRef

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)

REVIEW = StageRef(id="s-review", name="Application Review", order=0)
PHONE = StageRef(id="s-phone", name="Phone Screen", order=1)
ONSITE = StageRef(id="s-onsite", name="Onsite", order=2)
OFFER = StageRef(id="s-offer", name="Offer", order=3)
STAGES = (REVIEW, PHONE, ONSITE, OFFER)


def at(minutes: int) -> datetime:
    """A time `minutes` after T0."""
    return T0 + timedelta(minutes=minutes)


def new_introduction(
    job_ids: Sequence[str] = ("job-1",), introduction_id: str = "intro-1"
) -> Introduction:
    """An accepted introduction, not yet exported."""
    return Introduction(
        tenant_id="acme",
        introduction_id=introduction_id,
        candidate=CandidateProfile(
            first_name="Ada", last_name="Lovelace", emails=("ada@example.com",)
        ),
        referrer=Referrer(name="Grace Hopper", email="grace@acme.example"),
        job_ids=job_ids,
        message="A great engineer",
        accepted_at=T0,
    )


def exported_introduction(
    job_ids: Sequence[str] = ("job-1",), stage: StageRef = REVIEW
) -> Introduction:
    """An introduction exported with application `app-<job>` per job, in `stage`, events cleared."""
    intro = new_introduction(job_ids)
    intro.mark_exported(
        ats="greenhouse",
        candidate_id="cand-1",
        candidate_url="https://app.greenhouse.io/people/1",
        referral_credit="referrer",
        applications={j: (f"app-{j}", stage, ReferralStatus.APPLIED) for j in job_ids},
        problems={},
        at=T0,
    )
    intro.events.clear()
    return intro
