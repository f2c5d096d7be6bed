"""Tenants, jobs, introductions with links and history, the ATS id index.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
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
        "application_links",
        sa.Column("tenant_id", _TENANT, nullable=False),
        sa.Column("introduction_id", _TEXT, nullable=False),
        sa.Column("job_id", _TEXT, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("application_id", _TEXT, nullable=True),
        sa.Column("status", _TEXT, nullable=False),
        sa.Column("stage", sa.JSON(), nullable=True),
        sa.Column("rejection", sa.JSON(), nullable=True),
        sa.Column("last_change_at", _AT, nullable=True),
        sa.Column("closed", _TEXT, nullable=True),
        sa.Column("problem", _TEXT, nullable=True),
        sa.Column("updated_at", _AT, nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "introduction_id", "job_id"),
    )

    op.create_table(
        "ats_index",
        sa.Column("tenant_id", _TENANT, nullable=False),
        sa.Column("kind", _TEXT, nullable=False),
        sa.Column("ats_id", _TEXT, nullable=False),
        sa.Column("introduction_id", _TEXT, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "kind", "ats_id", "introduction_id"),
    )

    op.create_table(
        "introductions",
        sa.Column("tenant_id", _TENANT, nullable=False),
        sa.Column("introduction_id", _TEXT, nullable=False),
        sa.Column("candidate", sa.JSON(), nullable=False),
        sa.Column("referrer", sa.JSON(), nullable=False),
        sa.Column("job_ids", sa.JSON(), nullable=False),
        sa.Column("message", _TEXT, nullable=True),
        sa.Column("accepted_at", _AT, nullable=False),
        sa.Column("ats_candidate_id", _TEXT, nullable=True),
        sa.Column("export_state", _TEXT, nullable=False),
        sa.Column("referral_credit", _TEXT, nullable=False),
        sa.Column("journal_attempted", sa.JSON(), nullable=False),
        sa.Column("journal_done", sa.JSON(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("withdrawn_at", _AT, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "introduction_id"),
    )
    with op.batch_alter_table("introductions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_introductions_export_state"), ["export_state"], unique=False
        )

    op.create_table(
        "job_posts",
        sa.Column("tenant_id", _TENANT, nullable=False),
        sa.Column("job_id", _TEXT, nullable=False),
        sa.Column("post_id", _TEXT, nullable=False),
        sa.Column("title", _TEXT, nullable=False),
        sa.Column("url", _TEXT, nullable=True),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "job_id", "post_id"),
    )

    op.create_table(
        "job_stages",
        sa.Column("tenant_id", _TENANT, nullable=False),
        sa.Column("job_id", _TEXT, nullable=False),
        sa.Column("stage_id", _TEXT, nullable=False),
        sa.Column("name", _TEXT, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "job_id", "stage_id"),
    )

    op.create_table(
        "jobs",
        sa.Column("tenant_id", _TENANT, nullable=False),
        sa.Column("ats_id", _TEXT, nullable=False),
        sa.Column("title", _TEXT, nullable=False),
        sa.Column("status", _TEXT, nullable=False),
        sa.Column("is_template", sa.Boolean(), nullable=False),
        sa.Column("departments", sa.JSON(), nullable=False),
        sa.Column("offices", sa.JSON(), nullable=False),
        sa.Column("updated_at", _AT, nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("mirrored_at", _AT, nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "ats_id"),
    )

    op.create_table(
        "status_history",
        sa.Column("tenant_id", _TENANT, nullable=False),
        sa.Column("introduction_id", _TEXT, nullable=False),
        sa.Column("job_id", _TEXT, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("previous", _TEXT, nullable=False),
        sa.Column("status", _TEXT, nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("at", _AT, nullable=False),
        sa.Column("stage", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "introduction_id", "job_id", "position"),
    )

    op.create_table(
        "tenants",
        sa.Column("id", _TENANT, nullable=False),
        sa.Column("intrro_callback_url", _TEXT, nullable=True),
        sa.Column("intrro_secret", _TEXT, nullable=False),
        sa.Column("intrro_secret_previous", _TEXT, nullable=True),
        sa.Column("intrro_secret_previous_valid_until", _AT, nullable=True),
        sa.Column("webhook_secret", _TEXT, nullable=False),
        sa.Column("webhook_secret_previous", _TEXT, nullable=True),
        sa.Column("webhook_secret_previous_valid_until", _AT, nullable=True),
        sa.Column("stage_mapping", sa.JSON(), nullable=False),
        sa.Column("closed_job_policy", _TEXT, nullable=False),
        sa.Column("ats_name", _TEXT, nullable=True),
        sa.Column("ats_credentials", _TEXT, nullable=True),
        sa.Column("connected_at", _AT, nullable=True),
        sa.Column("connection_report", sa.JSON(), nullable=True),
        sa.Column("connection_ok", sa.Boolean(), nullable=False),
        sa.Column("credential_failing", sa.Boolean(), nullable=False),
        sa.Column("checked_at", _AT, nullable=True),
        sa.Column("source_id", _TEXT, nullable=True),
        sa.Column("referral_field_key", _TEXT, nullable=True),
        sa.Column("jobs_sequence", sa.Integer(), nullable=False),
        sa.Column("jobs_synced_at", _AT, nullable=True),
        sa.Column("last_webhook_at", _AT, nullable=True),
        sa.Column("last_ping_at", _AT, nullable=True),
        sa.Column("reconciled_at", _AT, nullable=True),
        sa.Column("webhooks_silent", sa.Boolean(), nullable=False),
        sa.Column("reconcile_repairs", sa.Integer(), nullable=False),
        sa.Column("created_at", _AT, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    """Undo this revision (indexes go with their tables)."""
    op.drop_table("tenants")
    op.drop_table("status_history")
    op.drop_table("jobs")
    op.drop_table("job_stages")
    op.drop_table("job_posts")
    op.drop_table("introductions")
    op.drop_table("ats_index")
    op.drop_table("application_links")
