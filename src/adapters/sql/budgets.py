"""The shared ATS rate allowance and access tokens in SQL (`ports.ats_budget`).

Each `take` is one short transaction on the key's row (locked `FOR UPDATE` on PostgreSQL; SQLite has
one writer at a time) that first takes what the caller's last answer said, then hands out a few calls
at once, so the processes of a deployment together never spend more than the window, at one
transaction per few calls.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from intrro_gateway.adapters.sql._db import is_postgres, translated, upsert_insert
from intrro_gateway.adapters.sql._writer_gate import turn
from intrro_gateway.adapters.sql.secrets import SecretCipher
from intrro_gateway.adapters.sql.tables import AtsBudgetRow, AtsTokenRow, table
from intrro_gateway.ports.ats_budget import AtsBudget, AtsTokenStore, Observation
from intrro_gateway.ports.unit_of_work import StoredSecretError

__all__ = ["SqlAtsBudget", "SqlAtsTokenStore"]

_BUDGETS, _TOKENS = table(AtsBudgetRow), table(AtsTokenRow)

YIELD_S = 0.05  # a background call waiting behind a priority call asks again this often
DEFAULT_WINDOW = timedelta(seconds=30)  # when the allowance is spent and no reset was named
PRIORITY_HOLD = timedelta(seconds=1)
_KIND = "ats_token"  # each stored token is sealed bound to its key and this kind  # how long a waiting priority call holds background calls back


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
            changes: dict[str, Any] = {}
            if observed is not None:
                _observe(row, observed, now, changes)
            granted, lapse, wait = _decide(
                {**row, **changes},
                want=want,
                priority=priority,
                reserve=reserve,
                now=now,
                changes=changes,
            )
            if changes:
                await conn.execute(update(_BUDGETS).where(_BUDGETS.c.key == key).values(**changes))
        return granted, lapse, wait

    async def block(self, key: str, *, until: datetime) -> None:
        """Hold every call until `until`; the allowance is spent until then."""
        async with turn(self._engine), translated(), self._engine.begin() as conn:
            row = await _locked_row(conn, key)
            blocked = row["blocked_until"]
            changes: dict[str, Any] = {"remaining": 0, "reset_at": until}
            if blocked is None or until > blocked:
                changes["blocked_until"] = until
            await conn.execute(update(_BUDGETS).where(_BUDGETS.c.key == key).values(**changes))


def _observe(row: Any, seen: Observation, now: datetime, changes: dict[str, Any]) -> None:
    """Take an answer's allowance: a new window as told, the same window only downwards."""
    if seen.limit is not None:
        changes["limit"] = seen.limit
    if seen.remaining is None:
        return
    current: datetime | None = row["reset_at"]
    new_window = (
        row["remaining"] is None
        or current is None
        or current <= now
        or (seen.reset_at is not None and seen.reset_at > current)
    )
    if new_window:
        changes["remaining"] = seen.remaining
        changes["reset_at"] = seen.reset_at or now + DEFAULT_WINDOW
    else:
        changes["remaining"] = min(int(row["remaining"]), seen.remaining)


def _decide(
    row: Any,
    *,
    want: int,
    priority: bool,
    reserve: float,
    now: datetime,
    changes: dict[str, Any],
) -> tuple[int, datetime | None, float]:
    """How many calls may go now and until when, else how long to wait; `changes` gets the row's."""
    blocked: datetime | None = row["blocked_until"]
    if blocked is not None:
        if now < blocked:
            if priority:
                changes["priority_until"] = blocked + PRIORITY_HOLD
            return 0, None, (blocked - now).total_seconds()
        changes["blocked_until"] = None
    remaining: int | None = row["remaining"]
    reset_at: datetime | None = row["reset_at"]
    limit: int | None = row["limit"]
    if reset_at is not None and now >= reset_at:
        remaining, reset_at = limit, None
        changes.update(remaining=remaining, reset_at=None)
    held: datetime | None = row["priority_until"]
    if not priority and held is not None and now < held:
        return 0, None, YIELD_S
    if remaining is None:
        return 1, now + timedelta(seconds=1), 0.0  # nothing observed yet: one call to learn it
    floor = 0 if priority else _reserved(limit, reserve)
    if remaining > floor:
        granted = min(want, remaining - floor)
        changes["remaining"] = remaining - granted
        return granted, reset_at or now + DEFAULT_WINDOW, 0.0
    if reset_at is None:
        reset_at = now + DEFAULT_WINDOW
        changes["reset_at"] = reset_at
    wait: float = max((reset_at - now).total_seconds(), YIELD_S)
    if priority:
        changes["priority_until"] = now + timedelta(seconds=wait) + PRIORITY_HOLD
    return 0, None, wait


def _reserved(limit: int | None, reserve: float) -> int:
    if limit is None or limit <= 1:
        return 0
    return max(1, math.ceil(limit * reserve))


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
