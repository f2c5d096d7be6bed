"""The command handlers: each `async def handler(cmd, deps) -> result`, on the ports alone."""

from __future__ import annotations

from services.handlers.accept import accept_introduction
from services.handlers.candidate import update_candidate
from services.handlers.export import ExportOutcome, export_introduction
from services.handlers.jobs import JobImportResult, import_jobs
from services.handlers.reconcile import ReconcileResult, reconcile
from services.handlers.signals import SignalOutcome, apply_ats_signal
from services.handlers.withdraw import withdraw_introduction

__all__ = [
    "ExportOutcome",
    "JobImportResult",
    "ReconcileResult",
    "SignalOutcome",
    "accept_introduction",
    "apply_ats_signal",
    "export_introduction",
    "import_jobs",
    "reconcile",
    "update_candidate",
    "withdraw_introduction",
]
