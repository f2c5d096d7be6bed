"""The tables, as SQLModel classes; the repositories map them to and from domain objects.

Every row carries its tenant. Secrets live encrypted (see `adapters.sql.secrets`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    Table,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from intrro_gateway.adapters.sql.types import UtcDateTime

__all__ = [
    "ApiTokenRow",
    "AtsBudgetRow",
    "AtsIndexRow",
    "AtsTokenRow",
    "InboxRow",
    "IntroductionRow",
    "JobPostRow",
    "JobRow",
    "JobStageRow",
    "LinkRow",
    "LockRow",
    "OutboxRow",
    "StatusHistoryRow",
    "TenantRow",
    "metadata",
    "table",
]

metadata = SQLModel.metadata

# SQLite aliases only INTEGER PRIMARY KEY to its rowid (and so autoincrements only that).
_SERIAL = BigInteger().with_variant(Integer(), "sqlite")


def table(model: type[SQLModel]) -> Table:
    """The Core table of a model."""
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


def _at(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_type=UtcDateTime, nullable=nullable, index=index)


class TenantRow(SQLModel, table=True):
    """A tenant; secret columns hold Fernet tokens."""

    __tablename__ = "tenants"

    id: str = Field(primary_key=True, max_length=63)
    intrro_callback_url: str | None = None
    intrro_secret: str
    intrro_secret_previous: str | None = None
    intrro_secret_previous_valid_until: datetime | None = _at()
    webhook_secret: str
    webhook_secret_previous: str | None = None
    webhook_secret_previous_valid_until: datetime | None = _at()
    ats: str = Field(default="greenhouse", sa_column_kwargs={"server_default": "greenhouse"})
    webhook_tokens: str | None = None  # encrypted JSON list of signature tokens
    stage_mapping: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    rejection_mapping: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    closed_job_policy: str = "fail"
    ats_name: str | None = None
    ats_credentials: str | None = None  # encrypted JSON of the credential
    connected_at: datetime | None = _at()
    connection_report: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    connection_ok: bool = False
    credential_failing: bool = False
    checked_at: datetime | None = _at()
    source_id: str | None = None
    referral_field_key: str | None = None
    jobs_sequence: int = 0
    jobs_synced_at: datetime | None = _at()
    last_webhook_at: datetime | None = _at()
    last_ping_at: datetime | None = _at()
    reconciled_at: datetime | None = _at()
    webhooks_silent: bool = False
    reconcile_repairs: int = 0
    created_at: datetime | None = _at()


class JobRow(SQLModel, table=True):
    """A job of a tenant's mirror."""

    __tablename__ = "jobs"

    tenant_id: str = Field(primary_key=True, max_length=63)
    ats_id: str = Field(primary_key=True)
    title: str
    status: str
    is_template: bool = False
    departments: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    offices: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    updated_at: datetime | None = _at()
    deleted: bool = False
    mirrored_at: datetime | None = _at()  # when the mirror last changed


class JobStageRow(SQLModel, table=True):
    """An interview stage of a job."""

    __tablename__ = "job_stages"

    tenant_id: str = Field(primary_key=True, max_length=63)
    job_id: str = Field(primary_key=True)
    stage_id: str = Field(primary_key=True)
    name: str
    position: int  # the stage's order in the interview plan
    rank: int  # where the ATS listed it


class JobPostRow(SQLModel, table=True):
    """A public post of a job."""

    __tablename__ = "job_posts"

    tenant_id: str = Field(primary_key=True, max_length=63)
    job_id: str = Field(primary_key=True)
    post_id: str = Field(primary_key=True)
    title: str
    url: str | None = None
    rank: int  # where the ATS listed it


class IntroductionRow(SQLModel, table=True):
    """An introduction; `version` is the optimistic lock."""

    __tablename__ = "introductions"

    tenant_id: str = Field(primary_key=True, max_length=63)
    introduction_id: str = Field(primary_key=True)
    candidate: dict[str, Any] = Field(sa_type=JSON)
    referrer: dict[str, Any] = Field(sa_type=JSON)
    job_ids: list[str] = Field(sa_type=JSON)
    message: str | None = None
    accepted_at: datetime = Field(sa_type=UtcDateTime)
    ats_candidate_id: str | None = None
    export_state: str = Field(default="pending", index=True)
    referral_credit: str = "none"
    journal_attempted: list[str] = Field(default_factory=list, sa_type=JSON)
    journal_done: list[str] = Field(default_factory=list, sa_type=JSON)
    sequence: int = 0
    withdrawn_at: datetime | None = _at()
    version: int = 0


class LinkRow(SQLModel, table=True):
    """An introduction's application for one chosen job."""

    __tablename__ = "application_links"

    tenant_id: str = Field(primary_key=True, max_length=63)
    introduction_id: str = Field(primary_key=True)
    job_id: str = Field(primary_key=True)
    position: int
    application_id: str | None = None
    status: str
    stage: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    rejection: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    last_change_at: datetime | None = _at()
    closed: str | None = None
    problem: str | None = None
    updated_at: datetime | None = _at()


