"""Handler import_jobs (being written: the flows task fills it in)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from domain.commands import ImportJobs
from services.deps import Dependencies


@dataclass(frozen=True, slots=True)
class JobImportResult:
    """What a job import did to the mirror."""

    total: int
    changed: int
    deleted: int


async def import_jobs(
    cmd: ImportJobs, deps: Dependencies, progress: Callable[[int, int], None] | None = None
) -> JobImportResult:
    """Import the tenant's jobs into the mirror."""
    raise NotImplementedError("import_jobs is being written")
