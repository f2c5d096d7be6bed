"""Private helpers: inbox and outbox rows to the port's items and back."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import RowMapping

from intrro_gateway.ports.unit_of_work import InboundDelivery, InboxState, OutboundItem, OutboxState


def inbox_values(delivery: InboundDelivery) -> dict[str, Any]:
    """The inbox row of a delivery."""
    return {
        "id": delivery.id,
        "tenant_id": delivery.tenant_id,
        "source": delivery.source,
        "delivery_id": delivery.delivery_id,
        "body_hash": delivery.body_hash,
        "body": delivery.body,
        "kind": delivery.kind,
        "received_at": delivery.received_at,
        "ordering_key": delivery.ordering_key,
        "state": str(delivery.state),
        "attempts": delivery.attempts,
        "not_before": delivery.not_before,
        "lease_expires_at": delivery.lease_expires_at,
        "last_error": delivery.last_error,
        "processed_at": delivery.processed_at,
        "subject_id": delivery.subject_id,
    }


def delivery_of(row: RowMapping) -> InboundDelivery:
    """A delivery from its inbox row."""
    body = row["body"]
    return InboundDelivery(
        id=row["id"],
        tenant_id=row["tenant_id"],
        source=row["source"],
        delivery_id=row["delivery_id"],
        body_hash=row["body_hash"],
        body=None if body is None else bytes(body),
        kind=row["kind"],
        received_at=row["received_at"],
        ordering_key=row["ordering_key"],
        state=InboxState(row["state"]),
        attempts=row["attempts"],
        not_before=row["not_before"],
        lease_expires_at=row["lease_expires_at"],
        last_error=row["last_error"],
        processed_at=row["processed_at"],
        subject_id=row["subject_id"],
    )


def outbox_values(item: OutboundItem) -> dict[str, Any]:
    """The outbox row of an item."""
    return {
        "id": item.id,
        "tenant_id": item.tenant_id,
        "target": item.target,
        "kind": item.kind,
        "payload": item.payload,
        "idempotency_key": item.idempotency_key,
        "ordering_key": item.ordering_key,
        "sequence": item.sequence,
        "created_at": item.created_at,
        "state": str(item.state),
        "attempts": item.attempts,
        "not_before": item.not_before,
        "lease_expires_at": item.lease_expires_at,
        "last_error": item.last_error,
        "done_at": item.done_at,
    }


def item_of(row: RowMapping) -> OutboundItem:
    """An outbound item from its outbox row."""
    return OutboundItem(
        id=row["id"],
        tenant_id=row["tenant_id"],
        target=row["target"],
        kind=row["kind"],
        payload=dict(row["payload"]),
        idempotency_key=row["idempotency_key"],
        ordering_key=row["ordering_key"],
        sequence=row["sequence"],
        created_at=row["created_at"],
        state=OutboxState(row["state"]),
        attempts=row["attempts"],
        not_before=row["not_before"],
        lease_expires_at=row["lease_expires_at"],
        last_error=row["last_error"],
        done_at=row["done_at"],
    )
