"""`intrro-gateway tenant create|show|delete <tenant>`."""

from __future__ import annotations

import argparse
from typing import Any

from rich.table import Table

from intrro_gateway.domain.status import InvalidStageMappingError, StageMapping
from intrro_gateway.domain.tenant import ClosedJobPolicy, Tenant
from intrro_gateway.entrypoints import compat
from intrro_gateway.entrypoints.cli._base import (
    CliError,
    console,
    ensure_schema,
    one_shot_log_level,
    one_shot_settings,
    run_with_deps,
    settings_for_command,
    stdin_is_terminal,
)
from intrro_gateway.entrypoints.settings import GatewaySettings
from intrro_gateway.services import connection, tenants
from intrro_gateway.services.deps import Dependencies

_STAGE_HELP = (
    "map an ATS stage to a status: 'NAME=STATUS' by stage name or 'id:ID=STATUS' by stage id; "
    "STATUS is applied, interviewing or offer (repeatable)"
)


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `tenant` and its three actions."""
    parser = commands.add_parser(
        "tenant", help="create, show or delete a tenant", description="Manage tenants."
    )
    actions = parser.add_subparsers(dest="action", metavar="{create,show,delete}", required=True)

    create = actions.add_parser(
        "create",
        help="create a tenant; its generated secrets are shown once",
        description="Create a tenant. Secrets not given are generated and shown this once.",
    )
    create.add_argument("tenant", help="the tenant id (a slug such as acme-corp)")
    create.add_argument(
        "--ats", metavar="ATS", help="the tenant's ATS, e.g. greenhouse (the default) or lever"
    )
    create.add_argument(
        "--callback-url", metavar="URL", help="where the gateway posts events to Intrro"
    )
    create.add_argument(
        "--stage", action="append", default=[], metavar="STAGE=STATUS", help=_STAGE_HELP
    )
    create.add_argument(
        "--closed-job-policy",
        choices=[str(p) for p in ClosedJobPolicy],
        metavar="POLICY",
        help="what an introduction to a closed job does: fail (default) or prospect",
    )
    create.set_defaults(handler=create_tenant)

    show = actions.add_parser("show", help="show a tenant and its connection, without secrets")
    show.add_argument("tenant", help="the tenant id")
    show.set_defaults(handler=show_tenant)

    delete = actions.add_parser("delete", help="delete a tenant and all its data")
    delete.add_argument("tenant", help="the tenant id")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    delete.set_defaults(handler=delete_tenant)


def parse_stages(entries: list[str]) -> StageMapping | None:
    """A stage mapping from `NAME=STATUS` / `id:ID=STATUS` entries (None when there are none)."""
    if not entries:
        return None
    by_id: dict[str, str] = {}
    by_name: dict[str, str] = {}
    for entry in entries:
        key, sep, status = entry.rpartition("=")
        key, status = key.strip(), status.strip()
        if not sep or not key or not status:
            raise CliError(f"--stage {entry!r} is not STAGE=STATUS", code=2)
        if key.startswith("id:"):
            by_id[key.removeprefix("id:").strip()] = status
        else:
            by_name[key] = status
    try:
        return StageMapping.from_plain(by_id, by_name)
    except InvalidStageMappingError as exc:
        raise CliError(f"--stage: {exc}", code=2) from None


def create_tenant(args: argparse.Namespace) -> int:
    """Create the tenant and print it with the secrets generated now."""
    mapping = parse_stages(args.stage)
    data = tenants.TenantInput(
        ats=args.ats,
        intrro_callback_url=args.callback_url,
        stage_mapping=mapping,
        closed_job_policy=ClosedJobPolicy(args.closed_job_policy)
        if args.closed_job_policy
        else None,
    )
    settings = settings_for_command(log_level=one_shot_log_level(args))
    problems = tenants.validate(args.tenant, data, policy=settings.service.callback_policy)
    if problems:
        raise CliError("; ".join(problems), code=2)
    ensure_schema(settings)

    async def go(deps: Dependencies) -> tuple[tenants.TenantUpsert, str]:
        async with deps.uow() as uow:
            if await uow.tenants.get(args.tenant) is not None:
                raise CliError(f"tenant {args.tenant!r} already exists")
        result = await tenants.upsert_tenant(deps, args.tenant, data)
        return result, deps.registry.for_tenant(result.tenant).display_name

    result, ats_name = run_with_deps(settings, go)
    out = console()
    out.print(f"Created tenant {args.tenant}.")
    out.print(_tenant_table(result.tenant.id, _tenant_rows(result.tenant, ats_name, settings)))
    generated = compat.shown_secret_names(result.tenant.ats, result.generated)
    if generated:
        secrets = Table(
            title="Generated secrets: shown this once, store them now", title_justify="left"
        )
        secrets.add_column("Secret")
        secrets.add_column("Value", overflow="fold")
        webhook_secret = next((n for n in generated if n != "intrro_secret"), None)
        for name, value in sorted(generated.items()):
            secrets.add_row(name, value)
        out.print(secrets)
        out.print(
            "Give intrro_secret to Intrro (it signs events both ways); "
            f"{webhook_secret} goes into the {ats_name} web hooks (see intrro-gateway connect)."
        )
    return 0


def show_tenant(args: argparse.Namespace) -> int:
    """Print the tenant and its connection health, without any secret."""
    settings = one_shot_settings(args)

    async def go(deps: Dependencies) -> tuple[Tenant, str, dict[str, Any]]:
        tenant = await tenants.get_tenant(deps, args.tenant)
        status = await connection.connection_status(deps, args.tenant)
        return tenant, deps.registry.for_tenant(tenant).display_name, status

    tenant, ats_name, status = run_with_deps(settings, go)
    rows = _tenant_rows(tenant, ats_name, settings)
    rows.append(("connected", _yes_no(status["connected"])))
    if status["connected"]:
        rows += [
            ("connection ok", _yes_no(status["ok"])),
            ("ATS client id", str(status["client_id"])),
            ("connected at", str(status["connected_at"])),
            ("checked at", str(status["checked_at"])),
        ]
        problems = (status.get("report") or {}).get("problems") or []
        rows += [("problem", str(p)) for p in problems]
    for key in ("credential_failing", "webhooks_silent"):
        rows.append((key.replace("_", " "), _yes_no(status[key])))
    for key in ("last_webhook_at", "last_ping_at", "reconciled_at", "jobs_synced_at"):
        rows.append((key.removesuffix("_at").replace("_", " ") + " at", status[key] or "never"))
    rows.append(("reconcile repairs", str(status["reconcile_repairs"])))
    console().print(_tenant_table(tenant.id, rows))
    return 0


def delete_tenant(args: argparse.Namespace) -> int:
    """Delete the tenant after confirmation (or `--yes`)."""
    if not args.yes:
        if not stdin_is_terminal():
            raise CliError("deleting a tenant removes all its data: confirm with --yes", code=2)
        answer = input(f"Delete tenant {args.tenant!r} and all its data? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            console().print("Nothing deleted.")
            return 1
    settings = one_shot_settings(args)
    if not run_with_deps(settings, lambda deps: tenants.delete_tenant(deps, args.tenant)):
        raise CliError(f"tenant {args.tenant!r} not found")
    console().print(f"Deleted tenant {args.tenant} and all its data.")
    return 0


def _tenant_rows(tenant: Tenant, ats_name: str, settings: GatewaySettings) -> list[tuple[str, str]]:
    mapping = tenant.stage_mapping.to_plain()
    stages = [f"id:{k}={v}" for k, v in mapping["by_stage_id"].items()]
    stages += [f"{k}={v}" for k, v in mapping["by_stage_name"].items()]
    return [
        ("Intrro callback URL", tenant.intrro_callback_url or "(none yet)"),
        (f"{ats_name} web hook URL", connection.webhook_url(settings.public_url, tenant)),
        ("stage mapping", ", ".join(stages) or "(defaults)"),
        (
            "rejection mapping",
            ", ".join(f"id:{k}={v}" for k, v in tenant.rejection_mapping.by_reason_id.items())
            or "(by reason name)",
        ),
        ("closed job policy", str(tenant.closed_job_policy)),
        ("created at", tenant.created_at.isoformat() if tenant.created_at else "?"),
    ]


def _tenant_table(tenant_id: str, rows: list[tuple[str, str]]) -> Table:
    table = Table(title=f"Tenant {tenant_id}", title_justify="left", show_header=False)
    table.add_column("Field", style="bold")
    table.add_column("Value", overflow="fold")
    for name, value in rows:
        table.add_row(name, value)
    return table


def _yes_no(flag: object) -> str:
    return "yes" if flag else "no"
