"""The unit of work and its repositories: the gateway's durable state.

A unit of work is one transaction: everything a handler changes, and the outbox items that announce it,
commit together or not at all. Repositories never commit.

Errors:

    StorageError
    ├── StorageUnavailableError   the database cannot take the request now (down, timeout, locked)
    ├── ConcurrencyError          someone else changed the record since it was read: run again
    └── StoredSecretError         a stored secret cannot be opened: no configured key opens it, or it
                                  was sealed for another tenant or kind (copied or tampered with)

    InvalidCursorError (ValueError)   a listing cursor this store did not make (tampered, truncated)
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, Generic, Protocol, Self, TypeVar

from intrro_gateway.domain.access import ApiToken
from intrro_gateway.domain.introduction import Introduction
from intrro_gateway.domain.jobs import Job
from intrro_gateway.domain.status import ReferralStatus, StageRef
from intrro_gateway.domain.tenant import Tenant


class StorageError(Exception):
    """Base of every error a persistence adapter raises."""


class StorageUnavailableError(StorageError):
    """Raised when the database cannot take the request within its deadline."""


class ConcurrencyError(StorageError):
    """Raised when a record changed since it was read (a lost optimistic-lock race)."""


class StoredSecretError(StorageError):
    """Raised when a stored secret cannot be opened (wrong keys, or bound to another tenant or kind);
    the row is refused rather than used."""


class InvalidCursorError(ValueError):
    """Raised by a listing when the cursor was not made by it (tampered with, or truncated)."""


class InboxState(enum.StrEnum):
    """Where an inbound delivery stands."""

    RECEIVED = "received"
    PROCESSED = "processed"
    IGNORED = "ignored"
    DEAD = "dead"


class OutboxState(enum.StrEnum):
    """Where an outbound call stands."""

    PENDING = "pending"
    LEASED = "leased"
    DONE = "done"
    DEAD = "dead"


@dataclass(slots=True, kw_only=True)
class InboundDelivery:
    """A delivery accepted at the ingress: stored before it is answered, processed after."""

    id: str
    tenant_id: str
    source: str  # an ATS translator's source (its ATS's key) or "intrro"
    delivery_id: str
    body_hash: str
    body: bytes | None
    kind: str  # the web hook action or the event type
    received_at: datetime
    ordering_key: str | None = None
    state: InboxState = InboxState.RECEIVED
    attempts: int = 0
    not_before: datetime | None = None
    lease_expires_at: datetime | None = None
    last_error: str | None = None
    processed_at: datetime | None = None
    subject_id: str | None = None  # the ATS candidate it is about, for erasure


@dataclass(slots=True, kw_only=True)
class OutboundItem:
    """One outbound call: pushed at least once, in order per ordering key."""

    id: str
    tenant_id: str
    target: str  # "intrro"
    kind: str  # the event type
    payload: dict[str, Any]
    idempotency_key: str
    ordering_key: str
    sequence: int
    created_at: datetime
    state: OutboxState = OutboxState.PENDING
    attempts: int = 0
    not_before: datetime | None = None
    lease_expires_at: datetime | None = None
    last_error: str | None = None
    done_at: datetime | None = None


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing, with the cursor of the next page."""

    items: Sequence[T]
    next_cursor: str | None = None


@dataclass(frozen=True, slots=True)
class PipelineEntry:
    """One linked application, for the pipeline view."""

    introduction_id: str
    job_id: str
    application_id: str | None
    status: ReferralStatus
    stage_id: str | None
    stage_name: str | None
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class InboxMark:
    """How processing one delivery ended, for `InboxRepository.mark_many`."""

    item_id: str
    state: InboxState
    subject_id: str | None = None


@dataclass(frozen=True, slots=True)
class DeliveryFilter:
    """Which deliveries a listing shows."""

    direction: str | None = None  # "in" | "out" | None for both
    state: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


class TenantRepository(Protocol):
    """Tenants."""

    async def get(self, tenant_id: str) -> Tenant | None:
        """The tenant, with its secrets decrypted, or None."""
        ...

    async def add(self, tenant: Tenant) -> None:
        """Store a new tenant."""
        ...

    async def save(self, tenant: Tenant) -> None:
        """Store the tenant's changes."""
        ...

    async def delete(self, tenant_id: str) -> bool:
        """Remove the tenant and every row it owns; returns whether it existed."""
        ...

    async def list_ids(self) -> Sequence[str]:
        """Every tenant's id."""
        ...

    async def note_ping(self, tenant_id: str, at: datetime) -> bool:
        """Move the tenant's `last_ping_at` forward to `at` (never back), in place: nothing else of
        the tenant is read or written. Returns whether the tenant exists."""
        ...

    async def note_webhook(self, tenant_id: str, at: datetime) -> bool:
        """A signed web hook received at `at`: move `last_webhook_at` forward to it (never back) and
        clear the silence flag when it does, in place (as `Tenant.record_webhook`, without reading
        or writing the rest of the tenant). Returns whether the tenant exists."""
        ...


class JobRepository(Protocol):
    """A tenant's job mirror."""

    async def get(self, tenant_id: str, job_id: str) -> Job | None:
        """One job of the mirror."""
        ...

    async def stage_refs(self, tenant_id: str, job_id: str) -> tuple[StageRef, ...]:
        """The job's stages in interview-plan order, for the stage mapping; none when unknown."""
        ...

    async def stage_refs_many(
        self, tenant_id: str, job_ids: Sequence[str]
    ) -> Mapping[str, tuple[StageRef, ...]]:
        """`stage_refs` of several jobs at once, by job id (an unknown job has none)."""
        ...

    async def upsert(self, tenant_id: str, job: Job) -> bool:
        """Store a job; returns whether anything changed."""
        ...

    async def list(
        self,
        tenant_id: str,
        *,
        status: str = "open",
        updated_after: datetime | None = None,
        cursor: str | None = None,
        limit: int = 100,
    ) -> Page[Job]:
        """Jobs by status (`open`, `closed`, `all`); deleted ones only with `updated_after`."""
        ...


