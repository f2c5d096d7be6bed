"""Handler withdraw_introduction (being written: the flows task fills it in)."""

from __future__ import annotations

from domain.commands import WithdrawIntroduction
from services.deps import Dependencies


async def withdraw_introduction(cmd: WithdrawIntroduction, deps: Dependencies) -> bool:
    """Handle WithdrawIntroduction."""
    raise NotImplementedError("withdraw_introduction is being written")
