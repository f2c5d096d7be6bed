"""In-memory work queue and locks implementing `ports.work_queue`, with the real queue's rules.

The queue works on the same dicts the fake unit of work stores inbox and outbox items in (pass them in),
so what a handler queues is what the worker claims. It honours leases, hands out one item per ordering key
in order (a dead item no longer holds back the next), counts attempts when an item is claimed, gives the
attempt back on deferral, and replays a dead item once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from intrro_gateway.ports.unit_of_work import (
    InboundDelivery,
    InboxState,
    OutboundItem,
    OutboxState,
    Page,
)
from intrro_gateway.ports.work_queue import DeliveryRecord

_SETTLED_IN = frozenset({InboxState.PROCESSED, InboxState.IGNORED, InboxState.DEAD})
_SETTLED_OUT = frozenset({OutboxState.DONE, OutboxState.DEAD})


@dataclass
class FakeWorkQueue:
    """A work queue over in-memory inbox and outbox dicts, keyed by item id."""

    inbox: dict[str, InboundDelivery] = field(default_factory=dict)
    outbox: dict[str, OutboundItem] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)  # item id -> worker holding its lease
    settled_by_stranger: list[str] = field(default_factory=list)  # settlements without the lease
    purged: list[str] = field(default_factory=list)

    # -- claiming ------------------------------------------------------------------------------

    async def claim_inbox(
        self, *, worker_id: str, now: datetime, lease: timedelta, limit: int
    ) -> list[InboundDelivery]:
        """Lease received deliveries that are due, the oldest first, one per ordering key."""
        heads: dict[str, InboundDelivery] = {}
        free: list[InboundDelivery] = []
        for item in sorted(self.inbox.values(), key=lambda d: d.received_at):
            if item.state in _SETTLED_IN:
                continue
            if item.ordering_key is None:
                free.append(item)
            else:
                heads.setdefault(item.ordering_key, item)
        candidates = sorted([*heads.values(), *free], key=lambda d: d.received_at)
        claimed: list[InboundDelivery] = []
        for item in candidates:
            if len(claimed) >= limit:
                break
            if not _due(item.not_before, now) or _leased(item.lease_expires_at, now):
                continue
            item.attempts += 1
            item.lease_expires_at = now + lease
            self.owners[item.id] = worker_id
            claimed.append(replace(item))
        return claimed

    async def claim_outbox(
        self, *, worker_id: str, now: datetime, lease: timedelta, limit: int
    ) -> list[OutboundItem]:
        """Lease pending outbound items that are due, the lowest sequence of each key first."""
        heads: dict[str, OutboundItem] = {}
        for item in sorted(self.outbox.values(), key=lambda o: (o.sequence, o.created_at)):
            if item.state not in _SETTLED_OUT:
                heads.setdefault(item.ordering_key, item)
        claimed: list[OutboundItem] = []
        for item in sorted(heads.values(), key=lambda o: o.created_at):
            if len(claimed) >= limit:
                break
            if not _due(item.not_before, now) or _leased(item.lease_expires_at, now):
                continue
            item.state = OutboxState.LEASED
            item.attempts += 1
            item.lease_expires_at = now + lease
            self.owners[item.id] = worker_id
            claimed.append(replace(item))
        return claimed

    # -- settling the inbox --------------------------------------------------------------------

    async def retry_inbox(
        self, item_id: str, *, worker_id: str, not_before: datetime, error: str
    ) -> None:
        """Give a delivery back to be tried again after `not_before`."""
        item = self._held_in(item_id, worker_id)
        if item is not None:
            item.not_before = not_before
            item.last_error = error

    async def defer_inbox(self, item_id: str, *, worker_id: str, not_before: datetime) -> None:
        """Give a delivery back untried, without spending an attempt."""
        item = self._held_in(item_id, worker_id)
        if item is not None:
            item.not_before = not_before
            item.attempts = max(item.attempts - 1, 0)

    async def park_inbox(self, item_id: str, *, worker_id: str, error: str, now: datetime) -> None:
        """Mark a delivery dead."""
        item = self._held_in(item_id, worker_id)
        if item is not None:
            item.state = InboxState.DEAD
            item.last_error = error
            item.processed_at = now

    # -- settling the outbox -------------------------------------------------------------------

    async def complete_outbox(self, item_id: str, *, worker_id: str, now: datetime) -> None:
        """Mark an outbound item done."""
        item = self._held_out(item_id, worker_id)
        if item is not None:
            item.state = OutboxState.DONE
            item.done_at = now

    async def complete_outbox_many(
        self, item_ids: Sequence[str], *, worker_id: str, now: datetime
    ) -> None:
        """Mark several outbound items done at once."""
        for item_id in item_ids:
            await self.complete_outbox(item_id, worker_id=worker_id, now=now)

    async def retry_outbox(
        self, item_id: str, *, worker_id: str, not_before: datetime, error: str
    ) -> None:
        """Give an outbound item back to be tried again after `not_before`."""
        item = self._held_out(item_id, worker_id)
        if item is not None:
            item.state = OutboxState.PENDING
            item.not_before = not_before
            item.last_error = error

    async def park_outbox(self, item_id: str, *, worker_id: str, error: str, now: datetime) -> None:
        """Mark an outbound item dead."""
        item = self._held_out(item_id, worker_id)
        if item is not None:
            item.state = OutboxState.DEAD
            item.last_error = error
            item.done_at = now

    # -- operations ----------------------------------------------------------------------------

    async def release_inbox(self, item_ids: Sequence[str], *, worker_id: str) -> int:
        """Give these deliveries back untried, their attempt refunded; returns how many."""
        released = 0
        for item_id in item_ids:
            item = self._held_in(item_id, worker_id)
            if item is not None:
                item.attempts = max(item.attempts - 1, 0)
                released += 1
        return released

    async def release(self, worker_id: str) -> int:
        """Give back every lease this worker holds; returns how many."""
        released = 0
        for item_id in [i for i, owner in self.owners.items() if owner == worker_id]:
            del self.owners[item_id]
            if (inbound := self.inbox.get(item_id)) is not None:
                if inbound.state not in _SETTLED_IN and inbound.lease_expires_at is not None:
                    inbound.lease_expires_at = None
                    released += 1
            elif (outbound := self.outbox.get(item_id)) is not None:
                if outbound.state is OutboxState.LEASED:
                    outbound.state = OutboxState.PENDING
                    outbound.lease_expires_at = None
                    released += 1
        return released

    async def replay(self, tenant_id: str, item_id: str, *, now: datetime) -> bool:
        """Move a dead item back to be tried again; false (and no change) when it is not dead."""
        inbound = self.inbox.get(item_id)
        if inbound is not None and inbound.tenant_id == tenant_id:
            if inbound.state is not InboxState.DEAD:
                return False
            inbound.state = InboxState.RECEIVED
            inbound.attempts = 0
            inbound.not_before = now
            inbound.lease_expires_at = None
            inbound.processed_at = None
            return True
        outbound = self.outbox.get(item_id)
        if outbound is not None and outbound.tenant_id == tenant_id:
            if outbound.state is not OutboxState.DEAD:
                return False
            outbound.state = OutboxState.PENDING
            outbound.attempts = 0
            outbound.not_before = now
            outbound.lease_expires_at = None
            outbound.done_at = None
            return True
        return False

    async def deliveries(
        self,
        tenant_id: str,
        *,
        direction: str | None = None,
        state: str | None = None,
        cursor: str | None = None,
        limit: int = 100,
    ) -> Page[DeliveryRecord]:
        """Inbox and outbox items of a tenant, newest first; the cursor is an offset."""
        records = [
            *(_inbound_record(d) for d in self.inbox.values() if d.tenant_id == tenant_id),
            *(_outbound_record(o) for o in self.outbox.values() if o.tenant_id == tenant_id),
        ]
        records = [
            r
            for r in records
            if (direction is None or r.direction == direction)
            and (state is None or r.state == state)
        ]
        records.sort(key=lambda r: (r.created_at, r.id), reverse=True)
        start = int(cursor) if cursor else 0
        page = records[start : start + limit]
        more = start + limit < len(records)
        return Page(items=page, next_cursor=str(start + limit) if more else None)

    async def purge_bodies(self, *, older_than: datetime) -> int:
        """Erase the raw bodies of deliveries settled before `older_than`; returns how many."""
        count = 0
        for item in self.inbox.values():
            settled_at = item.processed_at if item.state in _SETTLED_IN else None
            if settled_at is not None and item.body is not None and settled_at < older_than:
                item.body = None
                self.purged.append(item.id)
                count += 1
        return count

    # -- internals -----------------------------------------------------------------------------

    def _held_in(self, item_id: str, worker_id: str) -> InboundDelivery | None:
        item = self.inbox.get(item_id)
        if item is None or self.owners.get(item_id) != worker_id:
            self.settled_by_stranger.append(item_id)
            return None
        del self.owners[item_id]
        item.lease_expires_at = None
        return item

    def _held_out(self, item_id: str, worker_id: str) -> OutboundItem | None:
        item = self.outbox.get(item_id)
        if item is None or self.owners.get(item_id) != worker_id:
            self.settled_by_stranger.append(item_id)
            return None
        del self.owners[item_id]
        item.lease_expires_at = None
        return item


@dataclass
class FakeLocks:
    """Named leases in memory: (owner, expiry) per key."""

    held: dict[str, tuple[str, datetime]] = field(default_factory=dict)

    async def acquire(self, key: str, *, owner: str, ttl: timedelta, now: datetime) -> bool:
        """Take the lock if free, expired or already ours; returns whether this owner holds it now."""
        current = self.held.get(key)
        if current is not None and current[0] != owner and current[1] > now:
            return False
        self.held[key] = (owner, now + ttl)
        return True

    async def release(self, key: str, *, owner: str) -> None:
        """Give the lock back if this owner holds it."""
        current = self.held.get(key)
        if current is not None and current[0] == owner:
            del self.held[key]


def _due(not_before: datetime | None, now: datetime) -> bool:
    return not_before is None or not_before <= now


def _leased(lease_expires_at: datetime | None, now: datetime) -> bool:
    return lease_expires_at is not None and lease_expires_at > now


def _inbound_record(item: InboundDelivery) -> DeliveryRecord:
    return DeliveryRecord(
        id=item.id,
        tenant_id=item.tenant_id,
        direction="in",
        kind=item.kind,
        state=str(item.state),
        attempts=item.attempts,
        last_error=item.last_error,
        created_at=item.received_at,
        not_before=item.not_before,
        subject=item.ordering_key,
        settled_at=item.processed_at,
    )


def _outbound_record(item: OutboundItem) -> DeliveryRecord:
    return DeliveryRecord(
        id=item.id,
        tenant_id=item.tenant_id,
        direction="out",
        kind=item.kind,
        state=str(item.state),
        attempts=item.attempts,
        last_error=item.last_error,
        created_at=item.created_at,
        not_before=item.not_before,
        subject=item.ordering_key,
        settled_at=item.done_at,
    )