class IntroductionRepository(Protocol):
    """Introductions with their application links and the ATS id index."""

    async def get(self, tenant_id: str, introduction_id: str) -> Introduction | None:
        """One introduction."""
        ...

    async def add(self, introduction: Introduction) -> None:
        """Store a new introduction."""
        ...

    async def save(self, introduction: Introduction) -> None:
        """Store changes; raises ConcurrencyError when it changed since it was read."""
        ...

    async def save_many(self, introductions: Sequence[Introduction]) -> None:
        """`save` for several introductions at once; raises ConcurrencyError when any of them
        changed since it was read (the unit of work must then be rolled back)."""
        ...

    async def by_application(self, tenant_id: str, application_id: str) -> Introduction | None:
        """The introduction linked to an ATS application."""
        ...

    async def by_applications(
        self, tenant_id: str, application_ids: Sequence[str]
    ) -> Mapping[str, Introduction]:
        """`by_application` for several applications at once, by application id (one object per
        introduction, however many of the applications it links)."""
        ...

    async def by_candidate(self, tenant_id: str, candidate_id: str) -> Sequence[Introduction]:
        """The introductions linked to an ATS candidate."""
        ...

    async def pending_exports(self, tenant_id: str) -> int:
        """How many introductions of the tenant are not exported yet."""
        ...

    async def linked_application_ids(self, tenant_id: str) -> Sequence[str]:
        """Every open linked ATS application id of the tenant."""
        ...

    async def linked_applications(self, tenant_id: str) -> Sequence[tuple[str, str]]:
        """Every open linked ATS application id of the tenant with its ATS candidate id, by id."""
        ...

    async def pipeline(
        self,
        tenant_id: str,
        *,
        status: ReferralStatus | None = None,
        cursor: str | None = None,
        limit: int = 100,
    ) -> Page[PipelineEntry]:
        """The tenant's linked applications, by status."""
        ...


class InboxRepository(Protocol):
    """Inbound deliveries."""

    async def add(self, delivery: InboundDelivery) -> bool:
        """Store a delivery unless one of the same tenant and source with the same delivery id or the
        same body hash is stored; returns whether it was stored."""
        ...

    async def add_many(self, deliveries: Sequence[InboundDelivery]) -> list[bool]:
        """`add` for each delivery, in order (a later one that repeats an earlier one of the same
        call is not stored); per delivery, whether it was stored."""
        ...

    async def get(self, tenant_id: str, item_id: str) -> InboundDelivery | None:
        """One delivery."""
        ...

    async def body_hash_of(self, tenant_id: str, source: str, delivery_id: str) -> str | None:
        """The body hash of the delivery stored under this delivery id, or None."""
        ...

    async def mark(
        self,
        item_id: str,
        state: InboxState,
        *,
        at: datetime,
        error: str | None = None,
        subject_id: str | None = None,
    ) -> None:
        """Record how processing a delivery ended."""
        ...

    async def mark_many(self, marks: Sequence[InboxMark], *, at: datetime) -> None:
        """`mark` for several deliveries at once, without an error."""
        ...

    async def erase_subject(self, tenant_id: str, subject_id: str) -> int:
        """Erase the raw bodies about an ATS candidate; returns how many."""
        ...


class OutboxRepository(Protocol):
    """Outbound calls."""

    async def add(self, item: OutboundItem) -> None:
        """Queue an outbound call."""
        ...

    async def add_many(self, items: Sequence[OutboundItem]) -> None:
        """Queue several outbound calls, in order."""
        ...


class TokenRepository(Protocol):
    """API tokens, found by the digest of their value (the value itself is never stored)."""

    async def add(self, token: ApiToken) -> None:
        """Store a new token."""
        ...

    async def by_digest(self, digest: str) -> ApiToken | None:
        """The token whose value has this digest, revoked or not, or None."""
        ...

    async def list(self) -> Sequence[ApiToken]:
        """Every token, oldest first."""
        ...

    async def revoke(self, token_id: str, at: datetime) -> bool:
        """Mark a token revoked; returns whether an active token of that id existed."""
        ...


class UnitOfWork(Protocol):
    """One transaction over the gateway's state."""

    tenants: TenantRepository
    tokens: TokenRepository
    jobs: JobRepository
    introductions: IntroductionRepository
    inbox: InboxRepository
    outbox: OutboxRepository

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed."""
        ...

    async def commit(self) -> None:
        """Make every change of this unit durable at once."""
        ...

    async def rollback(self) -> None:
        """Drop every change of this unit."""
        ...


class UnitOfWorkFactory(Protocol):
    """Makes a fresh unit of work per use."""

    def __call__(self) -> UnitOfWork: ...


class InboxBatches(Protocol):
    """A run of inbox batches on what `InboxWriter.batches` holds (a connection, say)."""

    async def add_committed(self, deliveries: Sequence[InboundDelivery]) -> list[bool]:
        """`InboxRepository.add_many` in a transaction of its own, committed (durable) on return;
        raises StorageError when nothing of it is (and the run then ends)."""
        ...


class InboxWriter(Protocol):
    """The ingress's storage: batches of deliveries, each durable on return (group commit)."""

    def batches(self) -> AbstractAsyncContextManager[InboxBatches]:
        """Hold what a run of batches shares until the block ends."""
        ...