class StatusHistoryRow(SQLModel, table=True):
    """One entry of an application's status history."""

    __tablename__ = "status_history"

    tenant_id: str = Field(primary_key=True, max_length=63)
    introduction_id: str = Field(primary_key=True)
    job_id: str = Field(primary_key=True)
    position: int = Field(primary_key=True)
    previous: str
    status: str
    sequence: int
    at: datetime = Field(sa_type=UtcDateTime)
    stage: dict[str, Any] | None = Field(default=None, sa_type=JSON)


class AtsIndexRow(SQLModel, table=True):
    """The ATS id index: a candidate or application id of a tenant, to its introduction."""

    __tablename__ = "ats_index"

    tenant_id: str = Field(primary_key=True, max_length=63)
    kind: str = Field(primary_key=True)  # "candidate" | "application"
    ats_id: str = Field(primary_key=True)
    introduction_id: str = Field(primary_key=True)


class InboxRow(SQLModel, table=True):
    """An accepted inbound delivery; `seq` is the arrival order."""

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("tenant_id", "source", "delivery_id", name="uq_inbox_delivery"),
        Index("ix_inbox_claim", "state", "tenant_id", "ordering_key", "seq"),
        Index("ix_inbox_listing", "tenant_id", "received_at"),
        Index("ix_inbox_subject", "tenant_id", "subject_id"),
        Index("ix_inbox_body", "tenant_id", "source", "body_hash"),
    )

    seq: int | None = Field(default=None, sa_column=Column(_SERIAL, primary_key=True))
    id: str = Field(unique=True, max_length=32)
    tenant_id: str = Field(max_length=63)
    source: str
    delivery_id: str
    body_hash: str
    body: bytes | None = Field(default=None, sa_type=LargeBinary)
    kind: str
    received_at: datetime = Field(sa_type=UtcDateTime)
    ordering_key: str | None = None
    state: str = "received"
    attempts: int = 0
    not_before: datetime | None = _at()
    lease_owner: str | None = None
    lease_expires_at: datetime | None = _at()
    last_error: str | None = None
    processed_at: datetime | None = _at()
    subject_id: str | None = None


class OutboxRow(SQLModel, table=True):
    """An outbound call; `sequence` orders the items of one ordering key."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("tenant_id", "idempotency_key", name="uq_outbox_idempotency"),
        Index("ix_outbox_claim", "state", "tenant_id", "ordering_key", "sequence"),
        Index("ix_outbox_listing", "tenant_id", "created_at"),
    )

    seq: int | None = Field(default=None, sa_column=Column(_SERIAL, primary_key=True))
    id: str = Field(unique=True, max_length=32)
    tenant_id: str = Field(max_length=63)
    target: str
    kind: str
    payload: dict[str, Any] = Field(sa_type=JSON)
    idempotency_key: str
    ordering_key: str
    sequence: int
    created_at: datetime = Field(sa_type=UtcDateTime)
    state: str = "pending"
    attempts: int = 0
    not_before: datetime | None = _at()
    lease_owner: str | None = None
    lease_expires_at: datetime | None = _at()
    last_error: str | None = None
    done_at: datetime | None = _at()


class ApiTokenRow(SQLModel, table=True):
    """An API token: the SHA-256 of its value, never the value; `tenant_id` None is operator-wide."""

    __tablename__ = "api_tokens"

    id: str = Field(primary_key=True, max_length=32)
    name: str
    digest: str = Field(unique=True, max_length=64)
    tenant_id: str | None = Field(default=None, max_length=63, index=True)
    created_at: datetime = Field(sa_type=UtcDateTime)
    revoked_at: datetime | None = _at()


class LockRow(SQLModel, table=True):
    """A named lease for the `Locks` port."""

    __tablename__ = "locks"

    key: str = Field(primary_key=True)
    owner: str
    expires_at: datetime = Field(sa_type=UtcDateTime)


class AtsBudgetRow(SQLModel, table=True):
    """An ATS account's rate allowance as last observed, shared by every process."""

    __tablename__ = "ats_budgets"

    key: str = Field(primary_key=True, max_length=200)
    limit: int | None = None
    remaining: int | None = None
    reset_at: datetime | None = _at()
    blocked_until: datetime | None = _at()
    priority_until: datetime | None = _at()  # a priority call waits: background calls hold back
    carried: int = 0  # calls let go near the reset, already counted against the next window


class AtsTokenRow(SQLModel, table=True):
    """An ATS access token minted by one process for all of them; the value is a Fernet token."""

    __tablename__ = "ats_tokens"

    key: str = Field(primary_key=True, max_length=200)
    value: str
    expires_at: datetime = Field(sa_type=UtcDateTime)
