"""`intrro-gateway worker`: the worker and the scheduler alone, stopped gracefully by SIGTERM/SIGINT;
`/healthz` and `/metrics` on a port of its own (`--port`, 0 for none)."""

from __future__ import annotations

import argparse
import asyncio
import socket

import structlog

from intrro_gateway.entrypoints.cli._base import (
    console,
    ensure_schema,
    opened,
    resolve,
    run,
    settings_for_command,
)
from intrro_gateway.entrypoints.serving import (
    Listener,
    bind,
    serve,
    stop_on_signals,
)
from intrro_gateway.entrypoints.settings import GatewaySettings
from intrro_gateway.entrypoints.worker_health import create_worker_health_app

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
    parser.add_argument(
        "--host", default="127.0.0.1", help="address of /healthz and /metrics (127.0.0.1)"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port of /healthz and /metrics ({DEFAULT_PORT}; 0: not served)",
    )
    parser.set_defaults(handler=work)


DEFAULT_PORT = 8003  # 8001 and 8002 are the sandboxes' in development


async def run_worker(
    settings: GatewaySettings, stop: asyncio.Event, health: socket.socket | None = None
) -> None:
    """Run the worker and the scheduler until `stop` is set (or a stop signal comes), serving
    `/healthz` and `/metrics` on `health` when given."""
    async with opened(settings) as container:
        worker = await resolve(container.worker())
        scheduler = await resolve(container.scheduler())
        jobs = [worker.run(stop), scheduler.run(stop)]
        url = None
        if health is not None:
            stale_after = max(30.0, 4 * settings.service.lease.total_seconds())
            app = create_worker_health_app(
                await resolve(container.metrics()),
                await resolve(container.queue_depths()),
                lambda: worker.polled_at,
                stale_after=stale_after,
            )
            listener = Listener("worker-health", app, health)
            url = listener.url
            jobs.append(serve([listener], stop, log_level="warning"))
        with stop_on_signals(stop):
            log.info(
                "worker_started",
                worker=worker.worker_id,
                database=settings.database_display,
                health=url,
            )
            await asyncio.gather(*jobs)
        log.info("worker_stopped", worker=worker.worker_id)


def work(args: argparse.Namespace) -> int:
    """Run until stopped."""
    settings = settings_for_command()
    ensure_schema(settings)
    health = bind(args.host, args.port) if args.port else None  # ServingError: one line
    run(run_worker(settings, asyncio.Event(), health))
    console().print("Worker stopped.")
    return 0
