"""Domain objects and queue items with every field filled, for the SQL tests."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from intrro_gateway.domain.candidates import CandidateProfile, Referrer
from intrro_gateway.domain.introduction import (
    ApplicationLink,
    ExportJournal,
    ExportState,
    Introduction,
    RemovalReason,
    StatusChange,
)
from intrro_gateway.domain.jobs import Department, Job, JobPost, JobStage, JobStatus, Office
from intrro_gateway.domain.signals import RejectionKind, RejectionReason
from intrro_gateway.domain.status import ReferralStatus, StageMapping, StageRef
from intrro_gateway.domain.tenant import (
    AtsConnection,
    AtsCredentials,
    ClosedJobPolicy,
    RotatingSecret,
    Tenant,
)
from intrro_gateway.ports.unit_of_work import InboundDelivery, OutboundItem

T0 = datetime(2026, 11, 24, 9, 0, 0, 123456, tzinfo=UTC)


def tenant(tenant_id: str = "acme", *, connected: bool = True, secret: str = "s3cret") -> Tenant:
    """A tenant with rotated secrets, a stage mapping and (by default) a connection."""
    return Tenant(
        id=tenant_id,
        intrro_callback_url=f"https://intrro.example/{tenant_id}",
        intrro_secret=RotatingSecret(
            current=f"whsec_{secret}-new", previous=f"whsec_{secret}-old", previous_valid_until=T0
        ),
        webhook_secret=RotatingSecret(current=f"gh-{secret}"),
        ats="greenhouse",
        stage_mapping=StageMapping.from_plain({"s-9": "offer"}, {"Phone screen": "interviewing"}),
        closed_job_policy=ClosedJobPolicy.PROSPECT,
        connection=AtsConnection(
            ats="greenhouse",
            credentials=AtsCredentials(
                client_id=f"client-{secret}",
                client_secret=f"client-secret-{secret}",
                user_id="u-1",
                user_email="admin@acme.example",
            ),
            connected_at=T0,
            report={"ok": True, "problems": []},
            ok=True,
            credential_failing=False,
            checked_at=T0 + timedelta(minutes=1),
            source_id="src-1",
            referral_field_key="intrro_referrer",
        )
        if connected
        else None,
        jobs_sequence=7,
        jobs_synced_at=T0,
        last_webhook_at=T0,
        last_ping_at=T0,
        reconciled_at=T0,
        webhooks_silent=True,
        reconcile_repairs=3,
        created_at=T0,
    )


def job(job_id: str = "j-1", *, status: JobStatus = JobStatus.OPEN, **changes: Any) -> Job:
    """A job with departments, offices, posts and stages listed out of plan order."""
    fields: dict[str, Any] = {
        "ats_id": job_id,
        "title": f"Engineer {job_id}",
        "status": status,
        "departments": (Department("d-1", "Engineering"),),
        "offices": (Office("o-1", "Berlin"), Office("o-2", "Remote")),
        "posts": (JobPost("p-2", "Engineer (EU)", None), JobPost("p-1", "Engineer", "https://x/1")),
        "stages": (JobStage("s-2", "Phone screen", 1), JobStage("s-1", "Application", 0)),
        "updated_at": T0,
    }
    fields.update(changes)
    return Job(**fields)


def introduction(
    intro_id: str = "intro-1",
    *,
    tenant_id: str = "acme",
    candidate_id: str | None = "c-1",
    application_id: str = "a-1",
    email: str = "ada@example.com",
) -> Introduction:
    """An exported introduction with two links, a status history and an export journal."""
    stage = StageRef("s-2", "Phone screen", 1)
    return Introduction(
        tenant_id=tenant_id,
        introduction_id=intro_id,
        candidate=CandidateProfile(
            first_name="Ada",
            last_name="Lovelace",
            emails=(email, "ada@work.example"),
            phones=("+49 30 1234",),
            linkedin_url="https://linkedin.example/ada",
            social_profiles=("https://social.example/ada",),
            websites=("https://ada.example",),
            current_company="Analytical Engines",
            current_title="Engineer",
            location="London",
        ),
        referrer=Referrer(name="Charles", email="charles@acme.example", employee_id="e-7"),
        job_ids=["j-1", "j-2"],
        message="Meet Ada",
        accepted_at=T0,
        links=[
            ApplicationLink(
                job_id="j-1",
                application_id=application_id,
                status=ReferralStatus.REJECTED,
                stage=stage,
                rejection=RejectionReason("r-1", "Not a fit", RejectionKind.COMPANY),
                last_change_at=T0 + timedelta(hours=2),
                history=[
                    StatusChange(ReferralStatus.INTRODUCED, ReferralStatus.APPLIED, 1, T0, None),
                    StatusChange(
                        ReferralStatus.APPLIED,
                        ReferralStatus.REJECTED,
                        2,
                        T0 + timedelta(hours=2),
                        stage,
                    ),
                ],
            ),
            ApplicationLink(
                job_id="j-2",
                application_id=None,
                problem="job_not_open",
                closed=RemovalReason.DELETED,
            ),
        ],
        ats_candidate_id=candidate_id,
        export_state=ExportState.EXPORTED,
        referral_credit="referrer",
        journal=ExportJournal(attempted={"candidate", "note"}, done={"candidate"}),
        sequence=2,
        withdrawn_at=None,
    )


def delivery(
    *,
    tenant_id: str = "acme",
    delivery_id: str | None = None,
    ordering_key: str | None = None,
    received_at: datetime = T0,
    body: bytes = b'{"action": "candidate_stage_change"}',
    body_hash: str | None = None,
    subject_id: str | None = None,
) -> InboundDelivery:
    """An inbound delivery, not yet processed; its body hash is its own unless one is given (the
    inbox treats equal hashes as one delivery)."""
    delivery_id = delivery_id or uuid.uuid4().hex
    return InboundDelivery(
        id=uuid.uuid4().hex,
        tenant_id=tenant_id,
        source="greenhouse",
        delivery_id=delivery_id,
        body_hash=body_hash or hashlib.sha256(delivery_id.encode() + body).hexdigest(),
        body=body,
        kind="candidate_stage_change",
        received_at=received_at,
        ordering_key=ordering_key,
        subject_id=subject_id,
    )


def outbound(
    *,
    tenant_id: str = "acme",
    ordering_key: str = "intro-1",
    sequence: int = 1,
    created_at: datetime = T0,
    payload: dict[str, Any] | None = None,
) -> OutboundItem:
    """An outbound item, pending."""
    item_id = uuid.uuid4().hex
    return OutboundItem(
        id=item_id,
        tenant_id=tenant_id,
        target="intrro",
        kind="application.status_changed",
        payload=payload if payload is not None else {"sequence": sequence, "n": [1, "two"]},
        idempotency_key=item_id,
        ordering_key=ordering_key,
        sequence=sequence,
        created_at=created_at,
    )


def same_introduction(a: Introduction, b: Introduction) -> bool:
    """Whether two introductions hold the same state (events aside)."""
    keys = [k for k in vars(a) if k != "events"]
    return all(getattr(a, k) == getattr(b, k) for k in keys)
