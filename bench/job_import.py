"""A job import from the Greenhouse sandbox: requests made and seconds, for 25 and for 500 open jobs.

The real container on a throw-away database (SQLite or PostgreSQL) with the real Harvest v3 client,
which reaches the bundled sandbox over loopback HTTP; the sandbox runs in its own process
(`bench/_gh_sandbox.py`, Greenhouse's 150 requests / 30 s allowance kept), so the peak RSS printed is
the gateway side's alone (this process: container, client, import). The sandbox holds its seeded data with open jobs
added (or closed) until exactly `N` are open, each with five or six interview stages and one or two
posts. A connected tenant runs `ImportJobs(full=True)` through the message bus twice: the first import
stores every job and queues its `jobs.changed` (one per 500 jobs); the second finds nothing changed.
The requests are counted by the sandbox's request log (the token request included).

    .venv/bin/python bench/job_import.py [--sizes 25,500] [--database sqlite|postgres|all]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import inspect
import json
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from _common import (
    API_TOKEN,
    BENCH,
    INTRRO_SECRET,
    WEBHOOK_SECRET,
    databases,
    exit_on_sigterm,
    fernet_key,
    free_port,
    machine_line,
    table,
    throwaway_database,
)
from dependency_injector import providers

from intrro_gateway.adapters.sql.migrate import upgrade
from intrro_gateway.domain.commands import ImportJobs
from intrro_gateway.domain.tenant import AtsConnection, AtsCredentials, RotatingSecret, Tenant
from intrro_gateway.entrypoints.container import build_container
from intrro_gateway.entrypoints.logging import configure_logging
from intrro_gateway.entrypoints.settings import load_settings
from intrro_gateway.services.handlers.jobs import JobImportResult

TENANT = "bench"
START_TIMEOUT_S = 120.0
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
IMPORT_TIMEOUT_S = 300.0  # 10,000 jobs: the allowance alone spreads 166 requests over 30+ s


class TimedReads:
    """The Harvest client, with the time spent in `list_jobs` (the reading half of an import) added up."""

    def __init__(self, ats: Any) -> None:
        self._ats = ats
        self.seconds = 0.0

    async def list_jobs(self, *args: Any, **kwargs: Any) -> Any:
        """The client's `list_jobs`, timed."""
        started = time.perf_counter()
        try:
            return await self._ats.list_jobs(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ats, name)


def tenant(credential: dict[str, str]) -> Tenant:
    """A tenant connected with the sandbox's default credential."""
    return Tenant(
        id=TENANT,
        intrro_callback_url="http://intrro.bench/hooks",
        intrro_secret=RotatingSecret(current=INTRRO_SECRET),
        webhook_secret=RotatingSecret(current=WEBHOOK_SECRET),
        ats="greenhouse",
        connection=AtsConnection(
            ats="greenhouse",
            credentials=AtsCredentials(
                client_id=credential["client_id"],
                client_secret=credential["client_secret"],
                user_id=credential["user_id"],
            ),
            connected_at=T0,
            ok=True,
        ),
        created_at=T0,
    )


async def _resolve(value: Any) -> Any:
    """A provider's value, awaited when the provider answered in async mode."""
    return await value if inspect.isawaitable(value) else value


