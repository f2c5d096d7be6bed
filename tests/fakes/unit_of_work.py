"""An in-memory unit of work: changes are staged and become visible to others only on commit.

`FakeStore` holds the committed state; every `FakeUnitOfWork` stages its writes (copies, never the
caller's objects) and applies them on `commit`, or drops them on rollback / leaving the block. Other
fakes (the work queue) may read and change `store.inbox` / `store.outbox` directly: those dicts are the
committed rows.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Generic, Self, TypeVar

from intrro_gateway.domain.access import ApiToken
from intrro_gateway.domain.introduction import Introduction
from intrro_gateway.domain.jobs import Job
from intrro_gateway.domain.status import ReferralStatus, StageRef
from intrro_gateway.domain.tenant import Tenant
from intrro_gateway.ports.unit_of_work import (
    ConcurrencyError,
    InboundDelivery,
    InboxMark,
    InboxRepository,
    InboxState,
    IntroductionRepository,
    JobRepository,
    OutboundItem,
    OutboxRepository,
    Page,
    PipelineEntry,
    StorageUnavailableError,
    TenantRepository,
    TokenRepository,
)

K = TypeVar("K")
V = TypeVar("V")


@dataclass
class FakeStore:
    """The committed state of the fake database."""

    tenants: dict[str, Tenant] = field(default_factory=dict)
    jobs: dict[tuple[str, str], Job] = field(default_factory=dict)
    introductions: dict[tuple[str, str], Introduction] = field(default_factory=dict)
    inbox: dict[str, InboundDelivery] = field(default_factory=dict)
    outbox: dict[str, OutboundItem] = field(default_factory=dict)
    tokens: dict[str, ApiToken] = field(default_factory=dict)


class _Table(Generic[K, V]):
    """One table: the committed rows and this unit's staged writes and deletions."""

    def __init__(self, committed: dict[K, V]) -> None:
        self.committed = committed
        self.staged: dict[K, V] = {}
        self.deleted: set[K] = set()

    def get(self, key: K) -> V | None:
        if key in self.deleted:
            return None
        if key in self.staged:
            return copy.deepcopy(self.staged[key])
        row = self.committed.get(key)
        return copy.deepcopy(row) if row is not None else None

    def exists(self, key: K) -> bool:
        return key not in self.deleted and (key in self.staged or key in self.committed)

    def put(self, key: K, value: V) -> None:
        self.deleted.discard(key)
        self.staged[key] = copy.deepcopy(value)

    def delete(self, key: K) -> None:
        self.staged.pop(key, None)
        self.deleted.add(key)

    def rows(self) -> Iterator[tuple[K, V]]:
        """Every visible row (staged over committed), as copies."""
        keys = [*self.committed, *(k for k in self.staged if k not in self.committed)]
        for key in keys:
            row = self.get(key)
            if row is not None:
                yield key, row

    def apply(self) -> None:
        for key in self.deleted:
            self.committed.pop(key, None)
        self.committed.update(self.staged)
        self.clear()

    def clear(self) -> None:
        self.staged.clear()
        self.deleted.clear()


