"""`intrro-gateway worker`: the worker and the scheduler alone, stopped gracefully by SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import asyncio

import structlog

from intrro_gateway.entrypoints.cli._base import (
    console,
    ensure_schema,
    opened,
    resolve,
    run,
    settings_for_command,
)
from intrro_gateway.entrypoints.serving import stop_on_signals
from intrro_gateway.entrypoints.settings import GatewaySettings

log = structlog.get_logger(__name__)


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the command."""
    parser = commands.add_parser(
        "worker",
        help="run the worker and the scheduler (no HTTP)",
        description=(
            "Process the inbox and the outbox and run the periodic tasks until SIGTERM or SIGINT; "
            "the items in hand finish, the rest are released."
        ),
    )
    parser.set_defaults(handler=work)


async def run_worker(settings: GatewaySettings, stop: asyncio.Event) -> None:
    """Run the worker and the scheduler until `stop` is set (or a stop signal comes)."""
    async with opened(settings) as container:
        worker = await resolve(container.worker())
        scheduler = await resolve(container.scheduler())
        with stop_on_signals(stop):
            log.info("worker_started", worker=worker.worker_id, database=settings.database_display)
            await asyncio.gather(worker.run(stop), scheduler.run(stop))
        log.info("worker_stopped", worker=worker.worker_id)


def work(args: argparse.Namespace) -> int:
    """Run until stopped."""
    settings = settings_for_command()
    ensure_schema(settings)
    run(run_worker(settings, asyncio.Event()))
    console().print("Worker stopped.")
    return 0
