"""Job import against the Greenhouse sandbox: the requests it costs (counted at the sandbox) are a few,
whatever the number of jobs; closed and deleted jobs reach the readers of changes through the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from intrro_gateway.domain.commands import ImportJobs
from intrro_gateway.sandboxes.greenhouse import SandboxState, seeded_state
from intrro_gateway.sandboxes.greenhouse.state import LoggedRequest
from tests.e2e.http_support import AUTH
from tests.e2e.test_ops_support import (
    add_open_job,
    describe,
    open_job_ids,
    ops_gateway,
    requests_since,
    sandbox_clock_caught_up,
    webhooks_to,
)

ID, SECRET = SandboxState.DEFAULT_CLIENT_ID, SandboxState.DEFAULT_CLIENT_SECRET
HOOK_SECRET = "ops-jobs-webhook-secret"
MOST_REQUESTS_PER_IMPORT = 6  # jobs, posts, stages, departments, offices; a token at most


@dataclass(frozen=True)
class ImportCosts:
    """Requests the sandbox received for each kind of import, and what the API then listed."""

    first: list[LoggedRequest]
    full_resync: list[LoggedRequest]
    incremental: list[LoggedRequest]
    listed: list[str]
    open_in_sandbox: list[str]
    template_id: str
    announced: list[int]  # the jobs of each `jobs.changed` pushed to Intrro


def sandbox_with_open_jobs(count: int) -> SandboxState:
    """The seeded sandbox with jobs added until exactly `count` are open (templates aside)."""
    sandbox = seeded_state()
    for n in range(count - len(open_job_ids(sandbox))):
        add_open_job(sandbox, f"Added Engineer {n}")
    assert len(open_job_ids(sandbox)) == count
    return sandbox


async def import_costs(tmp_path: Path, open_jobs: int) -> ImportCosts:
    sandbox = sandbox_with_open_jobs(open_jobs)
    tmp_path.mkdir()
    await sandbox_clock_caught_up(sandbox)
    async with ops_gateway(
        tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}", {ID: sandbox}
    ) as gw:
        await gw.create_tenant("acme", HOOK_SECRET)
        mark = len(sandbox.requests)
        assert (await gw.connect("acme", ID, SECRET)).json()["ok"] is True
        during_connect = requests_since(sandbox, mark)
        # The connection's checks come first; the first import starts at its list of open jobs.
        start = next(
            n
            for n, r in enumerate(during_connect)
            if r.path == "/v3/jobs" and r.params.get("status") == "open"
        )
        first = during_connect[start:]

        mark = len(sandbox.requests)
        answer = await gw.client.post("/api/tenants/acme/sync/jobs", headers=AUTH)
        assert answer.status_code == 202
        await gw.settle()
        full_resync = requests_since(sandbox, mark)

        mark = len(sandbox.requests)
        await gw.bus.handle(ImportJobs(tenant_id="acme", full=False))  # the scheduler's sync
        incremental = requests_since(sandbox, mark)

        await gw.settle()
        listed = sorted(job["id"] for job in await gw.jobs("acme"))
    return ImportCosts(
        first=first,
        full_resync=full_resync,
        incremental=incremental,
        listed=listed,
        open_in_sandbox=open_job_ids(sandbox),
        template_id=str(sandbox.seed.template_job_id),
        announced=[len(m.data["jobs"]) for m in gw.platform.of_type("jobs.changed")],
    )


async def test_importing_25_jobs_and_resyncing_them_costs_a_few_requests_not_one_per_job(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    costs = await import_costs(tmp_path / "25", 25)
    larger = await import_costs(tmp_path / "50", 50)

    with capsys.disabled():
        print(
            "\nHarvest requests per job import (25 open jobs | 50 open jobs):"
            f"\n  first import:             {len(costs.first)} | {len(larger.first)}"
            f"\n  full re-sync, no change:  {len(costs.full_resync)} | {len(larger.full_resync)}"
            f"\n  incremental, no change:   {len(costs.incremental)} | {len(larger.incremental)}"
            f"\nfirst import:\n{describe(costs.first)}"
        )
    assert costs.listed == costs.open_in_sandbox and len(costs.listed) == 25
    assert len(larger.listed) == 50
    assert costs.template_id not in costs.listed
    # Only the first import changed anything: the re-syncs announce nothing.
    assert costs.announced == [25] and larger.announced == [50]
    for kind in ("first", "full_resync", "incremental"):
        small, big = getattr(costs, kind), getattr(larger, kind)
        assert len(small) == len(big), f"{kind}:\n{describe(small)}\n--\n{describe(big)}"
        assert len(small) <= MOST_REQUESTS_PER_IMPORT, f"{kind}:\n{describe(small)}"
    # Every request of an import is a list call (or a token), never a read of one job.
    for request in [*costs.first, *costs.full_resync, *costs.incremental]:
        assert request.path == "/token" or request.method == "GET", request
    assert len(costs.incremental) <= len(costs.full_resync)


async def test_a_closed_and_a_deleted_job_reach_readers_of_changes_and_leave_the_open_listing(
    tmp_path: Path, sqlite_url: str
) -> None:
    sandbox = seeded_state()
    busy = {app["job_id"] for app in sandbox.table("applications").values()}
    closing, deleting = [j for j in sandbox.seed.open_job_ids if j not in busy][:2]
    await sandbox_clock_caught_up(sandbox)
    async with ops_gateway(tmp_path, sqlite_url, {ID: sandbox}) as gw:
        await gw.create_tenant("acme", HOOK_SECRET)
        assert (await gw.connect("acme", ID, SECRET)).json()["ok"] is True
        webhooks_to(gw, ID, "acme", HOOK_SECRET)
        before = datetime.now(UTC)
        unchanged_before = await gw.jobs("acme", status="all", updated_after=before.isoformat())

        mark = len(sandbox.requests)
        gw.control.close_job(closing)
        gw.control.close_job(deleting)
        gw.control.delete_job(deleting)
        await gw.settle()
        reread = requests_since(sandbox, mark)

        changes = await gw.jobs("acme", status="all", updated_after=before.isoformat())
        open_now = await gw.jobs("acme")
        closed_now = await gw.jobs("acme", status="closed")
        every = await gw.jobs("acme", status="all")

    assert unchanged_before == []
    # Each closing re-reads its one job by id (with its posts, stages, departments and offices: 5
    # requests); the second was deleted before the gateway got to it, so its re-read found nothing
    # (1 request); the deletion is taken from its web hook alone.
    assert len(reread) == 6, describe(reread)
    assert {r.params.get("ids") for r in reread if r.path == "/v3/jobs"} == {
        str(closing),
        str(deleting),
    }
    assert [d.status_code for d in gw.control.deliveries] == [200, 200, 200]
    by_id = {job["id"]: job for job in changes}
    assert set(by_id) == {str(closing), str(deleting)}
    assert (by_id[str(closing)]["status"], by_id[str(closing)]["deleted"]) == ("closed", False)
    assert by_id[str(deleting)]["deleted"] is True
    open_ids = {job["id"] for job in open_now}
    assert open_ids == {str(j) for j in sandbox.seed.open_job_ids} - {str(closing), str(deleting)}
    assert all(job["status"] == "open" and job["deleted"] is False for job in open_now)
    assert [job["id"] for job in closed_now] == [str(closing)]
    assert str(sandbox.seed.template_job_id) not in {job["id"] for job in every}
    assert str(deleting) not in {job["id"] for job in every}
