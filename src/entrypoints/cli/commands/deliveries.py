"""`intrro-gateway deliveries list|replay`: inbox and outbox items of a tenant."""

from __future__ import annotations

import argparse

from rich.table import Table

from intrro_gateway.entrypoints.cli._base import CliError, console, one_shot_settings, run_with_deps
from intrro_gateway.services import inspection


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `deliveries` and its two actions."""
    parser = commands.add_parser(
        "deliveries",
        help="list or replay a tenant's deliveries",
        description="Inbound (web hooks, Intrro events) and outbound (pushes to Intrro) items.",
    )
    actions = parser.add_subparsers(dest="action", metavar="{list,replay}", required=True)
    listing = actions.add_parser("list", help="list deliveries, newest first")
    listing.add_argument("tenant", help="the tenant id")
    listing.add_argument(
        "--state",
        choices=inspection.DELIVERY_STATES,
        metavar="STATE",
        help=f"only items in this state: {', '.join(inspection.DELIVERY_STATES)}",
    )
    listing.add_argument("--direction", choices=inspection.DIRECTIONS, help="in or out only")
    listing.add_argument("--cursor", help="the next page (printed below a full page)")
    listing.set_defaults(handler=list_deliveries)
    replay = actions.add_parser("replay", help="try a dead delivery again (same id)")
    replay.add_argument("tenant", help="the tenant id")
    replay.add_argument("id", help="the delivery id, as listed")
    replay.set_defaults(handler=replay_delivery)


def list_deliveries(args: argparse.Namespace) -> int:
    """Print one page of deliveries as a table."""
    view = run_with_deps(
        one_shot_settings(args),
        lambda deps: inspection.deliveries(
            deps, args.tenant, args.direction, args.state, args.cursor
        ),
    )
    out = console()
    items = view["deliveries"]
    if not items:
        out.print(f"No deliveries for {args.tenant} match.")
        return 0
    table = Table(title=f"Deliveries of {args.tenant}", title_justify="left")
    for column in ("Id", "Dir", "Kind", "State", "Tries", "Created", "Next try", "Last error"):
        table.add_column(column, overflow="fold")
    for item in items:
        table.add_row(
            item["id"],
            item["direction"],
            item["kind"],
            item["state"],
            str(item["attempts"]),
            item["created_at"] or "",
            item["not_before"] or "",
            item["last_error"] or "",
        )
    out.print(table)
    if view["next_cursor"]:
        out.print(f"More: --cursor {view['next_cursor']}")
    return 0


def replay_delivery(args: argparse.Namespace) -> int:
    """Replay a dead delivery; 1 when it was not dead (nothing changed)."""
    settings = one_shot_settings(args)
    if not run_with_deps(settings, lambda deps: inspection.replay(deps, args.tenant, args.id)):
        raise CliError(
            f"delivery {args.id!r} of {args.tenant} is not dead (or does not exist): nothing changed"
        )
    console().print(f"Delivery {args.id} of {args.tenant} will be tried again.")
    return 0
