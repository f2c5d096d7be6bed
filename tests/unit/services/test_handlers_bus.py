"""The message bus: one handler per command, results returned, errors propagated."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from intrro_gateway.domain import commands
from intrro_gateway.domain.commands import Command, ExportIntroduction
from intrro_gateway.services.bus import COMMAND_HANDLERS, MessageBus, UnknownCommandError
from intrro_gateway.services.deps import Dependencies
from intrro_gateway.services.errors import NotFoundError
from tests.unit.services.flows_world import World


@dataclass(frozen=True, slots=True, kw_only=True)
class Unheard(Command):
    """A command nobody handles."""


def test_every_command_of_the_domain_has_exactly_one_handler() -> None:
    domain_commands = {
        c
        for c in vars(commands).values()
        if isinstance(c, type) and issubclass(c, Command) and c is not Command
    }

    assert set(COMMAND_HANDLERS) == domain_commands


async def test_a_command_without_a_handler_is_refused() -> None:
    with pytest.raises(UnknownCommandError):
        await World().bus.handle(Unheard(tenant_id="acme"))


async def test_a_handlers_result_is_returned_and_its_errors_propagate() -> None:
    world = World()

    async def echo(cmd: Unheard, deps: Dependencies) -> object:
        return (cmd.tenant_id, deps is world.deps)

    bus = MessageBus(world.deps, {Unheard: echo})
    assert await bus.handle(Unheard(tenant_id="acme")) == ("acme", True)
    with pytest.raises(NotFoundError):
        await world.bus.handle(ExportIntroduction(tenant_id="acme", introduction_id="nope"))
