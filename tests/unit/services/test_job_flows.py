"""Job imports against the fakes: full, incremental, by id; deletions; one `jobs.changed` per import
(per 500 changed jobs)."""

from __future__ import annotations

from intrro_gateway.domain.commands import ImportJobs
from intrro_gateway.domain.jobs import JobStatus
from intrro_gateway.services.handlers.jobs import JOBS_PER_EVENT, JobImportResult, import_jobs
from tests.fakes.ats import job
from tests.unit.services.flows_world import TENANT, World


def make_world() -> World:
    w = World()
    w.add_tenant()
    for job_id in ("201", "202"):
        w.ats.add_job(job(job_id, updated_at=w.clock.now()))
    w.ats.add_job(job("203", status=JobStatus.CLOSED, updated_at=w.clock.now()))
    w.ats.add_job(job("299", template=True, updated_at=w.clock.now()))
    return w


def mirror(world: World) -> dict[str, JobStatus]:
    return {
        job_id: j.status
        for (tenant, job_id), j in world.uow.store.jobs.items()
        if tenant == TENANT and not j.deleted
    }


async def test_a_full_import_mirrors_every_open_job_but_no_template() -> None:
    world = make_world()
    seen: list[tuple[int, int]] = []

    result = await import_jobs(
        ImportJobs(tenant_id=TENANT, full=True), world.deps, lambda d, t: seen.append((d, t))
    )

    assert result == JobImportResult(total=2, changed=2, deleted=0)
    assert mirror(world) == {"201": JobStatus.OPEN, "202": JobStatus.OPEN}
    assert seen == [(1, 2), (2, 2)]
    [event] = world.outbox("jobs.changed")
    assert event.ordering_key == f"jobs:{TENANT}"
    assert event.sequence == 1
    assert [j["id"] for j in event.payload["jobs"]] == ["201", "202"]
    assert event.payload["jobs"][0]["stages"][0] == {
        "id": "201-s0",
        "name": "Application Review",
        "order": 0,
    }
    assert world.tenant().jobs_synced_at == world.clock.now()


async def test_an_import_that_changes_nothing_announces_nothing() -> None:
    world = make_world()
    await world.bus.handle(ImportJobs(tenant_id=TENANT, full=True))

    result = await world.bus.handle(ImportJobs(tenant_id=TENANT, full=True))

    assert result == JobImportResult(total=2, changed=0, deleted=0)
    assert len(world.outbox("jobs.changed")) == 1


async def test_a_full_import_rereads_mirrored_jobs_that_are_no_longer_open() -> None:
    world = make_world()
    await world.bus.handle(ImportJobs(tenant_id=TENANT, full=True))
    world.later(minutes=5)
    world.ats.add_job(job("202", status=JobStatus.CLOSED, updated_at=world.clock.now()))
    del world.ats.jobs["201"]  # gone from the ATS altogether

    result = await world.bus.handle(ImportJobs(tenant_id=TENANT, full=True))

    assert result == JobImportResult(total=2, changed=2, deleted=1)
    assert mirror(world) == {"202": JobStatus.CLOSED}
    assert world.uow.store.jobs[(TENANT, "201")].deleted is True
    second = world.outbox("jobs.changed")[-1]
    assert second.sequence == 2
    assert {j["id"]: j["deleted"] for j in second.payload["jobs"]} == {"202": False, "201": True}


async def test_an_incremental_import_asks_only_for_jobs_changed_since_the_last_one() -> None:
    world = make_world()
    await world.bus.handle(ImportJobs(tenant_id=TENANT, full=True))
    synced = world.tenant().jobs_synced_at
    world.later(minutes=30)
    world.ats.add_job(job("204", updated_at=world.clock.now()))

    result = await world.bus.handle(ImportJobs(tenant_id=TENANT))

    assert world.ats.calls_of("list_jobs")[-1]["updated_since"] == synced
    assert result == JobImportResult(total=1, changed=1, deleted=0)
    assert "204" in mirror(world)


async def test_an_import_by_ids_reads_those_jobs_and_marks_deleted_ones() -> None:
    world = make_world()
    await world.bus.handle(ImportJobs(tenant_id=TENANT, full=True))
    synced = world.tenant().jobs_synced_at
    world.later(minutes=1)
    world.ats.add_job(job("201", title="Staff Engineer", updated_at=world.clock.now()))

    result = await world.bus.handle(
        ImportJobs(tenant_id=TENANT, job_ids=("201",), deleted_job_ids=("202", "unknown"))
    )

    assert result == JobImportResult(total=3, changed=2, deleted=1)
    assert world.uow.store.jobs[(TENANT, "201")].title == "Staff Engineer"
    assert world.uow.store.jobs[(TENANT, "202")].deleted is True
    assert world.tenant().jobs_synced_at == synced  # a partial import is no full sync
    assert world.outbox("jobs.changed")[-1].sequence == 2


async def test_a_tenant_without_a_connection_imports_nothing() -> None:
    world = World()
    world.add_tenant(connected=False)

    result = await world.bus.handle(ImportJobs(tenant_id=TENANT, full=True))

    assert result == JobImportResult(total=0, changed=0, deleted=0)
    assert world.ats.calls == []


async def test_an_import_of_many_changed_jobs_announces_them_in_events_of_at_most_500() -> None:
    world = World()
    world.add_tenant()
    for n in range(JOBS_PER_EVENT + 1):
        world.ats.add_job(job(str(1000 + n), updated_at=world.clock.now()))

    result = await import_jobs(ImportJobs(tenant_id=TENANT, full=True), world.deps)

    assert result == JobImportResult(
        total=JOBS_PER_EVENT + 1, changed=JOBS_PER_EVENT + 1, deleted=0
    )
    events = world.outbox("jobs.changed")
    assert [len(e.payload["jobs"]) for e in events] == [JOBS_PER_EVENT, 1]
    assert [e.sequence for e in events] == [1, 2]
