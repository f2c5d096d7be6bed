"""`intrro-gateway sync-jobs <tenant>`: a full job import with a progress bar."""

from __future__ import annotations

import argparse

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from intrro_gateway.domain.commands import ImportJobs
from intrro_gateway.entrypoints.cli._base import CliError, console, one_shot_settings, run_with_deps
from intrro_gateway.services import tenants
from intrro_gateway.services.deps import Dependencies
from intrro_gateway.services.handlers.jobs import JobImportResult, import_jobs


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the command."""
    parser = commands.add_parser(
        "sync-jobs",
        help="import a tenant's jobs from the ATS now",
        description="Import every job of a tenant from the ATS into the gateway's mirror now.",
    )
    parser.add_argument("tenant", help="the tenant id")
    parser.set_defaults(handler=sync_jobs)


def sync_jobs(args: argparse.Namespace) -> int:
    """Import with a progress bar, then print the totals."""
    settings = one_shot_settings(args)
    out = console()

    async def go(deps: Dependencies) -> JobImportResult:
        tenant = await tenants.get_tenant(deps, args.tenant)
        if tenant.connection is None:
            raise CliError(
                f"tenant {args.tenant!r} is not connected to an ATS: run intrro-gateway connect"
            )
        with Progress(
            TextColumn("Importing jobs"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=out,
            transient=True,
        ) as progress:
            task = progress.add_task("jobs", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            return await import_jobs(
                ImportJobs(tenant_id=args.tenant, full=True), deps, progress=advance
            )

    result = run_with_deps(settings, go)
    out.print(
        f"Imported {result.total} job{'s' if result.total != 1 else ''} for {args.tenant}: "
        f"{result.changed} changed, {result.deleted} deleted."
    )
    return 0
