"""The worker with the real message bus and handlers: an introduction from event to pushed status."""

from __future__ import annotations

from datetime import timedelta

import pytest

from intrro_gateway.domain.tenant import AtsConnection, AtsCredentials
from intrro_gateway.ports.unit_of_work import InboxState, OutboxState, StorageUnavailableError
from intrro_gateway.services.bus import MessageBus
from intrro_gateway.services.ingress import record_delivery
from intrro_gateway.services.settings import ServiceSettings
from intrro_gateway.services.worker import Worker
from tests.fakes.ats import job
from tests.fakes.webhooks import FakeEventReader, FakeTranslator
from tests.unit.services.runtime_harness import CALLBACK, Runtime, make_runtime

ACCEPTED = {
    "introduction_id": "intro-1",
    "candidate": {"first_name": "Ada", "last_name": "L", "emails": ["ada@example.com"]},
    "referrer": {"name": "Grace", "email": "grace@acme.test"},
    "job_ids": ["j1"],
    "message": None,
    "accepted_at": "2026-11-24T08:00:00+00:00",
}


def connected_runtime() -> Runtime:
    rt = make_runtime(ServiceSettings(backoff_base=timedelta(seconds=1)))
    tenant = rt.add_tenant()
    tenant.connection = AtsConnection(
        ats="greenhouse",
        credentials=AtsCredentials("cid", "secret", user_id="u-1", user_email="ada@acme.test"),
        connected_at=rt.clock.now(),
        ok=True,
        source_id="src-intrro",
    )
    rt.ats.add_job(job("j1", updated_at=rt.clock.now()))
    return rt


async def run_until_idle(rt: Runtime, worker: Worker) -> None:
    for _ in range(20):
        await worker.run_once()
        waiting = [
            d.not_before
            for d in [*rt.store.inbox.values(), *rt.store.outbox.values()]
            if d.not_before is not None and d.not_before > rt.clock.now()
        ]
        busy = any(d.state is InboxState.RECEIVED for d in rt.store.inbox.values()) or any(
            o.state is OutboxState.PENDING for o in rt.store.outbox.values()
        )
        if not busy:
            return
        if waiting:
            rt.clock.set(min(waiting))


async def test_an_accepted_introduction_is_exported_and_announced_then_its_status_follows() -> None:
    rt = connected_runtime()
    worker = Worker(rt.deps, MessageBus(rt.deps), "w1")
    accepted = rt.receive(
        FakeEventReader.body("introduction.accepted", ACCEPTED),
        source="intrro",
        kind="introduction.accepted",
        ordering_key="intro-1",
    )

    await run_until_idle(rt, worker)

    assert rt.store.inbox[accepted.id].state is InboxState.PROCESSED
    [exported] = rt.platform.of_type("introduction.exported")
    assert exported.data["introduction_id"] == "intro-1"
    [(target, _)] = rt.platform.pushes
    assert target.url == CALLBACK
    [application_id] = [a.id for a in rt.ats.applications.values()]

    rt.clock.advance(minutes=5)
    rt.ats.move(application_id, job("j1").stages[2].as_ref())
    signal = {
        "type": "stage_changed",
        "application_id": application_id,
        "occurred_at": rt.clock.now().isoformat(),
        "stage": {"id": "j1-s2", "name": "Onsite"},
    }
    moved = rt.receive(FakeTranslator.body("candidate_stage_change", [signal]))
    await run_until_idle(rt, worker)

    assert rt.store.inbox[moved.id].state is InboxState.PROCESSED
    [changed] = rt.platform.of_type("application.status_changed")
    assert changed.data["status"] == "interviewing"
    assert changed.data["sequence"] > exported.data["sequence"]


async def test_a_delivery_stored_twice_is_processed_once() -> None:
    rt = connected_runtime()
    delivery = rt.receive(FakeEventReader.body("introduction.accepted", ACCEPTED), source="intrro")
    del rt.store.inbox[delivery.id]

    assert await record_delivery(rt.deps, delivery) is True
    assert await record_delivery(rt.deps, delivery) is False
    await run_until_idle(rt, Worker(rt.deps, MessageBus(rt.deps), "w1"))

    assert len(rt.store.inbox) == 1
    assert len(rt.platform.of_type("introduction.exported")) == 1
    assert len(rt.ats.calls_of("create_candidate")) == 1


async def test_a_delivery_the_database_cannot_take_is_an_error_never_a_silent_loss() -> None:
    rt = connected_runtime()
    delivery = rt.receive(FakeTranslator.body("ping"))
    del rt.store.inbox[delivery.id]
    rt.uow.fail_commits = 1

    with pytest.raises(StorageUnavailableError):
        await record_delivery(rt.deps, delivery)

    assert rt.store.inbox == {}
