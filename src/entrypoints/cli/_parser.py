"""The argument parser: one sub-command per module of `entrypoints.cli.commands`."""

from __future__ import annotations

import argparse

from intrro_gateway import __version__
from intrro_gateway.entrypoints.cli.commands import (
    connect,
    deliveries,
    demo,
    jobs,
    keys,
    migrate,
    reconcile,
    sandbox,
    schemas,
    serve,
    tenant,
    token,
    worker,
)

_DESCRIPTION = (
    "The Intrro integration gateway: Intrro referrals in, Greenhouse (Harvest v3) applications "
    "out, statuses back. Configured by GATEWAY_* environment variables and a .env file."
)
_EPILOG = (
    "Run 'intrro-gateway demo' to see the whole flow on this machine, with no account anywhere."
)


def _wide(prog: str) -> argparse.HelpFormatter:
    """Help with every command name and its help on one line (argparse sizes the column by the
    `<command>` metavar, not by the names under it)."""
    formatter = argparse.HelpFormatter(prog, max_help_position=32)
    formatter._action_max_length = 16  # "    rotate-keys" and a space
    return formatter


def build_parser() -> argparse.ArgumentParser:
    """The `intrro-gateway` parser with every command."""
    parser = argparse.ArgumentParser(
        prog="intrro-gateway",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=_wide,
    )
    parser.add_argument("--version", action="version", version=f"intrro-gateway {__version__}")
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="log at GATEWAY_LOG_LEVEL in one-shot commands too (default: warnings only)",
    )
    commands = parser.add_subparsers(dest="command", metavar="<command>", required=True)
    for module in (
        serve,
        worker,
        migrate,
        tenant,
        token,
        connect,
        jobs,
        reconcile,
        deliveries,
        keys,
        sandbox,
        demo,
        schemas,
    ):
        module.add_parser(commands)
    return parser