class FakeTenantRepository:
    """Tenants, in memory."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow
        self.table: _Table[str, Tenant] = _Table(uow.store.tenants)

    async def get(self, tenant_id: str) -> Tenant | None:
        """The tenant, or None."""
        return self.table.get(tenant_id)

    async def add(self, tenant: Tenant) -> None:
        """Store a new tenant."""
        self.table.put(tenant.id, tenant)

    async def save(self, tenant: Tenant) -> None:
        """Store the tenant's changes."""
        self.table.put(tenant.id, tenant)

    async def delete(self, tenant_id: str) -> bool:
        """Remove the tenant and every row it owns."""
        existed = self.table.exists(tenant_id)
        self.table.delete(tenant_id)
        self._uow.delete_rows_of(tenant_id)
        return existed

    async def list_ids(self) -> Sequence[str]:
        """Every tenant's id."""
        return sorted(key for key, _ in self.table.rows())

    async def note_ping(self, tenant_id: str, at: datetime) -> bool:
        """Move `last_ping_at` forward, in place."""
        tenant = self.table.get(tenant_id)
        if tenant is None:
            return False
        if tenant.last_ping_at is None or at > tenant.last_ping_at:
            tenant.last_ping_at = at
            self.table.put(tenant_id, tenant)
        return True

    async def note_webhook(self, tenant_id: str, at: datetime) -> bool:
        """Move `last_webhook_at` forward (clearing the silence flag), in place."""
        tenant = self.table.get(tenant_id)
        if tenant is None:
            return False
        if tenant.last_webhook_at is None or at > tenant.last_webhook_at:
            tenant.record_webhook(at)
            self.table.put(tenant_id, tenant)
        return True


class FakeTokenRepository:
    """API tokens, in memory."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.table: _Table[str, ApiToken] = _Table(uow.store.tokens)

    async def add(self, token: ApiToken) -> None:
        """Store a new token."""
        self.table.put(token.id, token)

    async def by_digest(self, digest: str) -> ApiToken | None:
        """The token with this digest, or None."""
        return next((t for _, t in self.table.rows() if t.digest == digest), None)

    async def list(self) -> Sequence[ApiToken]:
        """Every token, oldest first."""
        return sorted((t for _, t in self.table.rows()), key=lambda t: (t.created_at, t.id))

    async def revoke(self, token_id: str, at: datetime) -> bool:
        """Mark an active token revoked."""
        token = self.table.get(token_id)
        if token is None or not token.active:
            return False
        self.table.put(token_id, dataclasses.replace(token, revoked_at=at))
        return True


class FakeJobRepository:
    """A job mirror, in memory."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.table: _Table[tuple[str, str], Job] = _Table(uow.store.jobs)

    async def get(self, tenant_id: str, job_id: str) -> Job | None:
        """One job of the mirror."""
        return self.table.get((tenant_id, job_id))

    async def stage_refs(self, tenant_id: str, job_id: str) -> tuple[StageRef, ...]:
        """The job's stages in interview-plan order; none when unknown."""
        job = self.table.get((tenant_id, job_id))
        return job.stage_refs() if job is not None else ()

    async def stage_refs_many(
        self, tenant_id: str, job_ids: Sequence[str]
    ) -> Mapping[str, tuple[StageRef, ...]]:
        """`stage_refs` of several jobs, by job id."""
        return {job_id: await self.stage_refs(tenant_id, job_id) for job_id in job_ids}

    async def upsert(self, tenant_id: str, job: Job) -> bool:
        """Store a job; returns whether anything changed."""
        if self.table.get((tenant_id, job.ats_id)) == job:
            return False
        self.table.put((tenant_id, job.ats_id), job)
        return True

    async def list(
        self,
        tenant_id: str,
        *,
        status: str = "open",
        updated_after: datetime | None = None,
        cursor: str | None = None,
        limit: int = 100,
    ) -> Page[Job]:
        """Jobs by status; deleted ones only with `updated_after`; templates never."""
        jobs = sorted(
            (job for (tenant, _), job in self.table.rows() if tenant == tenant_id),
            key=lambda j: j.ats_id,
        )
        selected = [j for j in jobs if _listed(j, status, updated_after)]
        return _page(selected, cursor, limit)


def _listed(job: Job, status: str, updated_after: datetime | None) -> bool:
    if job.is_template:
        return False
    if updated_after is not None:
        if job.updated_at is None or job.updated_at <= updated_after:
            return False
        if job.deleted:
            return True
    elif job.deleted:
        return False
    if status == "all":
        return True
    if status == "open":
        return job.is_open
    return not job.is_open


