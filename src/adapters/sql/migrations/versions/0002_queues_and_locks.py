"""The inbox, the outbox and the locks.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

_TEXT = sa.String()
_TENANT = sa.String(length=63)
_ID = sa.String(length=32)
_AT = sa.DateTime(timezone=True)
_SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "inbox",
        sa.Column("seq", _SERIAL, nullable=False),
        sa.Column("id", _ID, nullable=False),
        sa.Column("tenant_id", _TENANT, nullable=False),
        sa.Column("source", _TEXT, nullable=False),
        sa.Column("delivery_id", _TEXT, nullable=False),
        sa.Column("body_hash", _TEXT, nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("kind", _TEXT, nullable=False),
        sa.Column("received_at", _AT, nullable=False),
        sa.Column("ordering_key", _TEXT, nullable=True),
        sa.Column("state", _TEXT, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", _AT, nullable=True),
        sa.Column("lease_owner", _TEXT, nullable=True),
        sa.Column("lease_expires_at", _AT, nullable=True),
        sa.Column("last_error", _TEXT, nullable=True),
        sa.Column("processed_at", _AT, nullable=True),
        sa.Column("subject_id", _TEXT, nullable=True),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("id"),
        sa.UniqueConstraint("tenant_id", "source", "delivery_id", name="uq_inbox_delivery"),
    )
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inbox_claim", ["state", "tenant_id", "ordering_key", "seq"], unique=False
        )
        batch_op.create_index("ix_inbox_listing", ["tenant_id", "received_at"], unique=False)
        batch_op.create_index("ix_inbox_subject", ["tenant_id", "subject_id"], unique=False)

    op.create_table(
        "locks",
        sa.Column("key", _TEXT, nullable=False),
        sa.Column("owner", _TEXT, nullable=False),
        sa.Column("expires_at", _AT, nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )

    op.create_table(
        "outbox",
        sa.Column("seq", _SERIAL, nullable=False),
        sa.Column("id", _ID, nullable=False),
        sa.Column("tenant_id", _TENANT, nullable=False),
        sa.Column("target", _TEXT, nullable=False),
        sa.Column("kind", _TEXT, nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("idempotency_key", _TEXT, nullable=False),
        sa.Column("ordering_key", _TEXT, nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("state", _TEXT, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", _AT, nullable=True),
        sa.Column("lease_owner", _TEXT, nullable=True),
        sa.Column("lease_expires_at", _AT, nullable=True),
        sa.Column("last_error", _TEXT, nullable=True),
        sa.Column("done_at", _AT, nullable=True),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("id"),
        sa.UniqueConstraint("tenant_id", "idempotency_key", name="uq_outbox_idempotency"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_claim", ["state", "tenant_id", "ordering_key", "sequence"], unique=False
        )
        batch_op.create_index("ix_outbox_listing", ["tenant_id", "created_at"], unique=False)


def downgrade() -> None:
    """Undo this revision (indexes go with their tables)."""
    op.drop_table("outbox")
    op.drop_table("locks")
    op.drop_table("inbox")
