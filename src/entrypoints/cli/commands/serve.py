"""`intrro-gateway serve`: the gateway over HTTP, with the worker in-process and, in development, the
bundled Greenhouse and Lever sandboxes beside it."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from typing import TYPE_CHECKING

import structlog

if TYPE_CHECKING:
    from intrro_gateway.sandboxes.greenhouse import SandboxState

from intrro_gateway.entrypoints.cli._base import (
    console,
    ensure_schema,
    resolve,
    run,
    settings_for_command,
)
from intrro_gateway.entrypoints.cli.commands.sandbox import describe, describe_lever
from intrro_gateway.entrypoints.container import build_container
from intrro_gateway.entrypoints.http import create_app
from intrro_gateway.entrypoints.serving import (
    Listener,
    ServingError,
    bind,
    serve,
    stop_on_signals,
)
from intrro_gateway.ports.unit_of_work import StorageUnavailableError
from intrro_gateway.services.deps import Dependencies

log = structlog.get_logger(__name__)

_HOOKUP_INTERVAL_S = 1.0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the command."""
    parser = commands.add_parser(
        "serve",
        help="serve the gateway (and, in development, the sandbox)",
        description=(
            "Serve the gateway's HTTP endpoints with the worker and the scheduler in-process. In "
            "development (GATEWAY_ENV) an unmigrated database is migrated, the bundled Greenhouse "
            "sandbox runs beside it on GATEWAY_SANDBOX_PORT and the Lever sandbox on "
            "GATEWAY_LEVER_SANDBOX_PORT; in production an unmigrated database stops start-up. "
            "SIGTERM or SIGINT stop gracefully."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
    parser.add_argument(
        "--no-worker", action="store_true", help="do not run the worker and scheduler in-process"
    )
    parser.set_defaults(handler=serve_gateway)


def serve_gateway(args: argparse.Namespace) -> int:
    """Serve until SIGTERM or SIGINT."""
    settings = settings_for_command()
    ensure_schema(settings)
    with_sandbox = not settings.is_production and settings.uses_sandbox
    # Imported here: the sandbox is a development aid, and `--help` should not need it.
    from intrro_gateway.sandboxes.greenhouse import create_sandbox_app, seeded_state

    container = build_container(settings)
    gateway = Listener(
        "gateway", create_app(container, run_worker=not args.no_worker), bind(args.host, args.port)
    )
    listeners = [gateway]
    sandbox_state: SandboxState | None = None
    if with_sandbox:
        sandbox_state = seeded_state()
        try:
            sock = bind("127.0.0.1", settings.sandbox_port)
        except ServingError:
            gateway.sock.close()
            raise
        listeners.append(Listener("sandbox", create_sandbox_app(sandbox_state), sock))
    lever_sandbox: Listener | None = None
    if not settings.is_production and settings.uses_lever_sandbox:
        lever_sandbox = _lever_sandbox(settings.lever_sandbox_port, listeners)
        listeners.append(lever_sandbox)
    out = console()

    def ready() -> None:
        worker = "off" if args.no_worker else "in-process"
        out.print(f"Gateway on {gateway.url} (worker {worker}, {settings.env})")
        out.print(f"API docs: {gateway.url}/docs (OpenAPI: {gateway.url}/openapi.json)")
        if lever_sandbox is not None:
            out.print(describe_lever(lever_sandbox.url) + " (connecting makes its web hooks)")
        if sandbox_state is not None:
            out.print(describe(listeners[1].url))
            out.print(
                "New here? In another terminal, `.venv/bin/intrro-gateway demo` plays a whole "
                "introduction end to end and prints what flowed where."
            )
        if not settings.is_production and settings.public_url != gateway.url:
            out.print(
                f"Note: web hook URLs in connection reports use GATEWAY_PUBLIC_URL "
                f"({settings.public_url}), not {gateway.url}."
            )

    async def go() -> None:
        stop = asyncio.Event()
        hookup: asyncio.Task[None] | None = None
        if sandbox_state is not None:
            deps = await resolve(container.deps())
            hookup = asyncio.create_task(hook_sandbox(deps, sandbox_state, gateway.url, stop))
        try:
            with stop_on_signals(stop):
                await serve(listeners, stop, log_level=settings.log_level, on_ready=ready)
        finally:
            stop.set()
            if hookup is not None:
                await hookup

    run(go())
    out.print("Gateway stopped.")
    return 0


def _lever_sandbox(port: int, opened: list[Listener]) -> Listener:
    """The bundled Lever sandbox on its port (the sockets opened so far are closed on failure).

    Nothing points its web hooks: connecting a Lever tenant makes them through Lever's API.
    """
    from intrro_gateway.sandboxes.lever import create_sandbox_app, seeded_state

    try:
        sock = bind("127.0.0.1", port)
    except ServingError:
        for listener in opened:
            listener.sock.close()
        raise
    return Listener("lever-sandbox", create_sandbox_app(seeded_state()), sock)


async def hook_sandbox(
    deps: Dependencies, state: SandboxState, gateway_url: str, stop: asyncio.Event
) -> None:
    """Point the sandbox's web hooks at the tenant connected last with a sandbox credential."""
    current: tuple[str, str] | None = None
    while not stop.is_set():
        try:
            target = await sandbox_tenant(deps, set(state.credentials))
        except StorageUnavailableError as exc:
            log.warning("sandbox_hookup_deferred", error=str(exc))  # the next look is a second away
            target = None
        except Exception:
            log.exception("sandbox_hookup_failed")
            target = None
        if target is not None and target != current:
            tenant_id, secret = target
            url = f"{gateway_url}/webhooks/greenhouse/{tenant_id}"
            state.webhooks.configure(url, secret)
            log.info("sandbox_webhooks_configured", tenant=tenant_id, url=url)
            current = target
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), _HOOKUP_INTERVAL_S)


async def sandbox_tenant(deps: Dependencies, client_ids: set[str]) -> tuple[str, str] | None:
    """(tenant id, web hook secret) of the tenant connected last with one of these client ids."""
    best: tuple[str, str] | None = None
    newest = None
    async with deps.uow() as uow:
        for tenant_id in await uow.tenants.list_ids():
            tenant = await uow.tenants.get(tenant_id)
            conn = tenant.connection if tenant is not None else None
            if tenant is None or conn is None or conn.credentials.client_id not in client_ids:
                continue
            if newest is None or conn.connected_at > newest:
                newest = conn.connected_at
                best = (tenant.id, tenant.webhook_secret.current)
    return best
