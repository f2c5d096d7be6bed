"""The argument parser: one sub-command per module of `entrypoints.cli.commands`."""

from __future__ import annotations

import argparse

from entrypoints.cli.commands import (
    connect,
    deliveries,
    demo,
    jobs,
    keys,
    migrate,
    reconcile,
    sandbox,
    serve,
    tenant,
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
    """Help with the command names in one column, however long the longest."""
    return argparse.HelpFormatter(prog, max_help_position=32)


def build_parser() -> argparse.ArgumentParser:
    """The `intrro-gateway` parser with every command."""
    parser = argparse.ArgumentParser(
        prog="intrro-gateway",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=_wide,
    )
    commands = parser.add_subparsers(dest="command", metavar="<command>", required=True)
    for module in (
        serve,
        worker,
        migrate,
        tenant,
        connect,
        jobs,
        reconcile,
        deliveries,
        keys,
        sandbox,
        demo,
    ):
        module.add_parser(commands)
    return parser
