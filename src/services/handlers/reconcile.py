"""Handler reconcile (being written: the flows task fills it in)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.commands import Reconcile
from services.deps import Dependencies


@dataclass(frozen=True, slots=True)
class ReconcileResult:
    """What a reconciliation pass found and repaired."""

    checked: int
    repairs: int
    silent_webhooks: bool


async def reconcile(cmd: Reconcile, deps: Dependencies) -> ReconcileResult:
    """Re-read the tenant's linked applications that changed and apply them."""
    raise NotImplementedError("reconcile is being written")
