"""A job import from the Greenhouse sandbox: requests made and seconds, for 25 and for 500 open jobs.

The real container on a throw-away database (SQLite or PostgreSQL) with the real Harvest v3 client,
which reaches the bundled sandbox through an in-process `httpx.ASGITransport` (no sockets; the sandbox
keeps Greenhouse's 150 requests / 30 s allowance). The sandbox holds its seeded data with open jobs
added (or closed) until exactly `N` are open, each with five or six interview stages and one or two
posts. A connected tenant runs `ImportJobs(full=True)` through the message bus twice: the first import
stores every job and queues one `jobs.changed`; the second finds nothing changed. The requests are
counted by the sandbox's request log (the token request included).

    .venv/bin/python bench/job_import.py [--sizes 25,500] [--database sqlite|postgres|all]
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from _common import (
    API_TOKEN,
    INTRRO_SECRET,
    WEBHOOK_SECRET,
    databases,
    fernet_key,
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
from intrro_gateway.sandboxes.greenhouse import SandboxState, create_sandbox_app, seeded_state
from intrro_gateway.services.handlers.jobs import JobImportResult

TENANT = "bench"
SANDBOX = "http://sandbox.bench"
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
IMPORT_TIMEOUT_S = 100.0
STAGES = ("Application Review", "Phone Screen", "Technical Interview", "Onsite", "Offer")


def sandbox_with_open_jobs(count: int) -> SandboxState:
    """The seeded sandbox with exactly `count` open jobs."""
    state = seeded_state()
    open_jobs = [
        job
        for job in state.tables["jobs"].values()
        if job["status"] == "open" and not job.get("is_template")
    ]
    for job in open_jobs[count:]:
        job["status"] = "closed"
    for index in range(len(open_jobs), count):
        add_open_job(state, index)
    return state


def add_open_job(state: SandboxState, index: int) -> None:
    """An open job with its stages and posts, shaped like the seeded ones."""
    seed = state.seed
    job = state.insert(
        "jobs",
        {
            "name": f"Engineer {index}",
            "requisition_id": f"REQ-{1000 + index}",
            "notes": None,
            "confidential": False,
            "status": "open",
            "opened_at": state.clock.stamp(),
            "closed_at": None,
            "is_template": False,
            "copied_from_id": None,
            "department_id": seed.department_ids[index % len(seed.department_ids)],
            "office_ids": [seed.office_ids[index % len(seed.office_ids)]],
            "custom_fields": {},
        },
    )
    stages = (*STAGES[:4], "Reference Check", STAGES[4]) if index % 2 else STAGES
    for order, name in enumerate(stages):
        state.insert(
            "job_interview_stages",
            {"job_id": job["id"], "name": name, "sort_order": order, "active": True},
        )
    for post in range(1 + index % 2):
        post_id = state.new_id()
        state.insert(
            "job_posts",
            {
                "id": post_id,
                "title": f"Engineer {index}" + (" (Remote)" if post else ""),
                "job_id": job["id"],
                "job_board_id": 4_000_000_010,
                "internal": False,
                "internal_content": None,
                "content": "<p>Join us.</p>",
                "active": True,
                "live": True,
                "featured": False,
                "first_published_at": state.clock.stamp(),
                "language": "en",
                "demographic_question_set_id": None,
                "questions": [],
                "public_url": f"{state.BOARD_URL}/jobs/{post_id}?gh_jid={post_id}",
                "_location": "Remote",
            },
        )


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


def tenant() -> Tenant:
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
                client_id=SandboxState.DEFAULT_CLIENT_ID,
                client_secret=SandboxState.DEFAULT_CLIENT_SECRET,
                user_id=str(SandboxState.DEFAULT_USER_ID),
            ),
            connected_at=T0,
            ok=True,
        ),
        created_at=T0,
    )


async def _resolve(value: Any) -> Any:
    """A provider's value, awaited when the provider answered in async mode."""
    return await value if inspect.isawaitable(value) else value


async def measure(database: str, url: str, folder: Path, size: int) -> list[list[object]]:
    """Two full imports of `size` open jobs; a table row each."""
    state = sandbox_with_open_jobs(size)
    environ = {
        "GATEWAY_DATABASE_URL": url,
        "GATEWAY_SECRET_KEYS": fernet_key(),
        "GATEWAY_API_TOKENS": API_TOKEN,
        "GATEWAY_RUN_WORKER": "false",
        "GATEWAY_LOG_LEVEL": "warning",
        "GATEWAY_GREENHOUSE_BASE_URL": SANDBOX,
        "GATEWAY_GREENHOUSE_AUTH_URL": SANDBOX,
    }
    container = build_container(load_settings(folder / ".env", environ, generate=False))
    transport = httpx.ASGITransport(app=create_sandbox_app(state))
    container.http_transport.override(providers.Object(transport))
    timed = TimedReads(container.greenhouse_client())
    container.greenhouse_client.override(providers.Object(timed))
    await asyncio.to_thread(upgrade, url)
    await _resolve(container.init_resources())
    rows: list[list[object]] = []
    try:
        deps = await _resolve(container.deps())
        bus = await _resolve(container.bus())
        async with deps.uow() as uow:
            await uow.tenants.add(tenant())
            await uow.commit()
        for label in ("first", "again"):
            before = len(state.requests)
            timed.seconds = 0.0
            started = time.perf_counter()
            result = await asyncio.wait_for(
                bus.handle(ImportJobs(tenant_id=TENANT, full=True)), IMPORT_TIMEOUT_S
            )
            seconds = time.perf_counter() - started
            if not isinstance(result, JobImportResult) or result.total != size:
                raise SystemExit(f"the import saw {result!r}, not {size} jobs")
            made = state.requests[before:]
            paths = Counter(r.path.removeprefix("/v3/").lstrip("/") for r in made)
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
                ]
            )
    finally:
        await _resolve(container.shutdown_resources())
    return rows


def run(database: str, size: int) -> list[list[object]]:
    """Both imports on a throw-away database of this kind."""
    with (
        throwaway_database(database) as url,
        tempfile.TemporaryDirectory(prefix="intrro-bench-jobs-") as folder,
    ):
        return asyncio.run(measure(database, url, Path(folder), size))


def main() -> None:
    """Parse the arguments, run, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="25,500", help="open job counts, comma-separated")
    parser.add_argument("--database", choices=["sqlite", "postgres", "all"], default="all")
    args = parser.parse_args()
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
            ],
            rows,
        )
    )


if __name__ == "__main__":
    main()
