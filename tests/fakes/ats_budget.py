"""An in-memory `AtsBudget`: the shared allowance's rules on rows kept in a dict, for simulations on
a fake clock (every "process" given the same object shares its rows, as they would share the table)."""

from __future__ import annotations

from datetime import datetime

from intrro_gateway.adapters import ats_allowance as rules
from intrro_gateway.adapters.ats_allowance import Allowance
from intrro_gateway.ports.ats_budget import Observation


class InMemoryAtsBudget:
    """One `Allowance` per key."""

    def __init__(self) -> None:
        self.rows: dict[str, Allowance] = {}

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
        """As `SqlAtsBudget.take`."""
        allowance = self.rows.setdefault(key, Allowance())
        return rules.take(
            allowance, want=want, priority=priority, reserve=reserve, now=now, observed=observed
        )

    async def block(self, key: str, *, until: datetime) -> None:
        """As `SqlAtsBudget.block`."""
        rules.block(self.rows.setdefault(key, Allowance()), until=until)
