"""The worker applies a batch's application signals together, in one unit of work that also marks the
deliveries processed; whatever that unit cannot settle goes one by one, as before."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from intrro_gateway.domain.candidates import CandidateProfile, Referrer
from intrro_gateway.domain.introduction import (
    ApplicationLink,
    ExportState,
    Introduction,
    StatusChange,
)
from intrro_gateway.domain.jobs import Job, JobStage, JobStatus
from intrro_gateway.domain.status import ReferralStatus
from intrro_gateway.ports.unit_of_work import InboundDelivery, InboxState, OutboundItem, OutboxState
from intrro_gateway.services.bus import MessageBus
from intrro_gateway.services.settings import ServiceSettings
from intrro_gateway.services.worker import Worker
from tests.fakes.unit_of_work import FakeUnitOfWork
from tests.fakes.webhooks import FakeTranslator
from tests.fakes.work_queue import FakeWorkQueue
from tests.unit.services.runtime_harness import Runtime, make_runtime

STAGES = (
    JobStage("s1", "Review", 0),
    JobStage("s2", "Interview", 1),
    JobStage("s3", "Onsite", 2),
    JobStage("s4", "Offer", 3),
)


def runtime(n: int) -> Runtime:
    """A tenant, a job, and `n` introductions each linking application `a<i>` in the first stage."""
    rt = make_runtime(ServiceSettings(batch_size=10, backoff_base=timedelta(seconds=1)))
    rt.add_tenant()
    now = rt.clock.now()
    rt.store.jobs[("acme", "j1")] = Job(
        ats_id="j1", title="Engineer", status=JobStatus.OPEN, stages=STAGES
    )
    for i in range(n):
        stage = STAGES[0].as_ref()
        rt.store.introductions[("acme", f"intro-{i}")] = Introduction(
            tenant_id="acme",
            introduction_id=f"intro-{i}",
            candidate=CandidateProfile("Ada", f"L{i}", (f"ada{i}@example.com",)),
            referrer=Referrer("Grace", "grace@acme.test"),
            job_ids=["j1"],
            message=None,
            accepted_at=now,
            links=[
                ApplicationLink(
                    job_id="j1",
                    application_id=f"a{i}",
                    status=ReferralStatus.APPLIED,
                    stage=stage,
                    last_change_at=now,
                    history=[
                        StatusChange(ReferralStatus.INTRODUCED, ReferralStatus.APPLIED, 1, now)
                    ],
                )
            ],
            ats_candidate_id=f"c{i}",
            export_state=ExportState.EXPORTED,
            referral_credit="referrer",
            sequence=1,
        )
    rt.clock.advance(minutes=5)
    return rt


def moved(rt: Runtime, application_id: str, **extra: Any) -> InboundDelivery:
    signal = {
        "type": "stage_changed",
        "application_id": application_id,
        "candidate_id": f"c{application_id[1:]}",
        "occurred_at": rt.clock.now().isoformat(),
        "stage": {"id": "s2", "name": "Interview"},
        **extra,
    }
    return rt.receive(
        FakeTranslator.body("candidate_stage_change", [signal]),
        ordering_key=f"application:{application_id}",
    )


def pushed_statuses(rt: Runtime) -> dict[str, list[str]]:
    by_intro: dict[str, list[str]] = {}
    for message in rt.platform.of_type("application.status_changed"):
        by_intro.setdefault(message.data["introduction_id"], []).append(message.data["status"])
    return by_intro


async def drain(rt: Runtime, worker: Worker) -> None:
    for _ in range(10):
        await worker.run_once()
        if all(d.state is not InboxState.RECEIVED for d in rt.store.inbox.values()) and all(
            o.state is OutboxState.DONE for o in rt.store.outbox.values()
        ):
            return


async def test_a_batch_of_stage_changes_is_applied_and_marked_in_one_unit_of_work() -> None:
    rt = runtime(4)
    deliveries = [moved(rt, f"a{i}") for i in range(4)]
    worker = Worker(rt.deps, MessageBus(rt.deps), "w1")
    commits = rt.uow.commits

    await worker.run_once()

    # One unit for the four signals and their marks, one for the web hook health, one for the
    # completions of the pushes: not one per delivery.
    assert rt.uow.commits - commits <= 3
    for i, d in enumerate(deliveries):
        stored = rt.store.inbox[d.id]
        assert (stored.state, stored.subject_id) == (InboxState.PROCESSED, f"c{i}")
    assert pushed_statuses(rt) == {f"intro-{i}": ["interviewing"] for i in range(4)}
    assert rt.store.tenants["acme"].last_webhook_at == deliveries[0].received_at
    for i in range(4):
        intro = rt.store.introductions[("acme", f"intro-{i}")]
        assert intro.links[0].status is ReferralStatus.INTERVIEWING and intro.version == 1


async def test_a_lost_race_in_the_batch_commits_nothing_and_each_delivery_goes_alone() -> None:
    rt = runtime(3)
    deliveries = [moved(rt, f"a{i}") for i in range(3)]
    raced = [False]

    def someone_else_saves_intro_1(uow: FakeUnitOfWork) -> None:
        if raced[0]:
            return
        raced[0] = True
        other = rt.store.introductions[("acme", "intro-1")]
        other.version += 1  # committed meanwhile by another worker
        other.message = "changed elsewhere"

    rt.uow.before_commit.append(someone_else_saves_intro_1)
    await drain(rt, Worker(rt.deps, MessageBus(rt.deps), "w1"))

    assert raced[0]
    assert all(rt.store.inbox[d.id].state is InboxState.PROCESSED for d in deliveries)
    # Each introduction moved and was announced exactly once; the raced one kept the other change.
    assert pushed_statuses(rt) == {f"intro-{i}": ["interviewing"] for i in range(3)}
    assert rt.store.introductions[("acme", "intro-1")].message == "changed elsewhere"


async def test_what_the_batch_cannot_settle_goes_one_by_one_beside_it() -> None:
    rt = runtime(2)
    together = moved(rt, "a0")
    unknown = moved(rt, "a404")  # no introduction links it: nothing to apply
    deleted = rt.receive(
        FakeTranslator.body("delete_application", [{"type": "deleted", "application_id": "a1"}]),
        ordering_key="application:a1",
    )
    ping = rt.receive(FakeTranslator.body("ping"))
    worker = Worker(rt.deps, MessageBus(rt.deps), "w1")

    await drain(rt, worker)

    states = [rt.store.inbox[d.id].state for d in (together, unknown, deleted, ping)]
    assert states == [InboxState.PROCESSED] * 4
    assert pushed_statuses(rt) == {"intro-0": ["interviewing"]}
    assert [m.data["introduction_id"] for m in rt.platform.of_type("application.removed")] == [
        "intro-1"
    ]


async def test_an_older_signal_in_the_batch_is_stale_and_announces_nothing() -> None:
    rt = runtime(2)
    fresh = moved(rt, "a0")
    stale = moved(rt, "a1", occurred_at=(rt.clock.now() - timedelta(hours=1)).isoformat())

    await drain(rt, Worker(rt.deps, MessageBus(rt.deps), "w1"))

    assert rt.store.inbox[fresh.id].state is InboxState.PROCESSED
    assert rt.store.inbox[stale.id].state is InboxState.PROCESSED
    assert pushed_statuses(rt) == {"intro-0": ["interviewing"]}
    assert rt.store.introductions[("acme", "intro-1")].version == 0


class RecordingQueue(FakeWorkQueue):
    """The fake queue, recording the size of every inbox claim."""

    limits: list[int]

    async def claim_inbox(
        self, *, worker_id: str, now: datetime, lease: timedelta, limit: int
    ) -> Sequence[InboundDelivery]:
        self.limits.append(limit)
        return await super().claim_inbox(worker_id=worker_id, now=now, lease=lease, limit=limit)


def recording(rt: Runtime) -> RecordingQueue:
    queue = RecordingQueue(inbox=rt.store.inbox, outbox=rt.store.outbox)
    queue.limits = []
    rt.deps = replace(rt.deps, queue=queue)
    return queue


async def test_claims_grow_while_whole_batches_go_together_and_shrink_when_some_do_not() -> None:
    rt = runtime(70)
    queue = recording(rt)
    for i in range(70):
        moved(rt, f"a{i}")
    worker = Worker(rt.deps, MessageBus(rt.deps), "w1")

    for _ in range(3):
        await worker.run_once()
    assert queue.limits == [10, 20, 40]
    assert all(d.state is InboxState.PROCESSED for d in rt.store.inbox.values())

    # Thirty that must go one by one arrive: the grown claim takes them all, runs a batch of ten
    # and gives the other twenty back untried, their attempt refunded.
    unknown = [moved(rt, f"a{900 + i}") for i in range(30)]
    await worker.run_once()
    assert queue.limits[-1] == 50
    states = [rt.store.inbox[d.id].state for d in unknown]
    assert states.count(InboxState.PROCESSED) == 10
    waiting = [rt.store.inbox[d.id] for d in unknown if d.id not in queue.owners]
    assert sum(1 for d in waiting if d.state is InboxState.RECEIVED and d.attempts == 0) == 20

    await drain(rt, worker)
    assert queue.limits[4:] == [10] * len(queue.limits[4:]) and len(queue.limits) >= 6
    assert all(rt.store.inbox[d.id].state is InboxState.PROCESSED for d in unknown)
    assert all(rt.store.inbox[d.id].attempts == 1 for d in unknown)


class RecordingOutbox(FakeWorkQueue):
    """The fake queue, recording the size of every outbox claim."""

    out_limits: list[int]

    async def claim_outbox(
        self, *, worker_id: str, now: datetime, lease: timedelta, limit: int
    ) -> Sequence[OutboundItem]:
        self.out_limits.append(limit)
        return await super().claim_outbox(worker_id=worker_id, now=now, lease=lease, limit=limit)


async def test_outbox_claims_grow_while_whole_batches_are_pushed_and_shrink_on_a_failure() -> None:
    rt = make_runtime(ServiceSettings(batch_size=10, backoff_base=timedelta(seconds=1)))
    rt.add_tenant()
    queue = RecordingOutbox(inbox=rt.store.inbox, outbox=rt.store.outbox)
    queue.out_limits = []
    rt.deps = replace(rt.deps, queue=queue)
    for n in range(40):
        rt.queue_event(key=f"intro-{n}")
    worker = Worker(rt.deps, MessageBus(rt.deps), "w1")

    await worker.run_once()
    await worker.run_once()
    assert queue.out_limits == [10, 20]
    rt.platform.fail_next = 1  # one push of the next batch fails
    for n in range(40, 80):
        rt.queue_event(key=f"intro-{n}")
    await worker.run_once()
    await worker.run_once()
    assert queue.out_limits == [10, 20, 30, 10]