def _page(items: Sequence[V], cursor: str | None, limit: int) -> Page[V]:
    start = int(cursor) if cursor else 0
    chunk = items[start : start + limit]
    more = start + limit < len(items)
    return Page(items=list(chunk), next_cursor=str(start + limit) if more else None)


class FakeIntroductionRepository:
    """Introductions, in memory, with an optimistic version check on save."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.table: _Table[tuple[str, str], Introduction] = _Table(uow.store.introductions)
        self.base_versions: dict[tuple[str, str], int] = {}

    async def get(self, tenant_id: str, introduction_id: str) -> Introduction | None:
        """One introduction (a copy: changes need `save`)."""
        return self.table.get((tenant_id, introduction_id))

    async def add(self, introduction: Introduction) -> None:
        """Store a new introduction; raises ConcurrencyError when its id is taken."""
        key = (introduction.tenant_id, introduction.introduction_id)
        if self.table.exists(key):
            raise ConcurrencyError(f"introduction {introduction.introduction_id} exists")
        self.base_versions[key] = -1
        self.table.put(key, _stored(introduction))

    async def save(self, introduction: Introduction) -> None:
        """Store changes; raises ConcurrencyError when the stored version moved on."""
        key = (introduction.tenant_id, introduction.introduction_id)
        current = self.table.get(key)
        if current is None or current.version != introduction.version:
            raise ConcurrencyError(f"introduction {introduction.introduction_id} changed")
        self.base_versions.setdefault(key, current.version)
        introduction.version += 1
        self.table.put(key, _stored(introduction))

    async def save_many(self, introductions: Sequence[Introduction]) -> None:
        """`save` for each introduction."""
        for introduction in introductions:
            await self.save(introduction)

    def check_versions(self) -> None:
        """Before commit: nobody else committed a change to what this unit saves."""
        for key, base in self.base_versions.items():
            committed = self.table.committed.get(key)
            committed_version = committed.version if committed is not None else -1
            if committed_version != base:
                raise ConcurrencyError(f"introduction {key[1]} changed since it was read")

    async def by_application(self, tenant_id: str, application_id: str) -> Introduction | None:
        """The introduction linked to an ATS application (closed links included)."""
        for (tenant, _), intro in self.table.rows():
            if tenant == tenant_id and intro.link_for_application(application_id) is not None:
                return intro
        return None

    async def by_applications(
        self, tenant_id: str, application_ids: Sequence[str]
    ) -> Mapping[str, Introduction]:
        """`by_application` for each application; one object per introduction."""
        found: dict[str, Introduction] = {}
        objects: dict[str, Introduction] = {}
        for application_id in application_ids:
            intro = await self.by_application(tenant_id, application_id)
            if intro is not None:
                found[application_id] = objects.setdefault(intro.introduction_id, intro)
        return found

    async def by_candidate(self, tenant_id: str, candidate_id: str) -> Sequence[Introduction]:
        """The introductions linked to an ATS candidate."""
        return [
            intro
            for (tenant, _), intro in self.table.rows()
            if tenant == tenant_id and intro.ats_candidate_id == candidate_id
        ]

    async def pending_exports(self, tenant_id: str) -> int:
        """How many introductions of the tenant are not exported yet."""
        return sum(
            1
            for (tenant, _), intro in self.table.rows()
            if tenant == tenant_id and str(intro.export_state) == "pending"
        )

    async def linked_application_ids(self, tenant_id: str) -> Sequence[str]:
        """Every open linked ATS application id of the tenant."""
        return sorted(
            link.application_id
            for (tenant, _), intro in self.table.rows()
            if tenant == tenant_id
            for link in intro.links
            if link.application_id is not None and link.closed is None
        )

    async def linked_applications(self, tenant_id: str) -> Sequence[tuple[str, str]]:
        """Every open linked ATS application id of the tenant with its ATS candidate id, by id."""
        return sorted(
            {
                (link.application_id, intro.ats_candidate_id)
                for (tenant, _), intro in self.table.rows()
                if tenant == tenant_id and intro.ats_candidate_id is not None
                for link in intro.links
                if link.application_id is not None and link.closed is None
            }
        )

    async def pipeline(
        self,
        tenant_id: str,
        *,
        status: ReferralStatus | None = None,
        cursor: str | None = None,
        limit: int = 100,
    ) -> Page[PipelineEntry]:
        """The tenant's linked applications, by status."""
        entries = [
            PipelineEntry(
                introduction_id=intro.introduction_id,
                job_id=link.job_id,
                application_id=link.application_id,
                status=link.status,
                stage_id=link.stage.id if link.stage else None,
                stage_name=link.stage.name if link.stage else None,
                updated_at=link.history[-1].at if link.history else None,
            )
            for (tenant, _), intro in sorted(self.table.rows(), key=lambda r: r[0])
            if tenant == tenant_id
            for link in intro.links
            if link.application_id is not None and (status is None or link.status is status)
        ]
        return _page(entries, cursor, limit)


