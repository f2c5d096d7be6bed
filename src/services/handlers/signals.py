"""Handler apply_ats_signal (being written: the flows task fills it in)."""

from __future__ import annotations

from domain.commands import ApplyAtsSignal
from services.deps import Dependencies


async def apply_ats_signal(cmd: ApplyAtsSignal, deps: Dependencies) -> str:
    """Handle ApplyAtsSignal."""
    raise NotImplementedError("apply_ats_signal is being written")
