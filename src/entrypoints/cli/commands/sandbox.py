"""`intrro-gateway sandbox [--ats greenhouse|lever]`: a bundled ATS stand-in alone, with its seeded data."""

from __future__ import annotations

import argparse
import asyncio

from starlette.applications import Starlette

from intrro_gateway.entrypoints.cli._base import console, run
from intrro_gateway.entrypoints.logging import configure_logging
from intrro_gateway.entrypoints.serving import Listener, bind, serve, stop_on_signals
from intrro_gateway.entrypoints.settings import SettingsError, load_settings

DEFAULT_PORT = 8001
DEFAULT_LEVER_PORT = 8002


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the command."""
    parser = commands.add_parser(
        "sandbox",
        help="run a bundled ATS sandbox alone (Greenhouse by default)",
        description=(
            "Serve the Greenhouse stand-in (OAuth, Harvest v3, Recruiting web hooks, the /_sandbox "
            "control API) or, with --ats lever, the Lever stand-in (the v1 API with API-key auth, "
            "signed web hooks, the /_sandbox control API) with its seeded data. Not the real ATS."
        ),
    )
    parser.add_argument(
        "--ats",
        choices=("greenhouse", "lever"),
        default="greenhouse",
        help="which ATS to emulate (greenhouse)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument(
        "--port",
        type=int,
        default=None,
        help=(
            f"port (GATEWAY_SANDBOX_PORT, else {DEFAULT_PORT}; with --ats lever "
            f"GATEWAY_LEVER_SANDBOX_PORT, else {DEFAULT_LEVER_PORT})"
        ),
    )
    parser.set_defaults(handler=sandbox)


def _configured_port(ats: str) -> int:
    try:
        settings = load_settings(generate=False)
    except SettingsError:
        return DEFAULT_LEVER_PORT if ats == "lever" else DEFAULT_PORT
    return settings.lever_sandbox_port if ats == "lever" else settings.sandbox_port


def describe(url: str) -> str:
    """How to use a sandbox served at `url`."""
    from intrro_gateway.sandboxes.greenhouse import SandboxState as State

    return (
        f"Greenhouse sandbox on {url}: client id {State.DEFAULT_CLIENT_ID}, client secret "
        f"{State.DEFAULT_CLIENT_SECRET}, Site Admin admin@sandbox.example"
    )


def describe_lever(url: str) -> str:
    """How to use a Lever sandbox served at `url`."""
    from intrro_gateway.sandboxes.lever import SandboxState as State

    return (
        f"Lever sandbox on {url}/v1: API key {State.DEFAULT_API_KEY} (HTTP Basic user, empty "
        "password), super admin admin@sandbox.example"
    )


def _app(ats: str) -> Starlette:
    if ats == "lever":
        from intrro_gateway.sandboxes import lever

        return lever.create_sandbox_app(lever.seeded_state())
    from intrro_gateway.sandboxes import greenhouse

    return greenhouse.create_sandbox_app(greenhouse.seeded_state())


def sandbox(args: argparse.Namespace) -> int:
    """Serve until SIGTERM or SIGINT."""
    configure_logging("console", "INFO", cache_loggers=False)
    port = args.port if args.port is not None else _configured_port(args.ats)
    listener = Listener("sandbox", _app(args.ats), bind(args.host, port))
    out = console()
    tell = describe_lever if args.ats == "lever" else describe

    async def go() -> None:
        stop = asyncio.Event()
        with stop_on_signals(stop):
            await serve([listener], stop, on_ready=lambda: out.print(tell(listener.url)))

    run(go())
    out.print("Sandbox stopped.")
    return 0
