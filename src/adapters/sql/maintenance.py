"""Maintenance over stored data: re-encrypting secrets under the newest key."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from intrro_gateway.adapters.sql._db import translated
from intrro_gateway.adapters.sql._writer_gate import turn
from intrro_gateway.adapters.sql.secrets import SecretCipher
from intrro_gateway.adapters.sql.tables import TenantRow, table

__all__ = ["SECRET_COLUMNS", "rotate_keys"]

_TENANTS = table(TenantRow)

SECRET_COLUMNS = (
    "intrro_secret",
    "intrro_secret_previous",
    "webhook_secret",
    "webhook_secret_previous",
    "ats_credentials",
    "webhook_tokens",
)


async def rotate_keys(engine: AsyncEngine, cipher: SecretCipher) -> int:
    """Re-encrypt every stored secret under the cipher's newest key; returns how many secrets."""
    columns = [_TENANTS.c[name] for name in SECRET_COLUMNS]
    rotated = 0
    async with turn(engine), translated(), engine.begin() as conn:
        rows = (await conn.execute(select(_TENANTS.c.id, *columns))).mappings().all()
        for row in rows:
            values = {
                name: cipher.rotate(row[name]) for name in SECRET_COLUMNS if row[name] is not None
            }
            rotated += len(values)
            await conn.execute(update(_TENANTS).where(_TENANTS.c.id == row["id"]).values(values))
    return rotated
