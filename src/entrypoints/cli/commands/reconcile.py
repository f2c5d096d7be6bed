"""`intrro-gateway reconcile [<tenant>]`: repair what lost web hooks missed, now."""

from __future__ import annotations

import argparse

from rich.table import Table

from intrro_gateway.domain.commands import Reconcile
from intrro_gateway.entrypoints.cli._base import CliError, console, one_shot_settings, run_with_deps
from intrro_gateway.services import tenants
from intrro_gateway.services.deps import Dependencies
from intrro_gateway.services.handlers.reconcile import ReconcileResult, reconcile


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the command."""
    parser = commands.add_parser(
        "reconcile",
        help="repair now what lost web hooks missed",
        description=(
            "Re-read the linked applications changed since the last pass and push what differs; "
            "every connected tenant, or the one named."
        ),
    )
    parser.add_argument("tenant", nargs="?", help="only this tenant")
    parser.set_defaults(handler=reconcile_tenants)


def reconcile_tenants(args: argparse.Namespace) -> int:
    """Reconcile and print what was checked and repaired, per tenant; 1 when any tenant failed."""
    settings = one_shot_settings(args)

    async def go(deps: Dependencies) -> list[tuple[str, ReconcileResult | str]]:
        if args.tenant is not None:
            tenant = await tenants.get_tenant(deps, args.tenant)
            if tenant.connection is None:
                raise CliError(f"tenant {args.tenant!r} is not connected to an ATS")
            ids = [tenant.id]
        else:
            async with deps.uow() as uow:
                ids = []
                for tenant_id in await uow.tenants.list_ids():
                    found = await uow.tenants.get(tenant_id)
                    if found is not None and found.connection is not None:
                        ids.append(tenant_id)
        results: list[tuple[str, ReconcileResult | str]] = []
        for tenant_id in ids:
            try:
                results.append((tenant_id, await reconcile(Reconcile(tenant_id=tenant_id), deps)))
            except Exception as exc:  # one tenant's failure does not stop the others
                results.append((tenant_id, f"{type(exc).__name__}: {exc}"))
        return results

    results = run_with_deps(settings, go)
    out = console()
    if not results:
        out.print("No connected tenant to reconcile.")
        return 0
    table = Table(title="Reconciliation", title_justify="left")
    for column in ("Tenant", "Checked", "Repairs", "Web hooks"):
        table.add_column(column, justify="right" if column in ("Checked", "Repairs") else "left")
    failed = False
    for tenant_id, result in results:
        if isinstance(result, str):
            failed = True
            table.add_row(tenant_id, "-", "-", f"failed: {result}")
        else:
            hooks = (
                "silent (repairs with no web hook since the last pass)"
                if result.silent_webhooks
                else "ok"
            )
            table.add_row(tenant_id, str(result.checked), str(result.repairs), hooks)
    out.print(table)
    return 1 if failed else 0