def _stored(introduction: Introduction) -> Introduction:
    """A copy as the database keeps it: the recorded events are not part of the state."""
    events, introduction.events = introduction.events, []
    try:
        return copy.deepcopy(introduction)
    finally:
        introduction.events = events


class FakeInboxRepository:
    """Inbound deliveries, in memory."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.table: _Table[str, InboundDelivery] = _Table(uow.store.inbox)

    async def add(self, delivery: InboundDelivery) -> bool:
        """Store a delivery unless one with the same delivery id or body hash is stored."""
        for _, row in self.table.rows():
            same_sender = (row.tenant_id, row.source) == (delivery.tenant_id, delivery.source)
            if same_sender and delivery.delivery_id == row.delivery_id:
                return False
            if same_sender and delivery.body_hash == row.body_hash:
                return False
        self.table.put(delivery.id, delivery)
        return True

    async def body_hash_of(self, tenant_id: str, source: str, delivery_id: str) -> str | None:
        """The body hash stored under this delivery id, or None."""
        for _, stored in self.table.rows():
            if (stored.tenant_id, stored.source, stored.delivery_id) == (
                tenant_id,
                source,
                delivery_id,
            ):
                return stored.body_hash
        return None

    async def add_many(self, deliveries: Sequence[InboundDelivery]) -> list[bool]:
        """`add` for each delivery, in order."""
        return [await self.add(delivery) for delivery in deliveries]

    async def get(self, tenant_id: str, item_id: str) -> InboundDelivery | None:
        """One delivery of the tenant."""
        row = self.table.get(item_id)
        return row if row is not None and row.tenant_id == tenant_id else None

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
        row = self.table.get(item_id)
        if row is None:
            return
        row.state = state
        row.processed_at = at
        row.last_error = error
        row.lease_expires_at = None
        if subject_id is not None:
            row.subject_id = subject_id
        self.table.put(item_id, row)

    async def mark_many(self, marks: Sequence[InboxMark], *, at: datetime) -> None:
        """`mark` for each delivery."""
        for mark in marks:
            await self.mark(mark.item_id, mark.state, at=at, subject_id=mark.subject_id)

    async def erase_subject(self, tenant_id: str, subject_id: str) -> int:
        """Erase the raw bodies about an ATS candidate; returns how many."""
        erased = 0
        for key, row in list(self.table.rows()):
            if row.tenant_id == tenant_id and row.subject_id == subject_id and row.body is not None:
                row.body = None
                self.table.put(key, row)
                erased += 1
        return erased


class FakeOutboxRepository:
    """Outbound calls, in memory."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.table: _Table[str, OutboundItem] = _Table(uow.store.outbox)

    async def add(self, item: OutboundItem) -> None:
        """Queue an outbound call."""
        self.table.put(item.id, item)

    async def add_many(self, items: Sequence[OutboundItem]) -> None:
        """Queue several outbound calls, in order."""
        for item in items:
            await self.add(item)


