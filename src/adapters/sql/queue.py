"""The SQL work queue: leases on inbox and outbox items, one per ordering key, in order.

Claiming reads the due heads of each ordering key and leases them with a compare-and-set (two
statements built once), in one short transaction. PostgreSQL skips rows another claimer holds (`FOR
UPDATE SKIP LOCKED`); SQLite serialises writers with `BEGIN IMMEDIATE` (see `adapters.sql.engine`), so
the compare-and-set alone decides there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    Table,
    and_,
    bindparam,
    exists,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from intrro_gateway.adapters.sql._cursor import InvalidCursorError, decode_cursor, encode_cursor
from intrro_gateway.adapters.sql._db import is_postgres, translated
from intrro_gateway.adapters.sql._queue_mapping import delivery_of, item_of
from intrro_gateway.adapters.sql._writer_gate import turn
from intrro_gateway.adapters.sql.notify import notify_work
from intrro_gateway.adapters.sql.tables import InboxRow, OutboxRow, table
from intrro_gateway.ports.unit_of_work import (
    InboundDelivery,
    InboxState,
    OutboundItem,
    OutboxState,
    Page,
)
from intrro_gateway.ports.work_queue import DeliveryRecord, WorkQueue
from intrro_gateway.services.wakeup import Wakeup

__all__ = ["SqlWorkQueue"]

_INBOX = table(InboxRow)
_OUTBOX = table(OutboxRow)
_RECEIVED = str(InboxState.RECEIVED)
_PENDING, _LEASED = str(OutboxState.PENDING), str(OutboxState.LEASED)
_UNLEASED: dict[str, Any] = {"lease_owner": None, "lease_expires_at": None}


_NOW = bindparam("now", type_=_INBOX.c.received_at.type)


def _outbox_due(now: Any) -> ColumnElement[bool]:
    return or_(
        and_(
            _OUTBOX.c.state == _PENDING,
            or_(_OUTBOX.c.not_before.is_(None), _OUTBOX.c.not_before <= now),
        ),
        and_(_OUTBOX.c.state == _LEASED, _OUTBOX.c.lease_expires_at <= now),
    )


def _inbox_due(now: Any) -> ColumnElement[bool]:
    return and_(
        _INBOX.c.state == _RECEIVED,
        or_(_INBOX.c.not_before.is_(None), _INBOX.c.not_before <= now),
        or_(_INBOX.c.lease_expires_at.is_(None), _INBOX.c.lease_expires_at <= now),
    )


def _outbox_heads(now: Any, limit: Any) -> Select[Any]:
    earlier = _OUTBOX.alias("earlier")
    blocked = exists().where(
        earlier.c.tenant_id == _OUTBOX.c.tenant_id,
        earlier.c.ordering_key == _OUTBOX.c.ordering_key,
        earlier.c.state.in_((_PENDING, _LEASED)),
        or_(
            earlier.c.sequence < _OUTBOX.c.sequence,
            and_(earlier.c.sequence == _OUTBOX.c.sequence, earlier.c.seq < _OUTBOX.c.seq),
        ),
    )
    return (
        select(_OUTBOX.c.seq).where(_outbox_due(now), ~blocked).order_by(_OUTBOX.c.seq).limit(limit)
    )


def _inbox_heads(now: Any, limit: Any) -> Select[Any]:
    earlier = _INBOX.alias("earlier")
    blocked = exists().where(
        earlier.c.tenant_id == _INBOX.c.tenant_id,
        earlier.c.ordering_key == _INBOX.c.ordering_key,
        earlier.c.state == _RECEIVED,
        earlier.c.seq < _INBOX.c.seq,
    )
    return select(_INBOX.c.seq).where(_inbox_due(now), ~blocked).order_by(_INBOX.c.seq).limit(limit)


@dataclass(frozen=True, slots=True)
class _Claim:
    """A claim's two statements, built once: the due heads (PostgreSQL skipping the rows another
    claimer holds, `FOR UPDATE SKIP LOCKED`), then the compare-and-set that leases those still due."""

    heads: Select[Any]
    locked_heads: Select[Any]
    lease: Any

    @classmethod
    def of(
        cls, target: Table, heads: Select[Any], due: ColumnElement[bool], values: dict[str, Any]
    ) -> _Claim:
        lease = (
            update(target)
            .where(target.c.seq.in_(bindparam("seqs", expanding=True)), due)
            .values(values)
            .returning(*target.c)
        )
        return cls(heads, heads.with_for_update(skip_locked=True, of=target), lease)


_CLAIM_INBOX = _Claim.of(
    _INBOX,
    _inbox_heads(_NOW, bindparam("limit")),
    _inbox_due(_NOW),
    {
        "lease_owner": bindparam("worker_id"),
        "lease_expires_at": bindparam("expires_at"),
        "attempts": _INBOX.c.attempts + 1,
    },
)
_CLAIM_OUTBOX = _Claim.of(
    _OUTBOX,
    _outbox_heads(_NOW, bindparam("limit")),
    _outbox_due(_NOW),
    {
        "state": _LEASED,
        "lease_owner": bindparam("worker_id"),
        "lease_expires_at": bindparam("expires_at"),
        "attempts": _OUTBOX.c.attempts + 1,
    },
)


class SqlWorkQueue(WorkQueue):
    """Inbox and outbox items handed out under leases; each call is its own short transaction."""

    def __init__(self, engine: AsyncEngine, wakeup: Wakeup | None = None) -> None:
        self._engine = engine
        self._wakeup = wakeup

    async def claim_inbox(
        self, *, worker_id: str, now: datetime, lease: timedelta, limit: int
    ) -> Sequence[InboundDelivery]:
        """Lease received deliveries that are due, the oldest first, one per ordering key."""
        rows = await self._claim(_CLAIM_INBOX, worker_id, now, lease, limit)
        return [delivery_of(r) for r in rows]

    async def claim_outbox(
        self, *, worker_id: str, now: datetime, lease: timedelta, limit: int
    ) -> Sequence[OutboundItem]:
        """Lease pending outbound items that are due, the lowest sequence of each key first."""
        rows = await self._claim(_CLAIM_OUTBOX, worker_id, now, lease, limit)
        return [item_of(r) for r in rows]

    async def retry_inbox(
        self, item_id: str, *, worker_id: str, not_before: datetime, error: str
    ) -> None:
        """Give a delivery back to be tried again after `not_before`."""
        await self._settle(
            _INBOX, item_id, worker_id, {**_UNLEASED, "not_before": not_before, "last_error": error}
        )

    async def defer_inbox(self, item_id: str, *, worker_id: str, not_before: datetime) -> None:
        """Give a delivery back untried (waiting on something else), without spending an attempt."""
        await self._settle(
            _INBOX,
            item_id,
            worker_id,
            {**_UNLEASED, "not_before": not_before, "attempts": _INBOX.c.attempts - 1},
        )

    async def park_inbox(self, item_id: str, *, worker_id: str, error: str, now: datetime) -> None:
        """Mark a delivery dead."""
        await self._settle(
            _INBOX,
            item_id,
            worker_id,
            {**_UNLEASED, "state": str(InboxState.DEAD), "last_error": error, "processed_at": now},
        )

    async def complete_outbox(self, item_id: str, *, worker_id: str, now: datetime) -> None:
        """Mark an outbound item done."""
        await self._settle(
            _OUTBOX,
            item_id,
            worker_id,
            {**_UNLEASED, "state": str(OutboxState.DONE), "done_at": now},
        )

    async def complete_outbox_many(
        self, item_ids: Sequence[str], *, worker_id: str, now: datetime
    ) -> None:
        """Mark several outbound items done at once (one statement, one transaction)."""
        if not item_ids:
            return
        values = {**_UNLEASED, "state": str(OutboxState.DONE), "done_at": now}
        held = and_(_OUTBOX.c.lease_owner == worker_id, _OUTBOX.c.state == _LEASED)
        async with turn(self._engine), translated(), self._engine.begin() as conn:
            await conn.execute(
                update(_OUTBOX).where(_OUTBOX.c.id.in_(list(item_ids)), held).values(values)
            )

    async def retry_outbox(
        self, item_id: str, *, worker_id: str, not_before: datetime, error: str
    ) -> None:
        """Give an outbound item back to be tried again after `not_before`."""
        await self._settle(
            _OUTBOX,
            item_id,
            worker_id,
            {**_UNLEASED, "state": _PENDING, "not_before": not_before, "last_error": error},
        )

    async def park_outbox(self, item_id: str, *, worker_id: str, error: str, now: datetime) -> None:
        """Mark an outbound item dead."""
        await self._settle(
            _OUTBOX,
            item_id,
            worker_id,
            {**_UNLEASED, "state": str(OutboxState.DEAD), "last_error": error, "done_at": now},
        )

    async def release(self, worker_id: str) -> int:
        """Give back every lease this worker holds (shutdown), with its attempt; returns how many."""
        async with turn(self._engine), translated(), self._engine.begin() as conn:
            outs = await conn.execute(
                update(_OUTBOX)
                .where(_OUTBOX.c.state == _LEASED, _OUTBOX.c.lease_owner == worker_id)
                .values(**_UNLEASED, state=_PENDING, attempts=_OUTBOX.c.attempts - 1)
            )
            ins = await conn.execute(
                update(_INBOX)
                .where(_INBOX.c.state == _RECEIVED, _INBOX.c.lease_owner == worker_id)
                .values(**_UNLEASED, attempts=_INBOX.c.attempts - 1)
            )
            released = int(outs.rowcount) + int(ins.rowcount)
            if released:
                await notify_work(conn)  # other workers may take them now
        if released:
            self._ring()
        return released

    async def release_inbox(self, item_ids: Sequence[str], *, worker_id: str) -> int:
        """Give these deliveries back untried, their attempt refunded; returns how many."""
        if not item_ids:
            return 0
        async with turn(self._engine), translated(), self._engine.begin() as conn:
            result = await conn.execute(
                update(_INBOX)
                .where(
                    _INBOX.c.id.in_(list(item_ids)),
                    _INBOX.c.state == _RECEIVED,
                    _INBOX.c.lease_owner == worker_id,
                )
                .values(**_UNLEASED, attempts=_INBOX.c.attempts - 1)
            )
            released = int(result.rowcount)
            if released:
                await notify_work(conn)  # other workers may take them now
        if released:
            self._ring()
        return released

    async def replay(self, tenant_id: str, item_id: str, *, now: datetime) -> bool:
        """Move a dead item back to be tried again; false (and no change) when it is not dead."""
        fresh = {**_UNLEASED, "attempts": 0, "not_before": now}
        async with turn(self._engine), translated(), self._engine.begin() as conn:
            outs = await conn.execute(
                update(_OUTBOX)
                .where(
                    _OUTBOX.c.tenant_id == tenant_id,
                    _OUTBOX.c.id == item_id,
                    _OUTBOX.c.state == str(OutboxState.DEAD),
                )
                .values(**fresh, state=_PENDING, done_at=None)
            )
            replayed = bool(outs.rowcount)
            if not replayed:
                replayed = await self._replay_inbox(conn, tenant_id, item_id, fresh)
            if replayed:
                await notify_work(conn)
        if replayed:
            self._ring()
        return replayed

    async def _replay_inbox(
        self, conn: AsyncConnection, tenant_id: str, item_id: str, fresh: dict[str, Any]
    ) -> bool:
        ins = await conn.execute(
            update(_INBOX)
            .where(
                _INBOX.c.tenant_id == tenant_id,
                _INBOX.c.id == item_id,
                _INBOX.c.state == str(InboxState.DEAD),
            )
            .values(**fresh, state=_RECEIVED, processed_at=None)
        )
        return bool(ins.rowcount)

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
        after: tuple[datetime, str] | None = None
        if cursor is not None:
            at, last_id = decode_cursor(cursor, 2)
            try:
                after = (datetime.fromisoformat(str(at)), str(last_id))
            except ValueError as exc:
                raise InvalidCursorError("malformed cursor") from exc
            if after[0].tzinfo is None:
                raise InvalidCursorError("malformed cursor")
        parts = []
        if direction in (None, "in"):
            parts.append(
                _listing(
                    _INBOX,
                    "in",
                    _INBOX.c.received_at,
                    _INBOX.c.processed_at,
                    tenant_id,
                    state,
                    after,
                )
            )
        if direction in (None, "out"):
            parts.append(
                _listing(
                    _OUTBOX, "out", _OUTBOX.c.created_at, _OUTBOX.c.done_at, tenant_id, state, after
                )
            )
        if not parts:
            return Page(items=[])
        listing = union_all(*parts).subquery()
        query = (
            select(listing)
            .order_by(listing.c.created_at.desc(), listing.c.id.desc())
            .limit(limit + 1)
        )
        async with turn(self._engine), translated(), self._engine.connect() as conn:
            rows = list((await conn.execute(query)).mappings())
        records = [
            DeliveryRecord(
                id=r["id"],
                tenant_id=r["tenant_id"],
                direction=r["direction"],
                kind=r["kind"],
                state=r["state"],
                attempts=r["attempts"],
                last_error=r["last_error"],
                created_at=r["created_at"],
                not_before=r["not_before"],
                subject=r["ordering_key"],
                settled_at=r["settled_at"],
            )
            for r in rows[:limit]
        ]
        next_cursor = None
        if len(rows) > limit:
            last = records[-1]
            next_cursor = encode_cursor(last.created_at.isoformat(), last.id)
        return Page(items=records, next_cursor=next_cursor)

    async def purge_bodies(self, *, older_than: datetime) -> int:
        """Erase the raw bodies of deliveries settled before `older_than`; returns how many.

        Dead deliveries keep theirs until replayed or erased, since a replay needs the body.
        """
        async with turn(self._engine), translated(), self._engine.begin() as conn:
            result = await conn.execute(
                update(_INBOX)
                .where(
                    _INBOX.c.state.in_((str(InboxState.PROCESSED), str(InboxState.IGNORED))),
                    _INBOX.c.processed_at < older_than,
                    _INBOX.c.body.is_not(None),
                )
                .values(body=None)
            )
        return int(result.rowcount)

    # -- internals -----------------------------------------------------------------------------

    def _ring(self) -> None:
        if self._wakeup is not None:
            self._wakeup.ready()

    async def _claim(
        self, claim: _Claim, worker_id: str, now: datetime, lease: timedelta, limit: int
    ) -> list[Any]:
        async with turn(self._engine), translated(), self._engine.begin() as conn:
            heads = claim.locked_heads if is_postgres(conn) else claim.heads
            seqs = list((await conn.execute(heads, {"now": now, "limit": limit})).scalars())
            if not seqs:
                return []
            # The compare-and-set: only rows still due are leased, whatever the read saw.
            result = await conn.execute(
                claim.lease,
                {"seqs": seqs, "now": now, "worker_id": worker_id, "expires_at": now + lease},
            )
            rows = list(result.mappings())
        return sorted(rows, key=lambda r: r["seq"])

    async def _settle(
        self, target: Table, item_id: str, worker_id: str, values: dict[str, Any]
    ) -> None:
        held = target.c.lease_owner == worker_id
        if target is _OUTBOX:
            held = and_(held, target.c.state == _LEASED)
        else:
            held = and_(held, target.c.state == _RECEIVED)
        async with turn(self._engine), translated(), self._engine.begin() as conn:
            await conn.execute(update(target).where(target.c.id == item_id, held).values(values))


def _listing(
    source: Table,
    direction: str,
    created: Any,
    settled: Any,
    tenant_id: str,
    state: str | None,
    after: tuple[datetime, str] | None,
) -> Select[Any]:
    query = select(
        source.c.id,
        source.c.tenant_id,
        literal(direction, String()).label("direction"),
        source.c.kind,
        source.c.state,
        source.c.attempts,
        source.c.last_error,
        created.label("created_at"),
        source.c.not_before,
        source.c.ordering_key,
        settled.label("settled_at"),
    ).where(source.c.tenant_id == tenant_id)
    if state is not None:
        query = query.where(source.c.state == state)
    if after is not None:
        at, last_id = after
        query = query.where(or_(created < at, and_(created == at, source.c.id < last_id)))
    return query
