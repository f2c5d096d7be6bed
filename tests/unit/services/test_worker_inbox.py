"""The worker on the inbox: processing, retries within the budget, deferral, parking dead, replay."""

from __future__ import annotations

from datetime import timedelta

from intrro_gateway.domain.commands import ApplyAtsSignal, Command, ImportJobs
from intrro_gateway.ports.ats import AtsUnavailableError
from intrro_gateway.ports.unit_of_work import ConcurrencyError, InboxState
from intrro_gateway.services.errors import DeferredError
from intrro_gateway.services.settings import ServiceSettings
from intrro_gateway.services.worker import Worker
from tests.fakes.webhooks import FakeTranslator
from tests.unit.services.runtime_harness import RecordingBus, Runtime, make_runtime

SETTINGS = ServiceSettings(
    max_attempts=4,
    backoff_base=timedelta(seconds=1),
    backoff_cap=timedelta(seconds=10),
    retry_horizon=timedelta(hours=1),
)


def signal_body(application_id: str) -> bytes:
    return FakeTranslator.body(
        "application_updated",
        [{"type": "stage_changed", "application_id": application_id, "candidate_id": "c-1",
          "occurred_at": "2026-11-24T08:00:00+00:00", "stage": {"id": "s1", "name": "Onsite"}}],
    )  # fmt: skip


async def drain(rt: Runtime, worker: Worker, rounds: int = 50) -> None:
    """Run the worker, moving the clock to the next due item, until nothing is left to do."""
    for _ in range(rounds):
        await worker.run_once()
        waiting = [
            d.not_before
            for d in rt.store.inbox.values()
            if d.state is InboxState.RECEIVED and d.not_before is not None
        ]
        if not any(d.state is InboxState.RECEIVED for d in rt.store.inbox.values()):
            return
        if waiting:
            rt.clock.set(max(rt.clock.now(), min(waiting)))


async def test_a_delivery_is_processed_and_marked_with_its_candidate() -> None:
    rt = make_runtime(SETTINGS)
    rt.add_tenant()
    item = rt.receive(signal_body("app-1"))
    bus = RecordingBus()

    handled = await Worker(rt.deps, bus, "w1").run_once()

    assert handled == 1
    stored = rt.store.inbox[item.id]
    assert stored.state is InboxState.PROCESSED
    assert stored.subject_id == "c-1"
    assert stored.processed_at == rt.clock.now()
    assert [type(c) for c in bus.handled] == [ApplyAtsSignal]


async def test_an_action_the_gateway_does_not_use_is_marked_ignored() -> None:
    rt = make_runtime(SETTINGS)
    rt.add_tenant()
    item = rt.receive(FakeTranslator.body("interview_deleted"), kind="interview_deleted")
    bus = RecordingBus()

    await Worker(rt.deps, bus, "w1").run_once()

    assert rt.store.inbox[item.id].state is InboxState.IGNORED
    assert bus.handled == []


async def test_a_malformed_body_is_parked_dead_at_once() -> None:
    rt = make_runtime(SETTINGS)
    rt.add_tenant()
    item = rt.receive(b'{"action": "application_updated", "signals": [{"type": "bogus"}]}')

    await Worker(rt.deps, RecordingBus(), "w1").run_once()

    stored = rt.store.inbox[item.id]
    assert stored.state is InboxState.DEAD
    assert stored.attempts == 1
    assert stored.last_error is not None and "malformed" in stored.last_error


async def test_an_item_that_always_fails_ends_dead_after_the_budget_while_others_flow() -> None:
    rt = make_runtime(SETTINGS)
    rt.add_tenant()
    doomed = rt.receive(signal_body("app-doomed"))
    fine = [rt.receive(signal_body(f"app-{n}")) for n in range(3)]

    async def behaviour(command: Command) -> object:
        assert isinstance(command, ApplyAtsSignal)
        if command.signal.application_id == "app-doomed":
            raise AtsUnavailableError("503", status=503)
        return None

    bus = RecordingBus(behaviour=behaviour)
    await drain(rt, Worker(rt.deps, bus, "w1"))

    assert [rt.store.inbox[f.id].state for f in fine] == [InboxState.PROCESSED] * 3
    dead = rt.store.inbox[doomed.id]
    assert dead.state is InboxState.DEAD
    assert dead.attempts == SETTINGS.max_attempts
    assert dead.last_error is not None and "AtsUnavailableError" in dead.last_error
    tries = [c for c in bus.handled if isinstance(c, ApplyAtsSignal)]
    doomed_tries = [c for c in tries if c.signal.application_id == "app-doomed"]
    assert len(doomed_tries) == SETTINGS.max_attempts


