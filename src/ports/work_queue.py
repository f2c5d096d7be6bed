"""The work queue port: claiming inbox and outbox items under a lease, and settling them.

Each call is its own short transaction. Attempts are counted when an item is claimed, so an item that
crashes its worker still reaches `dead` after the budget. Items of one ordering key are handed out one at
a time, in order (outbox: by sequence; inbox: by arrival); a dead item no longer holds back the next.

Errors: the persistence errors of `ports.unit_of_work` (StorageUnavailableError).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from intrro_gateway.ports.unit_of_work import InboundDelivery, OutboundItem, Page


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """An inbox or outbox item as operators inspect it (one id space for both)."""

    id: str
    tenant_id: str
    direction: str  # "in" | "out"
    kind: str
    state: str
    attempts: int
    last_error: str | None
    created_at: datetime
    not_before: datetime | None
    # The ordering key (an outbound event's introduction id, `jobs:<tenant>` for job changes; an
    # inbound delivery's application or candidate), and when the item was settled (done, processed,
    # ignored or parked dead).
    subject: str | None = None
    settled_at: datetime | None = None


class WorkQueue(Protocol):
    """Hands out inbox and outbox items to workers, one lease at a time."""

    async def claim_inbox(
        self, *, worker_id: str, now: datetime, lease: timedelta, limit: int
    ) -> Sequence[InboundDelivery]:
        """Lease received deliveries that are due, the oldest first, one per ordering key."""
        ...

    async def claim_outbox(
        self, *, worker_id: str, now: datetime, lease: timedelta, limit: int
    ) -> Sequence[OutboundItem]:
        """Lease pending outbound items that are due, the lowest sequence of each key first."""
        ...

    async def retry_inbox(
        self, item_id: str, *, worker_id: str, not_before: datetime, error: str
    ) -> None:
        """Give a delivery back to be tried again after `not_before`."""
        ...

    async def defer_inbox(self, item_id: str, *, worker_id: str, not_before: datetime) -> None:
        """Give a delivery back untried (waiting on something else), without spending an attempt."""
        ...

    async def park_inbox(self, item_id: str, *, worker_id: str, error: str, now: datetime) -> None:
        """Mark a delivery dead."""
        ...

    async def complete_outbox(self, item_id: str, *, worker_id: str, now: datetime) -> None:
        """Mark an outbound item done."""
        ...

    async def complete_outbox_many(
        self, item_ids: Sequence[str], *, worker_id: str, now: datetime
    ) -> None:
        """Mark several outbound items done at once (one transaction)."""
        ...

    async def retry_outbox(
        self, item_id: str, *, worker_id: str, not_before: datetime, error: str
    ) -> None:
        """Give an outbound item back to be tried again after `not_before`."""
        ...

    async def park_outbox(self, item_id: str, *, worker_id: str, error: str, now: datetime) -> None:
        """Mark an outbound item dead."""
        ...

    async def release(self, worker_id: str) -> int:
        """Give back every lease this worker holds (shutdown); returns how many."""
        ...

    async def release_inbox(self, item_ids: Sequence[str], *, worker_id: str) -> int:
        """Give these deliveries back untried (their attempt refunded), to be claimed again at once;
        returns how many this worker still held."""
        ...

    async def replay(self, tenant_id: str, item_id: str, *, now: datetime) -> bool:
        """Move a dead item back to be tried again; false (and no change) when it is not dead."""
        ...

    async def deliveries(
        self,
        tenant_id: str,
        *,
        direction: str | None = None,
        state: str | None = None,
        cursor: str | None = None,
        limit: int = 100,
    ) -> Page[DeliveryRecord]:
        """Inbox and outbox items of a tenant, newest first."""
        ...

    async def purge_bodies(self, *, older_than: datetime) -> int:
        """Erase the raw bodies of deliveries settled before `older_than`; returns how many."""
        ...


class Locks(Protocol):
    """Named leases that serialise work across processes (candidate creation per tenant, say)."""

    async def acquire(self, key: str, *, owner: str, ttl: timedelta, now: datetime) -> bool:
        """Take the lock if free or expired; returns whether this owner holds it now."""
        ...

    async def release(self, key: str, *, owner: str) -> None:
        """Give the lock back if this owner holds it."""
        ...
