"""End-to-end drain rate of the worker: inbox deliveries processed, outbox events pushed.

On a throw-away database of each kind, the real container (SQL units of work, work queue, web hook
translator, message bus, worker) is seeded with one connected tenant, one job with four stages and `--n`
exported introductions, each linked to one Greenhouse application in the first stage. Then `--n` stored
`candidate_stage_change` web hooks (one per application, a newer activity time, the second stage) wait in
the inbox. `--workers` workers run until every delivery is processed and every resulting
`application.status_changed` event is pushed: through the real Intrro adapter (signed HTTP) to the
recording receiver over an in-process `httpx.ASGITransport` (`--platform receiver`, the default), or to
the in-memory fake platform (`--platform fake`). The ATS is the in-memory fake of `tests/fakes/ats.py`
(a stage change with a newer time needs no ATS read). Settings are the production defaults (batch 10,
poll 500 ms) unless given.

    .venv/bin/python bench/worker.py [--n 1000] [--database sqlite|postgres|all] [--workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import inspect
import json
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from _common import (
    API_TOKEN,
    INTRRO_SECRET,
    WEBHOOK_SECRET,
    databases,
    fernet_key,
    fixture,
    machine_line,
    table,
    throwaway_database,
)
from dependency_injector import providers
from sqlalchemy import event
from tests.fakes.ats import FakeAtsClient
from tests.fakes.referral_platform import FakeReferralPlatform

import intrro_gateway.adapters.sql.engine as engine_module
from intrro_gateway.adapters.intrro.receiver import create_receiver_app
from intrro_gateway.adapters.sql.migrate import upgrade
from intrro_gateway.adapters.system import SystemClock
from intrro_gateway.domain.candidates import CandidateProfile, Referrer
from intrro_gateway.domain.introduction import (
    ApplicationLink,
    ExportState,
    Introduction,
    StatusChange,
)
from intrro_gateway.domain.jobs import Job, JobStage, JobStatus
from intrro_gateway.domain.status import ReferralStatus
from intrro_gateway.domain.tenant import AtsConnection, AtsCredentials, RotatingSecret, Tenant
from intrro_gateway.entrypoints.container import Container, build_container
from intrro_gateway.entrypoints.logging import configure_logging
from intrro_gateway.entrypoints.settings import load_settings
from intrro_gateway.ports.unit_of_work import InboundDelivery
from intrro_gateway.services.deps import Dependencies

TENANT = "bench"
JOB_ID = "5001"
STAGES = (
    JobStage("801", "Application Review", 0),
    JobStage("802", "Technical Interview", 1),
    JobStage("803", "Onsite", 2),
    JobStage("804", "Offer", 3),
)
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
FIRST_APPLICATION = 1_000_000
SEED_BATCH = 250
RUN_TIMEOUT_S = 110.0  # one drain never runs longer than this
PROGRESS_EVERY_S = 0.2


@dataclass(frozen=True, slots=True)
class Drain:
    """The figures of one drain."""

    database: str
    workers: int
    deliveries: int
    inbox_seconds: float
    total_seconds: float
    pushed: int
    dead: int
    finished: bool
    cpu_seconds: float
    connects: int

    def row(self) -> list[object]:
        """The drain as a table row."""
        items = self.deliveries + self.pushed
        return [
            self.database,
            self.workers,
            self.deliveries,
            self.pushed,
            self.inbox_seconds,
            self.total_seconds,
            self.deliveries / self.inbox_seconds,
            self.deliveries / self.total_seconds,
            items / self.total_seconds,
            1000 * self.cpu_seconds / self.deliveries,
            self.connects,
            self.dead,
            "yes" if self.finished else f"NO (stopped at {RUN_TIMEOUT_S:.0f} s)",
        ]


def container_for(database_url: str, folder: Path, platform: str, env: Mapping[str, str]) -> Any:
    """The real container on the database, the ATS faked, Intrro the receiver or the fake."""
    environ = {
        "GATEWAY_DATABASE_URL": database_url,
        "GATEWAY_SECRET_KEYS": fernet_key(),
        "GATEWAY_API_TOKENS": API_TOKEN,
        "GATEWAY_RUN_WORKER": "false",
        "GATEWAY_LOG_LEVEL": "warning",
        "GATEWAY_GREENHOUSE_BASE_URL": "http://127.0.0.1:9",
        "GATEWAY_GREENHOUSE_AUTH_URL": "http://127.0.0.1:9",
        **env,
    }
    settings = load_settings(folder / ".env", environ, generate=False)
    container: Container = build_container(settings)
    container.greenhouse_client.override(providers.Object(FakeAtsClient(SystemClock())))
    receiver = create_receiver_app(INTRRO_SECRET)
    if platform == "fake":
        container.intrro_platform.override(providers.Object(FakeReferralPlatform()))
    else:
        transport = httpx.ASGITransport(app=receiver)
        container.http_transport.override(providers.Object(transport))
    return container, receiver


def tenant() -> Tenant:
    """The connected tenant whose events go to the receiver."""
    return Tenant(
        id=TENANT,
        intrro_callback_url="http://intrro.bench/hooks",
        intrro_secret=RotatingSecret(current=INTRRO_SECRET),
        webhook_secret=RotatingSecret(current=WEBHOOK_SECRET),
        ats="greenhouse",
        connection=AtsConnection(
            ats="greenhouse",
            credentials=AtsCredentials(client_id="bench", client_secret="bench-secret"),
            connected_at=T0,
            ok=True,
        ),
        created_at=T0,
    )


def introduction(i: int) -> Introduction:
    """An exported introduction linked to application `FIRST_APPLICATION + i`, in the first stage."""
    stage = STAGES[0].as_ref()
    return Introduction(
        tenant_id=TENANT,
        introduction_id=f"intro-{i}",
        candidate=CandidateProfile("Ada", f"Lovelace {i}", (f"ada.{i}@example.com",)),
        referrer=Referrer("Grace Hopper", "grace@example.com"),
        job_ids=[JOB_ID],
        message=None,
        accepted_at=T0,
        links=[
            ApplicationLink(
                job_id=JOB_ID,
                application_id=str(FIRST_APPLICATION + i),
                status=ReferralStatus.APPLIED,
                stage=stage,
                last_change_at=T0,
                history=[
                    StatusChange(ReferralStatus.INTRODUCED, ReferralStatus.APPLIED, 1, T0, stage)
                ],
            )
        ],
        ats_candidate_id=str(2_000_000 + i),
        export_state=ExportState.EXPORTED,
        referral_credit="referrer",
        sequence=1,
    )


def stage_change(i: int, template: dict[str, Any], now: datetime) -> InboundDelivery:
    """A stored `candidate_stage_change` moving application i to the second stage, an hour later."""
    application = template["payload"]["application"]
    application["id"] = FIRST_APPLICATION + i
    application["candidate"]["id"] = 2_000_000 + i
    application["last_activity_at"] = (T0 + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    application["current_stage"]["id"] = int(STAGES[1].id)
    application["current_stage"]["name"] = STAGES[1].name
    application["jobs"][0]["id"] = int(JOB_ID)
    body = json.dumps(template).encode()
    return InboundDelivery(
        id=f"in-{i:08d}",
        tenant_id=TENANT,
        source="greenhouse",
        delivery_id=f"gh-{i}",
        body_hash=f"h{i}",
        body=body,
        kind="candidate_stage_change",
        received_at=now,
        ordering_key=f"application:{FIRST_APPLICATION + i}",
        subject_id=str(2_000_000 + i),
    )


async def seed(deps: Dependencies, n: int) -> None:
    """The tenant, the job and the introductions, then the waiting deliveries."""
    async with deps.uow() as uow:
        await uow.tenants.add(tenant())
        job = Job(ats_id=JOB_ID, title="Backend Engineer", status=JobStatus.OPEN, stages=STAGES)
        await uow.jobs.upsert(TENANT, job)
        await uow.commit()
    template = json.loads(fixture("candidate_stage_change"))
    now = deps.clock.now()
    for start in range(0, n, SEED_BATCH):
        async with deps.uow() as uow:
            for i in range(start, min(n, start + SEED_BATCH)):
                await uow.introductions.add(introduction(i))
                await uow.inbox.add(stage_change(i, template, now))
            await uow.commit()


async def queue_states(container: Any) -> Mapping[tuple[str, str], int]:
    """Items per (direction, state)."""
    probe = await _resolve(container.queue_depths())
    depths: Mapping[tuple[str, str], int] = await probe()
    return depths


async def _resolve(value: Any) -> Any:
    """A provider's value, awaited when the provider answered in async mode."""
    return await value if inspect.isawaitable(value) else value


