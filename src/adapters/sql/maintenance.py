"""Maintenance over stored data: re-encrypting secrets under the newest key."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from intrro_gateway.adapters.sql._db import translated
from intrro_gateway.adapters.sql._writer_gate import turn
from intrro_gateway.adapters.sql.secrets import SECRET_KINDS, SecretCipher
from intrro_gateway.adapters.sql.tables import TenantRow, table

__all__ = ["SECRET_COLUMNS", "rotate_keys"]

_TENANTS = table(TenantRow)

SECRET_COLUMNS = tuple(SECRET_KINDS)


async def rotate_keys(engine: AsyncEngine, cipher: SecretCipher) -> int:
    """Re-encrypt every stored secret under the cipher's newest key, checking each one's tenant and
    kind on the way (a misbound one stops it, nothing changed); returns how many secrets."""
    columns = [_TENANTS.c[name] for name in SECRET_COLUMNS]
    rotated = 0
    async with turn(engine), translated(), engine.begin() as conn:
        rows = (await conn.execute(select(_TENANTS.c.id, *columns))).mappings().all()
        for row in rows:
            values = {
                name: cipher.reseal(row[name], tenant_id=row["id"], kind=SECRET_KINDS[name])
                for name in SECRET_COLUMNS
                if row[name] is not None
            }
            rotated += len(values)
            await conn.execute(update(_TENANTS).where(_TENANTS.c.id == row["id"]).values(values))
    return rotated