@contextlib.contextmanager
def sandbox_process(folder: Path, size: int) -> Iterator[tuple[str, dict[str, str]]]:
    """The sandbox with `size` open jobs in its own process; (its URL, its credential)."""
    port = free_port()
    ready = folder / "sandbox.json"
    log = (folder / "sandbox.log").open("wb")
    command = [sys.executable, str(BENCH / "_gh_sandbox.py"), str(port), str(size), str(ready)]
    proc = subprocess.Popen(command, cwd=folder, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not ready.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(
                    f"the sandbox did not start: {(folder / 'sandbox.log').read_text()}"
                )
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", json.loads(ready.read_text())
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def peak_rss_mib() -> float:
    """This process's peak resident set so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def logged_requests(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    """The sandbox's request log."""
    response = await client.get("/_sandbox/requests")
    response.raise_for_status()
    logged: list[dict[str, Any]] = response.json()
    return logged


async def measure(
    database: str, url: str, folder: Path, size: int, sandbox: str, credential: dict[str, str]
) -> list[list[object]]:
    """Two full imports of `size` open jobs; a table row each."""
    environ = {
        "GATEWAY_DATABASE_URL": url,
        "GATEWAY_SECRET_KEYS": fernet_key(),
        "GATEWAY_API_TOKENS": API_TOKEN,
        "GATEWAY_RUN_WORKER": "false",
        "GATEWAY_LOG_LEVEL": "warning",
        "GATEWAY_GREENHOUSE_BASE_URL": sandbox,
        "GATEWAY_GREENHOUSE_AUTH_URL": sandbox,
    }
    container = build_container(load_settings(folder / ".env", environ, generate=False))
    timed = TimedReads(container.greenhouse_client())
    container.greenhouse_client.override(providers.Object(timed))
    await asyncio.to_thread(upgrade, url)
    await _resolve(container.init_resources())
    rows: list[list[object]] = []
    try:
        deps = await _resolve(container.deps())
        bus = await _resolve(container.bus())
        async with deps.uow() as uow:
            await uow.tenants.add(tenant(credential))
            await uow.commit()
        async with httpx.AsyncClient(base_url=sandbox, timeout=30) as control:
            for label in ("first", "again"):
                before = len(await logged_requests(control))
                timed.seconds = 0.0
                started = time.perf_counter()
                result = await asyncio.wait_for(
                    bus.handle(ImportJobs(tenant_id=TENANT, full=True)), IMPORT_TIMEOUT_S
                )
                seconds = time.perf_counter() - started
                if not isinstance(result, JobImportResult) or result.total != size:
                    raise SystemExit(f"the import saw {result!r}, not {size} jobs")
                made = (await logged_requests(control))[before:]
                paths = Counter(str(r["path"]).removeprefix("/v3/").lstrip("/") for r in made)
                rows.append(
                    [
                        f"{database} {size} jobs, {label}",
                        result.total,
                        result.changed,
                        len(made),
                        ", ".join(f"{path} {n}" for path, n in sorted(paths.items())),
                        seconds,
                        timed.seconds,
                        seconds - timed.seconds,
                        size / seconds,
                        peak_rss_mib(),
                    ]
                )
    finally:
        await _resolve(container.shutdown_resources())
    return rows


def run(database: str, size: int) -> list[list[object]]:
    """Both imports on a throw-away database of this kind, the sandbox in its own process."""
    with (
        throwaway_database(database) as url,
        tempfile.TemporaryDirectory(prefix="intrro-bench-jobs-") as name,
        sandbox_process(Path(name), size) as (sandbox, credential),
    ):
        return asyncio.run(measure(database, url, Path(name), size, sandbox, credential))


def main() -> None:
    """Parse the arguments, run, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="25,500", help="open job counts, comma-separated")
    parser.add_argument("--database", choices=["sqlite", "postgres", "all"], default="all")
    args = parser.parse_args()
    exit_on_sigterm()
    sizes = [int(part) for part in args.sizes.split(",") if part.strip()]
    configure_logging("console", "WARNING")
    print(machine_line())
    rows = [row for db in databases(args.database) for size in sizes for row in run(db, size)]
    print(
        table(
            [
                "import",
                "jobs",
                "changed",
                "requests",
                "by path",
                "seconds",
                "reading s",
                "storing s",
                "jobs/s",
                "gateway peak RSS MiB",
            ],
            rows,
        )
    )
    for row in rows:
        print(
            f"job_import: {row[0]} requests={row[3]} peak_rss_mib={row[9]:.0f} seconds={row[5]:.1f}"
        )


if __name__ == "__main__":
    main()