async def test_a_failed_item_waits_its_backoff_before_the_next_try() -> None:
    rt = make_runtime(SETTINGS)
    rt.add_tenant()
    item = rt.receive(signal_body("app-1"))
    calls = 0

    async def behaviour(command: Command) -> object:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConcurrencyError("lost a race")
        return None

    worker = Worker(rt.deps, RecordingBus(behaviour=behaviour), "w1")
    await worker.run_once()
    stored = rt.store.inbox[item.id]
    assert stored.state is InboxState.RECEIVED
    assert stored.not_before is not None
    wait = stored.not_before - rt.clock.now()
    assert SETTINGS.backoff_base / 2 <= wait <= SETTINGS.backoff_base

    assert await worker.run_once() == 0  # not due yet
    rt.clock.set(stored.not_before)
    await worker.run_once()
    assert rt.store.inbox[item.id].state is InboxState.PROCESSED
    assert calls == 2


async def test_a_rate_limited_ats_is_retried_no_sooner_than_it_asked() -> None:
    rt = make_runtime(SETTINGS)
    rt.add_tenant()
    item = rt.receive(signal_body("app-1"))

    async def behaviour(command: Command) -> object:
        raise AtsUnavailableError("429", status=429, retry_after=120)

    await Worker(rt.deps, RecordingBus(behaviour=behaviour), "w1").run_once()

    stored = rt.store.inbox[item.id]
    assert stored.not_before is not None
    assert stored.not_before - rt.clock.now() >= timedelta(seconds=120)


async def test_a_deferred_delivery_waits_without_spending_an_attempt() -> None:
    rt = make_runtime(SETTINGS)
    rt.add_tenant()
    item = rt.receive(signal_body("app-1"))
    deferrals = 0

    async def behaviour(command: Command) -> object:
        nonlocal deferrals
        if deferrals < 3:
            deferrals += 1
            raise DeferredError("link not committed", not_before=rt.clock.now())
        return None

    worker = Worker(rt.deps, RecordingBus(behaviour=behaviour), "w1")
    for _ in range(3):
        await worker.run_once()
        stored = rt.store.inbox[item.id]
        assert stored.state is InboxState.RECEIVED
        assert stored.attempts == 0
        assert stored.not_before == rt.clock.now() + SETTINGS.defer_delay
        rt.clock.set(stored.not_before)

    await worker.run_once()
    assert rt.store.inbox[item.id].state is InboxState.PROCESSED
    assert rt.store.inbox[item.id].attempts == 1


async def test_a_delivery_deferred_beyond_the_retry_horizon_is_parked_dead() -> None:
    rt = make_runtime(SETTINGS)
    rt.add_tenant()
    item = rt.receive(signal_body("app-unknown"))

    async def behaviour(command: Command) -> object:
        raise DeferredError("waiting forever", not_before=rt.clock.now())

    worker = Worker(rt.deps, RecordingBus(behaviour=behaviour), "w1")
    await worker.run_once()
    rt.clock.advance(SETTINGS.defer_window)  # handlers bound their own waits: still deferred
    await worker.run_once()
    assert rt.store.inbox[item.id].state is InboxState.RECEIVED

    rt.clock.advance(SETTINGS.retry_horizon)
    await worker.run_once()

    stored = rt.store.inbox[item.id]
    assert stored.state is InboxState.DEAD
    assert stored.last_error is not None and "waiting forever" in stored.last_error


async def test_a_dead_delivery_replayed_is_processed_once_more() -> None:
    rt = make_runtime(SETTINGS)
    rt.add_tenant()
    item = rt.receive(signal_body("app-1"))
    broken = True

    async def behaviour(command: Command) -> object:
        if broken:
            raise RuntimeError("a bug")
        return None

    worker = Worker(rt.deps, RecordingBus(behaviour=behaviour), "w1")
    await drain(rt, worker)
    assert rt.store.inbox[item.id].state is InboxState.DEAD

    broken = False
    assert await rt.queue.replay("acme", item.id, now=rt.clock.now()) is True
    assert await rt.queue.replay("acme", item.id, now=rt.clock.now()) is False
    await worker.run_once()

    assert rt.store.inbox[item.id].state is InboxState.PROCESSED


async def test_a_job_web_hook_becomes_an_import_of_the_touched_jobs() -> None:
    rt = make_runtime(SETTINGS)
    rt.add_tenant()
    body = FakeTranslator.body("job_updated", jobs={"job_ids": ["j1"], "deleted_job_ids": ["j2"]})
    item = rt.receive(body, kind="job_updated")
    bus = RecordingBus()

    await Worker(rt.deps, bus, "w1").run_once()

    assert bus.handled == [
        ImportJobs(tenant_id="acme", full=False, job_ids=("j1",), deleted_job_ids=("j2",))
    ]
    assert rt.store.inbox[item.id].state is InboxState.PROCESSED


async def test_marking_that_fails_leaves_the_delivery_to_be_retried() -> None:
    rt = make_runtime(SETTINGS)
    rt.add_tenant()
    item = rt.receive(signal_body("app-1"))

    async def behaviour(command: Command) -> object:
        rt.uow.fail_commits = 1  # the handler's work is done; the inbox mark's commit fails
        return None

    await Worker(rt.deps, RecordingBus(behaviour=behaviour), "w1").run_once()

    stored = rt.store.inbox[item.id]
    assert stored.state is InboxState.RECEIVED
    assert stored.last_error is not None and "StorageUnavailableError" in stored.last_error
