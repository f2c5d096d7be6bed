"""Handler update_candidate (being written: the flows task fills it in)."""

from __future__ import annotations

from domain.commands import UpdateCandidate
from services.deps import Dependencies


async def update_candidate(cmd: UpdateCandidate, deps: Dependencies) -> None:
    """Handle UpdateCandidate."""
    raise NotImplementedError("update_candidate is being written")
