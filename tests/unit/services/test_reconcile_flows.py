"""Reconciliation against the fakes: repairs what web hooks missed, pushes nothing twice."""

from __future__ import annotations

from intrro_gateway.domain.commands import ApplyAtsSignal, Reconcile
from intrro_gateway.domain.signals import Hired
from intrro_gateway.domain.status import StageRef
from intrro_gateway.services.handlers.reconcile import ReconcileResult
from tests.unit.services.flows_world import TENANT, World


async def exported_world() -> World:
    w = World()
    w.add_tenant()
    w.add_job("101")
    w.add_job("102")
    await w.exported(job_ids=("101", "102"))
    await w.bus.handle(Reconcile(tenant_id=TENANT))  # the first pass settles the baseline
    return w


def app_ids(world: World) -> list[str]:
    return [lk.application_id for lk in world.intro().links if lk.application_id is not None]


async def test_a_change_no_web_hook_reported_is_repaired_and_announced_once() -> None:
    world = await exported_world()
    world.later(minutes=15)
    first, _ = app_ids(world)
    world.ats.move(first, StageRef("101-s2", "Onsite", 2))
    world.later(minutes=15)

    result = await world.bus.handle(Reconcile(tenant_id=TENANT))
    again = await world.bus.handle(Reconcile(tenant_id=TENANT))

    # The overlap window re-reads the other application too: it changes nothing.
    assert result == ReconcileResult(checked=2, repairs=1, silent_webhooks=True)
    assert again == ReconcileResult(checked=0, repairs=0, silent_webhooks=False)
    [item] = world.outbox("application.status_changed")
    assert item.payload["status"] == "interviewing"
    tenant = world.tenant()
    assert tenant.webhooks_silent is True
    assert tenant.reconcile_repairs == 1
    assert tenant.reconciled_at == world.clock.now()


async def test_a_change_the_web_hooks_already_pushed_is_not_pushed_again() -> None:
    world = await exported_world()
    world.later(minutes=5)
    first, _ = app_ids(world)
    world.ats.hire(first)
    world.tenant().record_webhook(world.clock.now())
    await world.bus.handle(
        ApplyAtsSignal(
            tenant_id=TENANT, signal=Hired(application_id=first, occurred_at=world.clock.now())
        )
    )
    world.later(minutes=10)

    result = await world.bus.handle(Reconcile(tenant_id=TENANT))

    assert result == ReconcileResult(checked=2, repairs=0, silent_webhooks=False)
    assert len(world.outbox("application.status_changed")) == 1
    assert world.tenant().webhooks_silent is False


async def test_repairs_while_web_hooks_flow_do_not_flag_them_silent() -> None:
    world = await exported_world()
    world.later(minutes=5)
    first, second = app_ids(world)
    world.ats.hire(first)
    world.ats.move(second, StageRef("102-s3", "Offer", 3))
    world.tenant().record_webhook(world.clock.now())  # some other web hook got through

    result = await world.bus.handle(Reconcile(tenant_id=TENANT))

    assert result == ReconcileResult(checked=2, repairs=2, silent_webhooks=False)
    statuses = [i.payload["status"] for i in world.outbox("application.status_changed")]
    assert sorted(statuses) == ["hired", "offer"]


async def test_only_linked_applications_are_read() -> None:
    world = await exported_world()
    stranger = world.ats.add_existing_application(
        world.ats.add_candidate("X", "Y", ["x@y.z"]), "101"
    )
    world.later(minutes=5)
    world.ats.hire(stranger)

    result = await world.bus.handle(Reconcile(tenant_id=TENANT))

    assert result.repairs == 0
    assert world.outbox("application.status_changed") == []
    assert set(world.ats.calls_of("applications_changed_since")[-1]["ids"]) == set(app_ids(world))
