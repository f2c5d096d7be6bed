"""`intrro-gateway connect <tenant> --client-id ID --user-email E`: check a Greenhouse credential,
store it, and print the report."""

from __future__ import annotations

import argparse
import getpass
import os
from collections.abc import Callable, Mapping
from typing import Any

from intrro_gateway.entrypoints.cli._base import (
    CliError,
    console,
    ensure_schema,
    one_shot_log_level,
    opened,
    resolve,
    run,
    settings_for_command,
    stdin_is_terminal,
)
from intrro_gateway.entrypoints.cli._report import report_lines, report_table
from intrro_gateway.services import connection
from intrro_gateway.services.deps import Dependencies
from intrro_gateway.services.errors import CredentialRefusedError

SECRET_VARIABLE = "GATEWAY_CONNECT_CLIENT_SECRET"  # noqa: S105 - the variable's name, not a secret
REFUSED = 2


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the command."""
    parser = commands.add_parser(
        "connect",
        help="check and store a Greenhouse credential; print the report",
        description=(
            "Check a Harvest v3 credential for a tenant, store it (encrypted) and print what is in "
            f"place. The client secret comes from {SECRET_VARIABLE} or a hidden prompt, never from "
            "the command line. Exits 1 while anything required is missing, 2 when Greenhouse "
            "refuses the credential."
        ),
    )
    parser.add_argument("tenant", help="the tenant id")
    parser.add_argument(
        "--client-id", required=True, metavar="ID", help="the Harvest v3 OAuth client id"
    )
    parser.add_argument(
        "--user-email",
        required=True,
        metavar="EMAIL",
        help="the e-mail of a Site Admin the gateway acts as",
    )
    parser.set_defaults(handler=connect)


def read_client_secret(
    environ: Mapping[str, str],
    prompt: Callable[[str], str] | None = None,
    *,
    interactive: bool = False,
) -> str:
    """The client secret from the environment, else from a hidden prompt when a person is there."""
    secret = environ.get(SECRET_VARIABLE, "").strip()
    if secret:
        return secret
    if prompt is None or not interactive:
        raise CliError(
            f"no client secret: set {SECRET_VARIABLE} or run connect at a terminal to be asked",
            code=2,
        )
    secret = prompt("Harvest v3 client secret (hidden): ").strip()
    if not secret:
        raise CliError("no client secret given", code=2)
    return secret


def connect(args: argparse.Namespace) -> int:
    """Check and store the credential; the exit code says whether all that is required is there."""
    secret = read_client_secret(os.environ, getpass.getpass, interactive=stdin_is_terminal())
    settings = settings_for_command(log_level=one_shot_log_level(args))
    ensure_schema(settings)

    async def go() -> tuple[dict[str, Any], bool]:
        async with opened(settings) as container:
            deps: Dependencies = await resolve(container.deps())
            bus = await resolve(container.bus())
            report = await connection.connect(
                deps,
                bus,
                args.tenant,
                fields={"client_id": args.client_id, "client_secret": secret},
                user_email=args.user_email,
            )
            status = await connection.connection_status(deps, args.tenant)
            return report.to_dict(), bool(status.get("last_ping_at"))

    try:
        report, pinged = run(go())
    except CredentialRefusedError as exc:
        raise CliError(f"{exc}; nothing was stored", code=REFUSED) from None
    out = console()
    out.print(report_table(report, webhook_seen=pinged))
    for line in report_lines(report):
        out.print(line)
    return 0 if report["ok"] else 1