async def drain(database: str, url: str, folder: Path, args: argparse.Namespace) -> Drain:
    """Seed, then run the workers until everything is processed and pushed (or the time is up)."""
    env = {"GATEWAY_BATCH_SIZE": str(args.batch_size)}
    container, receiver = container_for(url, folder, args.platform, env)
    await asyncio.to_thread(upgrade, url)
    await _resolve(container.init_resources())
    try:
        deps = await _resolve(container.deps())
        await seed(deps, args.n)
        workers = [await _resolve(container.worker()) for _ in range(args.workers)]
        connects = [0]

        @event.listens_for(container.engine().sync_engine, "connect")
        def _count(*_: object) -> None:
            connects[0] += 1

        stop = asyncio.Event()
        cpu_started = time.process_time()
        started = time.perf_counter()
        tasks = [asyncio.create_task(w.run(stop)) for w in workers]
        inbox_done: float | None = None
        finished = False
        depths: Mapping[tuple[str, str], int] = {}
        while time.perf_counter() - started < RUN_TIMEOUT_S:
            await asyncio.sleep(PROGRESS_EVERY_S)
            depths = await queue_states(container)
            waiting_in = depths.get(("in", "received"), 0)
            if inbox_done is None and waiting_in == 0:
                inbox_done = time.perf_counter() - started
            settled_out = depths.get(("out", "done"), 0) + depths.get(("out", "dead"), 0)
            if waiting_in == 0 and settled_out >= args.n:
                finished = True
                break
        total = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        stop.set()
        await asyncio.gather(*tasks)
        pushed = _interviewing(receiver, container, args.platform)
        dead = depths.get(("in", "dead"), 0) + depths.get(("out", "dead"), 0)
        return Drain(
            database=database,
            workers=args.workers,
            deliveries=args.n,
            inbox_seconds=inbox_done if inbox_done is not None else total,
            total_seconds=total,
            pushed=pushed,
            dead=dead,
            finished=finished,
            cpu_seconds=cpu,
            connects=connects[0],
        )
    finally:
        await _resolve(container.shutdown_resources())


