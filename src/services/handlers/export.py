"""Handler export_introduction (being written: the flows task fills it in)."""

from __future__ import annotations

from domain.commands import ExportIntroduction
from services.deps import Dependencies


async def export_introduction(cmd: ExportIntroduction, deps: Dependencies) -> str:
    """Handle ExportIntroduction."""
    raise NotImplementedError("export_introduction is being written")
