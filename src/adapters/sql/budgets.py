"""The shared ATS rate allowance and access tokens in SQL (`ports.ats_budget`).

Each `take` is one short transaction on the key's row (locked `FOR UPDATE` on PostgreSQL; SQLite has
one writer at a time) that applies the allowance's rules (`adapters/ats_allowance.py`): it first takes
what the caller's last answer said, then hands out a few calls at once, so the processes of a
deployment together never spend more than the window, at one transaction per few calls.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from intrro_gateway.adapters import ats_allowance as rules
from intrro_gateway.adapters.ats_allowance import Allowance
from intrro_gateway.adapters.sql._db import is_postgres, translated, upsert_insert
from intrro_gateway.adapters.sql._writer_gate import turn
from intrro_gateway.adapters.sql.secrets import SecretCipher
from intrro_gateway.adapters.sql.tables import AtsBudgetRow, AtsTokenRow, table
from intrro_gateway.ports.ats_budget import AtsBudget, AtsTokenStore, Observation
from intrro_gateway.ports.unit_of_work import StoredSecretError

__all__ = ["SqlAtsBudget", "SqlAtsTokenStore"]

_BUDGETS, _TOKENS = table(AtsBudgetRow), table(AtsTokenRow)

_FIELDS = tuple(f.name for f in fields(Allowance))
_KIND = "ats_token"  # each stored token is sealed bound to its key and this kind


class SqlAtsBudget(AtsBudget):
    """Allowances as rows; every process's calls are counted against the same row."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def take(
        self,
        key: str,
        *,
        want: int,
        priority: bool,
        reserve: float,
        now: datetime,
        observed: Observation | None = None,
    ) -> tuple[int, datetime | None, float]:
        """Spend up to `want` calls if the window has them; else the seconds to wait."""
        async with turn(self._engine), translated(), self._engine.begin() as conn:
            row = await _locked_row(conn, key)
            allowance = Allowance(**{name: row[name] for name in _FIELDS})
            result = rules.take(
                allowance, want=want, priority=priority, reserve=reserve, now=now, observed=observed
            )
            await _save(conn, key, row, allowance)
        return result

    async def block(self, key: str, *, until: datetime) -> None:
        """Hold every call until `until`; the allowance is spent until then."""
        async with turn(self._engine), translated(), self._engine.begin() as conn:
            row = await _locked_row(conn, key)
            allowance = Allowance(**{name: row[name] for name in _FIELDS})
            rules.block(allowance, until=until)
            await _save(conn, key, row, allowance)


async def _save(conn: AsyncConnection, key: str, row: Any, allowance: Allowance) -> None:
    changes = {
        name: getattr(allowance, name) for name in _FIELDS if getattr(allowance, name) != row[name]
    }
    if changes:
        await conn.execute(update(_BUDGETS).where(_BUDGETS.c.key == key).values(**changes))


async def _locked_row(conn: AsyncConnection, key: str) -> Any:
    query = select(_BUDGETS).where(_BUDGETS.c.key == key)
    if is_postgres(conn):
        query = query.with_for_update()
    row = (await conn.execute(query)).mappings().first()
    if row is not None:
        return row
    await conn.execute(
        upsert_insert(conn, _BUDGETS)
        .values(key=key)
        .on_conflict_do_nothing(index_elements=[_BUDGETS.c.key])
    )
    return (await conn.execute(query)).mappings().one()


class SqlAtsTokenStore(AtsTokenStore):
    """Tokens as rows, their values sealed (bound to their key) with the deployment's secret keys."""

    def __init__(self, engine: AsyncEngine, cipher: SecretCipher) -> None:
        self._engine = engine
        self._cipher = cipher

    async def load(self, key: str, *, now: datetime) -> tuple[str, datetime] | None:
        """The stored token, unless missing, expired or sealed under a key no longer configured."""
        async with translated(), self._engine.connect() as conn:
            row = (
                (await conn.execute(select(_TOKENS).where(_TOKENS.c.key == key))).mappings().first()
            )
        if row is None or row["expires_at"] <= now:
            return None
        try:
            return self._cipher.open(row["value"], tenant_id=key, kind=_KIND), row["expires_at"]
        except StoredSecretError:
            return None

    async def save(self, key: str, value: str, expires_at: datetime) -> None:
        """Store the token (replacing any other)."""
        sealed = self._cipher.seal(value, tenant_id=key, kind=_KIND)
        async with turn(self._engine), translated(), self._engine.begin() as conn:
            insert = upsert_insert(conn, _TOKENS).values(
                key=key, value=sealed, expires_at=expires_at
            )
            await conn.execute(
                insert.on_conflict_do_update(
                    index_elements=[_TOKENS.c.key],
                    set_={"value": sealed, "expires_at": expires_at},
                )
            )

    async def discard(self, key: str, value: str) -> None:
        """Forget the stored token if it is this one (or cannot be read any more)."""
        async with turn(self._engine), translated(), self._engine.begin() as conn:
            sealed = await conn.scalar(select(_TOKENS.c.value).where(_TOKENS.c.key == key))
            if sealed is None:
                return
            try:
                same = self._cipher.open(sealed, tenant_id=key, kind=_KIND) == value
            except StoredSecretError:
                same = True
            if same:
                await conn.execute(delete(_TOKENS).where(_TOKENS.c.key == key))
