"""`intrro-gateway token create|list|revoke`: API tokens, operator-wide or limited to one tenant."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from rich.table import Table

from intrro_gateway.domain.access import ApiToken
from intrro_gateway.entrypoints.cli._base import CliError, console, one_shot_settings, run_with_deps
from intrro_gateway.services import access


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `token` and its three actions."""
    parser = commands.add_parser(
        "token",
        help="create, list or revoke API tokens",
        description=(
            "API tokens for the HTTP API and the console. A token is operator-wide, or limited to "
            "one tenant with --tenant (a company admin's: other tenants answer 404, and it cannot "
            "create or delete tenants). Only a digest is stored: the value is shown once. "
            "GATEWAY_API_TOKENS stays valid as the bootstrap operator token."
        ),
    )
    actions = parser.add_subparsers(dest="action", metavar="{create,list,revoke}", required=True)

    create = actions.add_parser("create", help="make a token; its value is shown this once")
    create.add_argument("--tenant", metavar="TENANT", help="limit the token to this tenant")
    create.add_argument(
        "--name", metavar="NAME", help="what the token is for (default: operator or the tenant)"
    )
    create.set_defaults(handler=create_token)

    listing = actions.add_parser("list", help="list tokens (never their values)")
    listing.set_defaults(handler=list_tokens)

    revoke = actions.add_parser("revoke", help="end a token at once")
    revoke.add_argument("token_id", metavar="ID", help="the token's id, as `token list` shows it")
    revoke.set_defaults(handler=revoke_token)


def create_token(args: argparse.Namespace) -> int:
    """Make the token and print its value once."""
    settings = one_shot_settings(args)
    name = args.name or (f"{args.tenant} admin" if args.tenant else "operator")
    issued = run_with_deps(settings, lambda deps: access.create_token(deps, name, args.tenant))
    out = console()
    scope = f"tenant {issued.token.tenant_id}" if issued.token.tenant_id else "operator-wide"
    out.print(f"Created token {issued.token.id} ({scope}, {issued.token.name!r}).")
    out.print("Its value, shown this once (only a digest is stored):")
    out.print(issued.value)
    return 0


def list_tokens(args: argparse.Namespace) -> int:
    """Print every token: id, name, scope, when made and revoked."""
    tokens: Sequence[ApiToken] = run_with_deps(one_shot_settings(args), access.list_tokens)
    table = Table(title="API tokens", title_justify="left")
    for column in ("ID", "Name", "Scope", "Created", "Revoked"):
        table.add_column(column, overflow="fold")
    for token in tokens:
        table.add_row(
            token.id,
            token.name,
            f"tenant {token.tenant_id}" if token.tenant_id else "operator",
            token.created_at.isoformat(timespec="seconds"),
            token.revoked_at.isoformat(timespec="seconds") if token.revoked_at else "",
        )
    out = console()
    out.print(table)
    out.print(f"{len(tokens)} token{'s' if len(tokens) != 1 else ''} (plus GATEWAY_API_TOKENS).")
    return 0


def revoke_token(args: argparse.Namespace) -> int:
    """Revoke the token, or fail when there is no active token of that id."""
    settings = one_shot_settings(args)
    if not run_with_deps(settings, lambda deps: access.revoke_token(deps, args.token_id)):
        raise CliError(f"no active token {args.token_id!r}")
    console().print(f"Revoked token {args.token_id}.")
    return 0
