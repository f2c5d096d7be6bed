"""The command handlers: each `async def handler(cmd, deps) -> result`, on the ports alone."""

from __future__ import annotations

from intrro_gateway.services.handlers.accept import accept_introduction
from intrro_gateway.services.handlers.candidate import update_candidate
from intrro_gateway.services.handlers.export import ExportOutcome, export_introduction
from intrro_gateway.services.handlers.jobs import JobImportResult, import_jobs
from intrro_gateway.services.handlers.reconcile import ReconcileResult, reconcile
from intrro_gateway.services.handlers.signals import SignalOutcome, apply_ats_signal
from intrro_gateway.services.handlers.withdraw import withdraw_introduction

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
