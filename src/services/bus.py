"""The message bus: each command goes to its one handler; the handler's errors propagate."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from intrro_gateway.domain.commands import (
    AcceptIntroduction,
    ApplyAtsSignal,
    Command,
    ExportIntroduction,
    ImportJobs,
    Reconcile,
    UpdateCandidate,
    WithdrawIntroduction,
)
from intrro_gateway.services.deps import Dependencies
from intrro_gateway.services.handlers.accept import accept_introduction
from intrro_gateway.services.handlers.candidate import update_candidate
from intrro_gateway.services.handlers.export import export_introduction
from intrro_gateway.services.handlers.jobs import import_jobs
from intrro_gateway.services.handlers.reconcile import reconcile
from intrro_gateway.services.handlers.signals import apply_ats_signal
from intrro_gateway.services.handlers.withdraw import withdraw_introduction

Handler = Callable[[Any, Dependencies], Awaitable[object]]

COMMAND_HANDLERS: Mapping[type[Command], Handler] = {
    AcceptIntroduction: accept_introduction,
    ExportIntroduction: export_introduction,
    UpdateCandidate: update_candidate,
    WithdrawIntroduction: withdraw_introduction,
    ApplyAtsSignal: apply_ats_signal,
    ImportJobs: import_jobs,
    Reconcile: reconcile,
}


class UnknownCommandError(LookupError):
    """Raised when a command has no handler registered."""


class MessageBus:
    """Dispatches commands to their handlers, with the dependencies they run on."""

    def __init__(
        self, deps: Dependencies, handlers: Mapping[type[Command], Handler] | None = None
    ) -> None:
        self.deps = deps
        self.handlers: Mapping[type[Command], Handler] = (
            handlers if handlers is not None else COMMAND_HANDLERS
        )
        # Several signals may then be applied at once, without the bus (`process_together`).
        self.applies_signals_together = self.handlers.get(ApplyAtsSignal) is apply_ats_signal

    async def handle(self, command: Command) -> object:
        """Run the command's handler and return its result; its errors propagate."""
        handler = self.handlers.get(type(command))
        if handler is None:
            raise UnknownCommandError(f"no handler for {type(command).__name__}")
        return await handler(command, self.deps)
