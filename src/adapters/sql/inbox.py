"""The inbox and outbox repositories: writes inside a unit of work."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from intrro_gateway.adapters.sql._db import translated, upsert_insert
from intrro_gateway.adapters.sql._queue_mapping import delivery_of, inbox_values, outbox_values
from intrro_gateway.adapters.sql.tables import InboxRow, OutboxRow, table
from intrro_gateway.ports.unit_of_work import (
    InboundDelivery,
    InboxMark,
    InboxRepository,
    InboxState,
    OutboundItem,
    OutboxRepository,
)

__all__ = ["SqlInboxRepository", "SqlOutboxRepository"]

_INBOX = table(InboxRow)
_OUTBOX = table(OutboxRow)
_SETTLED = (InboxState.PROCESSED, InboxState.IGNORED, InboxState.DEAD)
# Built once (per dialect): a statement built per call costs more CPU than running it.
_MARK = update(_INBOX).where(_INBOX.c.id == bindparam("item_id"))  # SET: the columns given
_OUTBOX_ADD: dict[str, Any] = {}
_INBOX_ADD: dict[str, Any] = {}


def _inbox_add(conn: AsyncConnection) -> Any:
    """INSERT … ON CONFLICT (tenant, source, delivery id) DO NOTHING RETURNING that key."""
    insert = _INBOX_ADD.get(conn.dialect.name)
    if insert is None:
        insert = (
            upsert_insert(conn, _INBOX)
            .on_conflict_do_nothing(
                index_elements=[_INBOX.c.tenant_id, _INBOX.c.source, _INBOX.c.delivery_id]
            )
            .returning(_INBOX.c.tenant_id, _INBOX.c.source, _INBOX.c.delivery_id)
        )
        _INBOX_ADD[conn.dialect.name] = insert
    return insert


class SqlInboxRepository(InboxRepository):
    """Inbound deliveries in SQL, unique on (tenant, source, delivery id)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self.queued = False  # whether this unit stored a delivery (the commit then signals work)

    async def add(self, delivery: InboundDelivery) -> bool:
        """Store a delivery unless one with the same delivery id or body hash is stored (same tenant
        and source); returns whether it was stored.

        The delivery id is unique by constraint; the body hash is checked first, since a sender may
        retry one delivery under a new id (processing is idempotent, so a race here costs nothing).
        """
        same_body = select(_INBOX.c.id).where(
            _INBOX.c.tenant_id == delivery.tenant_id,
            _INBOX.c.source == delivery.source,
            _INBOX.c.body_hash == delivery.body_hash,
        )
        async with translated():
            if (await self._conn.execute(same_body.limit(1))).first() is not None:
                return False
        insert = (
            upsert_insert(self._conn, _INBOX)
            .values(inbox_values(delivery))
            .on_conflict_do_nothing(
                index_elements=[_INBOX.c.tenant_id, _INBOX.c.source, _INBOX.c.delivery_id]
            )
            .returning(_INBOX.c.id)
        )
        async with translated():
            result = await self._conn.execute(insert)
            # RETURNING, not rowcount: an implicit RETURNING of the key muddles rowcount on psycopg.
            stored = result.first() is not None
        self.queued = self.queued or stored
        return stored

    async def body_hash_of(self, tenant_id: str, source: str, delivery_id: str) -> str | None:
        """The body hash of the delivery stored under this delivery id, or None."""
        query = select(_INBOX.c.body_hash).where(
            _INBOX.c.tenant_id == tenant_id,
            _INBOX.c.source == source,
            _INBOX.c.delivery_id == delivery_id,
        )
        async with translated():
            found = (await self._conn.execute(query)).scalar_one_or_none()
        return None if found is None else str(found)

    async def add_many(self, deliveries: Sequence[InboundDelivery]) -> list[bool]:
        """`add` for each delivery, in order, in two statements for them all: one look-up of the body
        hashes already stored, one multi-row INSERT … ON CONFLICT DO NOTHING RETURNING the keys."""
        if not deliveries:
            return []
        wanted = list({(d.tenant_id, d.source, d.body_hash) for d in deliveries})
        async with translated():
            result = await self._conn.execute(
                select(_INBOX.c.tenant_id, _INBOX.c.source, _INBOX.c.body_hash).where(
                    tuple_(_INBOX.c.tenant_id, _INBOX.c.source, _INBOX.c.body_hash).in_(wanted)
                )
            )
            seen = {(r[0], r[1], r[2]) for r in result.all()}
        fresh: dict[tuple[str, str, str], int] = {}  # the first of each key, by position
        for position, d in enumerate(deliveries):
            body = (d.tenant_id, d.source, d.body_hash)
            key = (d.tenant_id, d.source, d.delivery_id)
            if body in seen or key in fresh:
                continue
            seen.add(body)
            fresh[key] = position
        inserted: set[tuple[str, str, str]] = set()
        if fresh:
            rows = [inbox_values(deliveries[p]) for p in fresh.values()]
            async with translated():
                result = await self._conn.execute(_inbox_add(self._conn), rows)
                inserted = {(r[0], r[1], r[2]) for r in result.all()}
        self.queued = self.queued or bool(inserted)
        new = {fresh[key] for key in inserted}
        return [position in new for position in range(len(deliveries))]

    async def get(self, tenant_id: str, item_id: str) -> InboundDelivery | None:
        """One delivery."""
        async with translated():
            result = await self._conn.execute(
                select(_INBOX).where(_INBOX.c.tenant_id == tenant_id, _INBOX.c.id == item_id)
            )
            row = result.mappings().first()
        return None if row is None else delivery_of(row)

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
        values: dict[str, Any] = {
            "state": str(state),
            "last_error": error,
            "lease_owner": None,
            "lease_expires_at": None,
        }
        if state in _SETTLED:
            values["processed_at"] = at
        if subject_id is not None:
            values["subject_id"] = subject_id
        async with translated():
            await self._conn.execute(_MARK, {**values, "item_id": item_id})

    async def mark_many(self, marks: Sequence[InboxMark], *, at: datetime) -> None:
        """`mark` for several deliveries: one statement per set of columns written."""
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for mark in marks:
            values: dict[str, Any] = {
                "item_id": mark.item_id,
                "state": str(mark.state),
                "last_error": None,
                "lease_owner": None,
                "lease_expires_at": None,
            }
            if mark.state in _SETTLED:
                values["processed_at"] = at
            if mark.subject_id is not None:
                values["subject_id"] = mark.subject_id
            groups.setdefault(tuple(values), []).append(values)
        async with translated():
            for params in groups.values():
                await self._conn.execute(_MARK, params if len(params) > 1 else params[0])

    async def erase_subject(self, tenant_id: str, subject_id: str) -> int:
        """Erase the raw bodies about an ATS candidate; returns how many."""
        async with translated():
            result = await self._conn.execute(
                update(_INBOX)
                .where(
                    _INBOX.c.tenant_id == tenant_id,
                    _INBOX.c.subject_id == subject_id,
                    _INBOX.c.body.is_not(None),
                )
                .values(body=None)
            )
        return int(result.rowcount)


class SqlOutboxRepository(OutboxRepository):
    """Outbound calls in SQL; a second item with the same idempotency key is not queued again."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self.queued = False  # whether this unit queued a call (the commit then signals work)

    async def add(self, item: OutboundItem) -> None:
        """Queue an outbound call."""
        await self.add_many([item])

    async def add_many(self, items: Sequence[OutboundItem]) -> None:
        """Queue several outbound calls in one statement, in order."""
        if not items:
            return
        self.queued = True
        insert = _OUTBOX_ADD.get(self._conn.dialect.name)
        if insert is None:
            insert = upsert_insert(self._conn, _OUTBOX).on_conflict_do_nothing(
                index_elements=[_OUTBOX.c.tenant_id, _OUTBOX.c.idempotency_key]
            )
            _OUTBOX_ADD[self._conn.dialect.name] = insert
        rows = [outbox_values(item) for item in items]
        async with translated():
            await self._conn.execute(insert, rows if len(rows) > 1 else rows[0])
