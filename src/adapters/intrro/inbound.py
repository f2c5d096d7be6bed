"""Intrro's inbound events as pydantic models: the envelope, and the `data` of each type.

They read what `loads_bounded` made (so the body's size and depth bounds apply first) and map to the
domain's commands. The JSON Schema of each is what `/openapi.json` and `docs/schemas/` show.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from intrro_gateway.adapters.intrro.fields import Email, NonBlank, WebUrl, ZonedTime
from intrro_gateway.domain.candidates import CandidateChanges, CandidateProfile, Referrer
from intrro_gateway.domain.commands import AcceptIntroduction, UpdateCandidate, WithdrawIntroduction

IntroductionCommand = AcceptIntroduction | UpdateCandidate | WithdrawIntroduction


class _Message(BaseModel):
    """Strict: no coercion of numbers into text; fields Intrro adds later are ignored."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class Envelope(_Message):
    """Every Intrro event: its type, when it was sent, and the type's `data`."""

    type: NonBlank
    timestamp: ZonedTime
    data: dict[str, Any]


class Candidate(_Message):
    """A candidate as Intrro knows them."""

    first_name: NonBlank
    last_name: NonBlank
    emails: Annotated[list[Email], Field(min_length=1)]
    phones: list[NonBlank] = []
    linkedin_url: WebUrl | None = None
    social_profiles: list[WebUrl] = []
    websites: list[WebUrl] = []
    current_company: str | None = None
    current_title: str | None = None
    location: str | None = None

    def to_profile(self) -> CandidateProfile:
        """The domain's candidate."""
        return CandidateProfile(
            first_name=self.first_name,
            last_name=self.last_name,
            emails=tuple(self.emails),
            phones=tuple(self.phones),
            linkedin_url=self.linkedin_url,
            social_profiles=tuple(self.social_profiles),
            websites=tuple(self.websites),
            current_company=self.current_company,
            current_title=self.current_title,
            location=self.location,
        )


class CandidateUpdate(_Message):
    """Any candidate fields: a field left out, or sent as null, is left alone in the ATS."""

    first_name: NonBlank | None = None
    last_name: NonBlank | None = None
    emails: Annotated[list[Email], Field(min_length=1)] | None = None
    phones: list[NonBlank] | None = None
    linkedin_url: WebUrl | None = None
    social_profiles: list[WebUrl] | None = None
    websites: list[WebUrl] | None = None
    current_company: str | None = None
    current_title: str | None = None
    location: str | None = None

    def to_changes(self) -> CandidateChanges:
        """The domain's changes; None is "left alone"."""

        def items(values: list[str] | None) -> tuple[str, ...] | None:
            return None if values is None else tuple(values)

        return CandidateChanges(
            first_name=self.first_name,
            last_name=self.last_name,
            emails=items(self.emails),
            phones=items(self.phones),
            linkedin_url=self.linkedin_url,
            social_profiles=items(self.social_profiles),
            websites=items(self.websites),
            current_company=self.current_company,
            current_title=self.current_title,
            location=self.location,
        )


class ReferrerModel(_Message):
    """The employee who made the introduction."""

    model_config = ConfigDict(title="Referrer")

    name: NonBlank
    email: Email
    employee_id: str | None = None


class IntroductionAccepted(_Message):
    """`introduction.accepted`: a candidate to export to the ATS for the chosen jobs."""

    introduction_id: NonBlank
    candidate: Candidate
    referrer: ReferrerModel
    job_ids: Annotated[list[NonBlank], Field(min_length=1)]
    message: str | None = None
    accepted_at: ZonedTime

    def command(self, tenant_id: str) -> IntroductionCommand:
        """The domain command (repeated job ids kept once, in order)."""
        r = self.referrer
        return AcceptIntroduction(
            tenant_id=tenant_id,
            introduction_id=self.introduction_id,
            candidate=self.candidate.to_profile(),
            referrer=Referrer(name=r.name, email=r.email, employee_id=r.employee_id),
            job_ids=tuple(dict.fromkeys(self.job_ids)),
            message=self.message,
            accepted_at=self.accepted_at,
        )


class CandidateUpdated(_Message):
    """`candidate.updated`: Intrro changed some of the candidate's fields."""

    introduction_id: NonBlank
    candidate: CandidateUpdate
    updated_at: ZonedTime

    def command(self, tenant_id: str) -> IntroductionCommand:
        """The domain command."""
        return UpdateCandidate(
            tenant_id=tenant_id,
            introduction_id=self.introduction_id,
            changes=self.candidate.to_changes(),
            updated_at=self.updated_at,
        )


class IntroductionWithdrawn(_Message):
    """`introduction.withdrawn`: the candidate or Intrro withdrew the introduction."""

    introduction_id: NonBlank
    reason: str | None = None
    withdrawn_at: ZonedTime

    def command(self, tenant_id: str) -> IntroductionCommand:
        """The domain command."""
        return WithdrawIntroduction(
            tenant_id=tenant_id,
            introduction_id=self.introduction_id,
            reason=self.reason,
            withdrawn_at=self.withdrawn_at,
        )


EventData = IntroductionAccepted | CandidateUpdated | IntroductionWithdrawn

INBOUND_EVENTS: dict[str, type[EventData]] = {
    "introduction.accepted": IntroductionAccepted,
    "candidate.updated": CandidateUpdated,
    "introduction.withdrawn": IntroductionWithdrawn,
}
