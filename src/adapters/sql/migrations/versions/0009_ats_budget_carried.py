"""The shared ATS allowance counts calls let go near a window's reset against the next window too.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("ats_budgets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("carried", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("ats_budgets", schema=None) as batch_op:
        batch_op.drop_column("carried")