def _interviewing(receiver: Any, container: Any, platform: str) -> int:
    """How many pushed events say an application moved from applied to interviewing."""
    if platform == "receiver":
        events = [(e.type, e.data) for e in receiver.state.received]
    else:
        events = [(m.type, m.data) for m in container.intrro_platform().messages]
    return sum(
        1
        for kind, data in events
        if kind == "application.status_changed"
        and data["status"] == "interviewing"
        and data["previous_status"] == "applied"
    )


def size_pools(size: int) -> None:
    """What-if: every engine the gateway makes gets a pool of `size` connections (shipped: 5)."""
    shipped = vars(engine_module)["create_async_engine"]

    def sized(url: Any, **kwargs: Any) -> Any:
        return shipped(url, **{**kwargs, "pool_size": size})

    vars(engine_module)["create_async_engine"] = sized


def run(database: str, args: argparse.Namespace) -> Drain:
    """One drain on a throw-away database of this kind."""
    with (
        throwaway_database(database) as url,
        tempfile.TemporaryDirectory(prefix="intrro-bench-worker-") as folder,
    ):
        return asyncio.run(drain(database, url, Path(folder), args))


def main() -> None:
    """Parse the arguments, run, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="inbox deliveries (1000)")
    parser.add_argument("--database", choices=["sqlite", "postgres", "all"], default="all")
    parser.add_argument("--workers", type=int, default=1, help="workers in this process (1)")
    parser.add_argument("--batch-size", type=int, default=10, help="GATEWAY_BATCH_SIZE (10)")
    parser.add_argument("--platform", choices=["receiver", "fake"], default="receiver")
    parser.add_argument(
        "--pool-size",
        type=int,
        default=0,
        help="what-if: the engine's pool size (shipped: SQLAlchemy's default, 5)",
    )
    args = parser.parse_args()
    configure_logging("console", "WARNING")
    if args.pool_size:
        size_pools(args.pool_size)
    print(machine_line())
    print(
        f"worker: {args.n} stage changes of linked applications, {args.workers} worker(s), "
        f"batch {args.batch_size}, pushes to the {args.platform}, "
        f"pool size {args.pool_size or 'as shipped (5)'}"
    )
    rows = [run(database, args).row() for database in databases(args.database)]
    print(
        table(
            [
                "database",
                "workers",
                "deliveries",
                "pushed (applied -> interviewing)",
                "inbox s",
                "total s",
                "inbox/s",
                "deliveries/s end to end",
                "items/s (in + out)",
                "CPU ms/delivery",
                "new DB connections",
                "dead",
                "finished",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
