"""The API token repository: token digests, names and scopes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from intrro_gateway.adapters.sql._db import translated
from intrro_gateway.adapters.sql.tables import ApiTokenRow, table
from intrro_gateway.domain.access import ApiToken
from intrro_gateway.ports.unit_of_work import TokenRepository

__all__ = ["SqlTokenRepository"]

_TOKENS = table(ApiTokenRow)


class SqlTokenRepository(TokenRepository):
    """API tokens in SQL."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, token: ApiToken) -> None:
        """Store a new token."""
        async with translated():
            await self._conn.execute(
                _TOKENS.insert().values(
                    id=token.id,
                    name=token.name,
                    digest=token.digest,
                    tenant_id=token.tenant_id,
                    created_at=token.created_at,
                    revoked_at=token.revoked_at,
                )
            )

    async def by_digest(self, digest: str) -> ApiToken | None:
        """The token whose value has this digest, or None."""
        async with translated():
            result = await self._conn.execute(select(_TOKENS).where(_TOKENS.c.digest == digest))
            row = result.mappings().first()
        return None if row is None else _to_domain(row)

    async def list(self) -> Sequence[ApiToken]:
        """Every token, oldest first."""
        async with translated():
            result = await self._conn.execute(
                select(_TOKENS).order_by(_TOKENS.c.created_at, _TOKENS.c.id)
            )
            rows = result.mappings().all()
        return [_to_domain(row) for row in rows]

    async def revoke(self, token_id: str, at: datetime) -> bool:
        """Mark an active token revoked; returns whether there was one."""
        async with translated():
            result = await self._conn.execute(
                update(_TOKENS)
                .where(_TOKENS.c.id == token_id, _TOKENS.c.revoked_at.is_(None))
                .values(revoked_at=at)
            )
        return bool(result.rowcount)


def _to_domain(row: RowMapping) -> ApiToken:
    return ApiToken(
        id=row["id"],
        name=row["name"],
        digest=row["digest"],
        tenant_id=row["tenant_id"],
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
    )
