"""The events the gateway sends to Intrro, as pydantic models: the contract's `data` of each type.

The services build each event's `data` (services/outbound.py, standard library only); these models
are its schema: `/openapi.json` shows them under `webhooks`, `intrro-gateway schemas` writes them to
`docs/schemas/`, and a test validates what the services build against them.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from intrro_gateway.adapters.intrro.fields import ZonedTime
from intrro_gateway.domain.jobs import JobStatus
from intrro_gateway.domain.signals import RejectionKind
from intrro_gateway.domain.status import ReferralStatus

Sequence = Annotated[int, Field(ge=0, description="rises per introduction (per tenant for jobs)")]
AtsKey = Literal["greenhouse", "lever"]
FailureCode = Literal["job_not_open", "permission_missing", "ats_rejected", "not_connected"]
ApplicationProblem = Literal["job_not_open", "export_incomplete"]


class _Data(BaseModel):
    """Every field is always sent (null when it has no value); nothing else is."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Named(_Data):
    """An ATS record named by id: a department, an office."""

    id: str
    name: str


class Stage(_Data):
    """An interview stage."""

    id: str
    name: str


class JobStage(_Data):
    """A stage of a job's pipeline, with its order."""

    id: str
    name: str
    order: int


class JobPost(_Data):
    """A job post (a public listing of the job)."""

    id: str
    title: str
    url: str | None


class Job(_Data):
    """A job as `jobs.changed` and `GET /api/tenants/{tenant}/jobs` show it."""

    id: str
    title: str
    status: JobStatus
    departments: list[Named]
    offices: list[Named]
    posts: list[JobPost]
    stages: list[JobStage]
    updated_at: ZonedTime | None
    deleted: bool


class Application(_Data):
    """One application of the introduction as it stands now."""

    job_id: str
    application_id: str | None
    status: ReferralStatus
    problem: ApplicationProblem | None


class RejectionReason(_Data):
    """Why the application was rejected."""

    id: str
    name: str
    kind: RejectionKind


class IntroductionExported(_Data):
    """`introduction.exported`: the candidate is in the ATS; open jobs exported, closed ones named."""

    introduction_id: str
    ats: AtsKey
    ats_candidate_id: str
    candidate_url: str | None
    referral_credit: Literal["referrer", "custom_field", "follower", "none"]
    applications: list[Application]
    sequence: Sequence


class ApplicationStatusChanged(_Data):
    """`application.status_changed`: an application's referral status changed in the ATS."""

    introduction_id: str
    job_id: str
    application_id: str | None
    status: ReferralStatus
    previous_status: ReferralStatus
    stage: Stage | None
    rejection_reason: RejectionReason | None
    occurred_at: ZonedTime
    applications: list[Application]
    sequence: Sequence


class ApplicationRemoved(_Data):
    """`application.removed`: an application left the ATS (deleted, or merged away)."""

    introduction_id: str
    job_id: str
    application_id: str | None
    reason: Literal["deleted", "merged"]
    applications: list[Application]
    sequence: Sequence


class IntroductionFailed(_Data):
    """`introduction.failed`: the introduction could not be exported; `code` says why."""

    introduction_id: str
    code: FailureCode
    message: str
    sequence: Sequence


class HeldCandidate(_Data):
    """The candidate's fields as the ATS now holds them (nothing is required of the ATS)."""

    first_name: str
    last_name: str
    emails: list[str]
    phones: list[str]
    linkedin_url: str | None
    social_profiles: list[str]
    websites: list[str]
    current_company: str | None
    current_title: str | None
    location: str | None


CandidateField = Literal[
    "first_name",
    "last_name",
    "emails",
    "phones",
    "linkedin_url",
    "social_profiles",
    "websites",
    "current_company",
    "current_title",
    "location",
]


class CandidateChanged(_Data):
    """`candidate.changed`: an edit made in the ATS to fields Intrro knows (never the gateway's own)."""

    introduction_id: str
    candidate: HeldCandidate
    changed: list[CandidateField]
    sequence: Sequence


class JobsChanged(_Data):
    """`jobs.changed`: jobs of the tenant changed in the ATS."""

    jobs: list[Job]
    sequence: Sequence


OUTBOUND_EVENTS: dict[str, type[_Data]] = {
    "introduction.exported": IntroductionExported,
    "application.status_changed": ApplicationStatusChanged,
    "application.removed": ApplicationRemoved,
    "introduction.failed": IntroductionFailed,
    "jobs.changed": JobsChanged,
    "candidate.changed": CandidateChanged,
}


def check_data(event_type: str, data: dict[str, Any]) -> _Data:
    """`data` read by the model of its type (JSON-mode: times as ISO-8601 text); raises
    ValidationError when the services built something the contract does not allow."""
    return OUTBOUND_EVENTS[event_type].model_validate_json(json.dumps(data, default=str))