class FakeUnitOfWork:
    """One transaction over a `FakeStore`."""

    def __init__(self, store: FakeStore, factory: FakeUnitOfWorkFactory | None = None) -> None:
        self.store = store
        self.factory = factory
        self.committed = 0
        self.rolled_back = 0
        self.fake_tenants = FakeTenantRepository(self)
        self.fake_tokens = FakeTokenRepository(self)
        self.fake_jobs = FakeJobRepository(self)
        self.fake_introductions = FakeIntroductionRepository(self)
        self.fake_inbox = FakeInboxRepository(self)
        self.fake_outbox = FakeOutboxRepository(self)
        self.tenants: TenantRepository = self.fake_tenants
        self.tokens: TokenRepository = self.fake_tokens
        self.jobs: JobRepository = self.fake_jobs
        self.introductions: IntroductionRepository = self.fake_introductions
        self.inbox: InboxRepository = self.fake_inbox
        self.outbox: OutboxRepository = self.fake_outbox

    def _tables(self) -> list[_Table[object, object]]:
        tables: list[object] = [
            self.fake_tenants.table,
            self.fake_tokens.table,
            self.fake_jobs.table,
            self.fake_introductions.table,
            self.fake_inbox.table,
            self.fake_outbox.table,
        ]
        return tables  # type: ignore[return-value]

    def delete_rows_of(self, tenant_id: str) -> None:
        """Stage the deletion of every row a tenant owns."""
        for token_id, token in list(self.fake_tokens.table.rows()):
            if token.tenant_id == tenant_id:
                self.fake_tokens.table.delete(token_id)
        for key, _ in list(self.fake_jobs.table.rows()):
            if key[0] == tenant_id:
                self.fake_jobs.table.delete(key)
        for key, _ in list(self.fake_introductions.table.rows()):
            if key[0] == tenant_id:
                self.fake_introductions.table.delete(key)
        for inbox_key, delivery in list(self.fake_inbox.table.rows()):
            if delivery.tenant_id == tenant_id:
                self.fake_inbox.table.delete(inbox_key)
        for outbox_key, item in list(self.fake_outbox.table.rows()):
            if item.tenant_id == tenant_id:
                self.fake_outbox.table.delete(outbox_key)

    async def __aenter__(self) -> Self:
        if self.factory is not None and self.factory.unavailable:
            raise StorageUnavailableError("the fake database is down")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed."""
        await self.rollback()

    async def commit(self) -> None:
        """Apply every staged change at once (after the optimistic version check)."""
        if self.factory is not None:
            if self.factory.fail_commits > 0:
                self.factory.fail_commits -= 1
                raise StorageUnavailableError("commit failed")
            for hook in list(self.factory.before_commit):
                hook(self)
        self.fake_introductions.check_versions()
        for table in self._tables():
            table.apply()
        self.fake_introductions.base_versions.clear()
        self.committed += 1
        if self.factory is not None:
            self.factory.commits += 1

    async def rollback(self) -> None:
        """Drop every staged change."""
        if any(t.staged or t.deleted for t in self._tables()):
            self.rolled_back += 1
        for table in self._tables():
            table.clear()
        self.fake_introductions.base_versions.clear()


class FakeUnitOfWorkFactory:
    """Makes units of work over one shared store; counts commits across them."""

    def __init__(self, store: FakeStore | None = None) -> None:
        self.store = store if store is not None else FakeStore()
        self.created: list[FakeUnitOfWork] = []
        self.commits = 0
        self.unavailable = False
        self.fail_commits = 0
        self.before_commit: list[Callable[[FakeUnitOfWork], None]] = []

    def __call__(self) -> FakeUnitOfWork:
        uow = FakeUnitOfWork(self.store, self)
        self.created.append(uow)
        return uow

    @property
    def committed(self) -> int:
        """How many units of work committed."""
        return self.commits
