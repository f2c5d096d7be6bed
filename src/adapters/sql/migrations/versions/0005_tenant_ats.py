"""Each tenant names its ATS (existing tenants are Greenhouse's) and may keep web hook signature tokens.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("ats", sa.String(), nullable=False, server_default="greenhouse")
        )
        batch_op.add_column(sa.Column("webhook_tokens", sa.String(), nullable=True))


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.drop_column("webhook_tokens")
        batch_op.drop_column("ats")
