"""`intrro-gateway connect <tenant> [--ats lever] --user-email E`: check an ATS credential (Greenhouse:
`--client-id` and the client secret; Lever: the API key), store it, and print the report."""

from __future__ import annotations

import argparse
import getpass
import os
from collections.abc import Callable, Mapping
from typing import Any

from intrro_gateway.entrypoints.cli._base import (
    CliError,
    console,
    one_shot_settings,
    resolve,
    run_in_container,
    stdin_is_terminal,
)
from intrro_gateway.entrypoints.cli._report import report_lines, report_table
from intrro_gateway.entrypoints.container import Container
from intrro_gateway.services import connection
from intrro_gateway.services.deps import Dependencies
from intrro_gateway.services.errors import CredentialRefusedError

SECRET_VARIABLE = "GATEWAY_CONNECT_CLIENT_SECRET"  # noqa: S105 - the variable's name, not a secret
API_KEY_VARIABLE = "GATEWAY_CONNECT_API_KEY"
REFUSED = 2


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the command."""
    parser = commands.add_parser(
        "connect",
        help="check and store an ATS credential (Greenhouse, Lever); print the report",
        description=(
            "Check an ATS credential for a tenant, store it (encrypted) and print what is in place. "
            f"Greenhouse: --client-id and the client secret from {SECRET_VARIABLE}; Lever "
            f"(--ats lever): the API key from {API_KEY_VARIABLE}; either from a hidden prompt when "
            "unset, never from the command line. Lever's web hooks are made by the gateway. Exits "
            "1 while anything required is missing, 2 when the ATS refuses the credential."
        ),
    )
    parser.add_argument("tenant", help="the tenant id")
    parser.add_argument(
        "--ats",
        choices=("greenhouse", "lever"),
        default="greenhouse",
        help="the tenant's ATS (greenhouse)",
    )
    parser.add_argument(
        "--client-id", metavar="ID", help="the Harvest v3 OAuth client id (Greenhouse)"
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
    variable: str = SECRET_VARIABLE,
    what: str = "client secret",
    label: str = "Harvest v3 client secret",
) -> str:
    """A secret from the environment, else from a hidden prompt when a person is there."""
    secret = environ.get(variable, "").strip()
    if secret:
        return secret
    if prompt is None or not interactive:
        raise CliError(
            f"no {what}: set {variable} or run connect at a terminal to be asked",
            code=2,
        )
    secret = prompt(f"{label} (hidden): ").strip()
    if not secret:
        raise CliError(f"no {what} given", code=2)
    return secret


def credential_fields(
    args: argparse.Namespace,
    environ: Mapping[str, str],
    prompt: Callable[[str], str] | None = None,
    *,
    interactive: bool = False,
) -> dict[str, str]:
    """The connect request's credential fields for the chosen ATS."""
    if args.ats == "lever":
        key = read_client_secret(
            environ,
            prompt,
            interactive=interactive,
            variable=API_KEY_VARIABLE,
            what="API key",
            label="Lever API key",
        )
        return {"api_key": key}
    if not args.client_id:
        raise CliError("--client-id is required to connect Greenhouse", code=2)
    secret = read_client_secret(environ, prompt, interactive=interactive)
    return {"client_id": args.client_id, "client_secret": secret}


def connect(args: argparse.Namespace) -> int:
    """Check and store the credential; the exit code says whether all that is required is there."""
    fields = credential_fields(args, os.environ, getpass.getpass, interactive=stdin_is_terminal())
    settings = one_shot_settings(args)

    async def go(container: Container) -> tuple[dict[str, Any], bool, str]:
        deps: Dependencies = await resolve(container.deps())
        bus = await resolve(container.bus())
        report = await connection.connect(
            deps, bus, args.tenant, fields=fields, user_email=args.user_email, ats=args.ats
        )
        status = await connection.connection_status(deps, args.tenant)
        name = deps.registry.get(args.ats).display_name
        return report.to_dict(), bool(status.get("last_ping_at")), name

    try:
        report, pinged, ats_name = run_in_container(settings, go)
    except CredentialRefusedError as exc:
        raise CliError(f"{exc}; nothing was stored", code=REFUSED) from None
    out = console()
    out.print(report_table(report, webhook_seen=pinged, ats_name=ats_name))
    for line in report_lines(report, ats_name=ats_name):
        out.print(line)
    return 0 if report["ok"] else 1
