"""Every stored secret bound to its tenant and kind: existing rows re-encrypted.

A secret written before this revision is a Fernet token of the bare secret; after it, a Fernet token of
`{"v": 1, "t": tenant, "k": kind, "s": secret}` (see `adapters.sql.secrets`), checked when read. The
keys come from GATEWAY_SECRET_KEYS through `adapters.sql.migrate` (needed only when secrets are stored).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import context, op

from intrro_gateway.adapters.sql.secrets import SECRET_KINDS, SecretCipher

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None

_COLUMNS = tuple(SECRET_KINDS)
_TENANTS = sa.table(
    "tenants", sa.column("id", sa.String()), *(sa.column(c, sa.String()) for c in _COLUMNS)
)


def _each_secret(change: Callable[[SecretCipher, str, str, str], str]) -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(_TENANTS)).mappings().all()
    if not any(row[column] is not None for row in rows for column in _COLUMNS):
        return
    keys = context.config.attributes.get("secret_keys") or []
    if not keys:
        raise RuntimeError(
            "this migration re-encrypts the stored secrets: run it with GATEWAY_SECRET_KEYS set "
            "(intrro-gateway migrate)"
        )
    cipher = SecretCipher(keys)
    for row in rows:
        values = {
            column: change(cipher, row[column], row["id"], SECRET_KINDS[column])
            for column in _COLUMNS
            if row[column] is not None
        }
        if values:
            conn.execute(sa.update(_TENANTS).where(_TENANTS.c.id == row["id"]).values(values))


def upgrade() -> None:
    """Apply this revision."""
    _each_secret(
        lambda cipher, token, tenant, kind: cipher.seal(
            cipher.decrypt(token), tenant_id=tenant, kind=kind
        )
    )


def downgrade() -> None:
    """Undo this revision."""
    _each_secret(
        lambda cipher, token, tenant, kind: cipher.encrypt(
            cipher.open(token, tenant_id=tenant, kind=kind)
        )
    )
