"""The scheduler: what runs on the first tick, what runs when due, tenants failing independently."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from intrro_gateway.domain.commands import Command, ImportJobs, Reconcile
from intrro_gateway.domain.tenant import AtsConnection, AtsCredentials
from intrro_gateway.ports.ats import AtsUnavailableError
from intrro_gateway.ports.unit_of_work import InboxState
from intrro_gateway.services.scheduler import Scheduler
from intrro_gateway.services.settings import ServiceSettings
from tests.unit.services.runtime_harness import RecordingBus, Runtime, make_runtime

SETTINGS = ServiceSettings(
    reconcile_interval=timedelta(minutes=15),
    jobs_sync_interval=timedelta(minutes=30),
    connection_check_interval=timedelta(hours=1),
    poll_interval=timedelta(milliseconds=1),
)


def connect(rt: Runtime, tenant_id: str, *, failing: bool = False) -> None:
    tenant = rt.add_tenant(tenant_id)
    tenant.connection = AtsConnection(
        ats="greenhouse",
        credentials=AtsCredentials("cid", "secret", user_id="u-1", user_email="a@b.test"),
        connected_at=rt.clock.now(),
        ok=True,
        credential_failing=failing,
    )


def of(bus: RecordingBus, kind: type[Command]) -> list[str]:
    return [c.tenant_id for c in bus.handled if isinstance(c, kind)]


async def test_the_first_tick_runs_everything_for_every_connected_tenant() -> None:
    rt = make_runtime(SETTINGS)
    connect(rt, "acme")
    connect(rt, "beta")
    rt.add_tenant("unconnected")
    bus = RecordingBus()

    await Scheduler(rt.deps, bus).tick()

    assert of(bus, Reconcile) == ["acme", "beta"]
    assert [c for c in bus.handled if isinstance(c, ImportJobs)] == [
        ImportJobs(tenant_id="acme", full=False),
        ImportJobs(tenant_id="beta", full=False),
    ]
    assert {c[0] for c in rt.ats.calls} == {
        "verify_credentials",
        "find_user_by_email",
        "check_permissions",
        "list_sources",
    }
    assert {c[1]["tenant"] for c in rt.ats.calls} == {"acme", "beta"}


async def test_each_task_runs_again_only_when_its_interval_has_passed() -> None:
    rt = make_runtime(SETTINGS)
    connect(rt, "acme")
    bus = RecordingBus()
    scheduler = Scheduler(rt.deps, bus)
    await scheduler.tick()
    bus.handled.clear()

    rt.clock.advance(minutes=10)
    await scheduler.tick()
    assert bus.handled == []

    rt.clock.advance(minutes=5)
    await scheduler.tick()
    assert of(bus, Reconcile) == ["acme"]
    assert of(bus, ImportJobs) == []

    rt.clock.advance(minutes=15)
    await scheduler.tick()
    assert of(bus, Reconcile) == ["acme", "acme"]
    assert of(bus, ImportJobs) == ["acme"]


async def test_a_failing_tenant_does_not_stop_the_others() -> None:
    rt = make_runtime(SETTINGS)
    for tenant_id in ("acme", "beta", "gamma"):
        connect(rt, tenant_id)

    async def behaviour(command: Command) -> object:
        if command.tenant_id == "beta":
            raise AtsUnavailableError("503", status=503)
        return None

    bus = RecordingBus(behaviour=behaviour)
    await Scheduler(rt.deps, bus).tick()

    assert of(bus, Reconcile) == ["acme", "beta", "gamma"]
    assert of(bus, ImportJobs) == ["acme", "beta", "gamma"]


async def test_a_tenant_whose_credential_fails_is_only_rechecked() -> None:
    rt = make_runtime(SETTINGS)
    connect(rt, "acme", failing=True)
    bus = RecordingBus()

    await Scheduler(rt.deps, bus).tick()

    assert bus.handled == []
    assert rt.ats.calls_of("verify_credentials") == [{"tenant": "acme"}]
    conn = rt.store.tenants["acme"].connection
    assert conn is not None and conn.credential_failing is False  # it works again: cleared


async def test_settled_bodies_older_than_the_retention_are_purged() -> None:
    rt = make_runtime(SETTINGS)
    rt.add_tenant()
    old = rt.receive(b"{}")
    old.state = InboxState.PROCESSED
    old.processed_at = rt.clock.now() - SETTINGS.body_retention - timedelta(seconds=1)
    recent = rt.receive(b"{}")
    recent.state = InboxState.PROCESSED
    recent.processed_at = rt.clock.now() - timedelta(days=1)
    waiting = rt.receive(b"{}")

    await Scheduler(rt.deps, RecordingBus()).tick()

    assert rt.store.inbox[old.id].body is None
    assert rt.store.inbox[recent.id].body == b"{}"
    assert rt.store.inbox[waiting.id].body == b"{}"


async def test_a_second_process_skips_a_task_the_first_is_running() -> None:
    rt = make_runtime(SETTINGS)
    connect(rt, "acme")
    first, second = RecordingBus(), RecordingBus()

    await Scheduler(rt.deps, first).tick()
    await Scheduler(rt.deps, second).tick()

    assert of(first, Reconcile) == ["acme"]
    assert second.handled == []


async def test_the_loop_ticks_until_stopped() -> None:
    rt = make_runtime(SETTINGS)
    connect(rt, "acme")
    bus = RecordingBus()
    stop = asyncio.Event()

    task = asyncio.create_task(Scheduler(rt.deps, bus).run(stop))
    for _ in range(500):
        if bus.handled:
            break
        await asyncio.sleep(0.002)
    stop.set()
    await asyncio.wait_for(task, timeout=5)

    assert of(bus, Reconcile) == ["acme"]
