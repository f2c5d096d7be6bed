"""`intrro-gateway sandbox`: the bundled Greenhouse stand-in alone, with its seeded data."""

from __future__ import annotations

import argparse
import asyncio

from intrro_gateway.entrypoints.cli._base import console, run
from intrro_gateway.entrypoints.logging import configure_logging
from intrro_gateway.entrypoints.serving import Listener, bind, serve, stop_on_signals
from intrro_gateway.entrypoints.settings import SettingsError, load_settings

DEFAULT_PORT = 8001


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the command."""
    parser = commands.add_parser(
        "sandbox",
        help="run the bundled Greenhouse sandbox alone",
        description=(
            "Serve the Greenhouse stand-in (OAuth, Harvest v3, Recruiting web hooks, the /_sandbox "
            "control API) with its seeded data. Not Greenhouse."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=None, help=f"port (GATEWAY_SANDBOX_PORT, else {DEFAULT_PORT})"
    )
    parser.set_defaults(handler=sandbox)


def _configured_port() -> int:
    try:
        return load_settings(generate=False).sandbox_port
    except SettingsError:
        return DEFAULT_PORT


def describe(url: str) -> str:
    """How to use a sandbox served at `url`."""
    from intrro_gateway.sandboxes.greenhouse import SandboxState as State

    return (
        f"Greenhouse sandbox on {url}: client id {State.DEFAULT_CLIENT_ID}, client secret "
        f"{State.DEFAULT_CLIENT_SECRET}, Site Admin admin@sandbox.example"
    )


def sandbox(args: argparse.Namespace) -> int:
    """Serve until SIGTERM or SIGINT."""
    from intrro_gateway.sandboxes.greenhouse import create_sandbox_app, seeded_state

    configure_logging("console", "INFO", cache_loggers=False)
    port = args.port if args.port is not None else _configured_port()
    listener = Listener("sandbox", create_sandbox_app(seeded_state()), bind(args.host, port))
    out = console()

    async def go() -> None:
        stop = asyncio.Event()
        with stop_on_signals(stop):
            await serve([listener], stop, on_ready=lambda: out.print(describe(listener.url)))

    run(go())
    out.print("Sandbox stopped.")
    return 0
