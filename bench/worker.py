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
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
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
    fixture,
    free_port,
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
        "GATEWAY_LEVER_BASE_URL": "http://127.0.0.1:9",  # no Lever sandbox beside it
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


async def seed(
    deps: Dependencies, n: int, *, callback: str | None = None, deliveries: bool = True
) -> None:
    """The tenant, the job and the introductions, then (unless told not to) the waiting deliveries."""
    async with deps.uow() as uow:
        owner = tenant() if callback is None else replace(tenant(), intrro_callback_url=callback)
        await uow.tenants.add(owner)
        job = Job(ats_id=JOB_ID, title="Backend Engineer", status=JobStatus.OPEN, stages=STAGES)
        await uow.jobs.upsert(TENANT, job)
        await uow.commit()
    template = json.loads(fixture("candidate_stage_change"))
    now = deps.clock.now()
    for start in range(0, n, SEED_BATCH):
        async with deps.uow() as uow:
            for i in range(start, min(n, start + SEED_BATCH)):
                await uow.introductions.add(introduction(i))
                if deliveries:
                    await uow.inbox.add(stage_change(i, template, now))
            await uow.commit()


async def add_deliveries(deps: Dependencies, n: int) -> None:
    """The `n` waiting stage changes, in one commit (which wakes idle workers)."""
    template = json.loads(fixture("candidate_stage_change"))
    now = deps.clock.now()
    async with deps.uow() as uow:
        for i in range(n):
            await uow.inbox.add(stage_change(i, template, now))
        await uow.commit()


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def settled(pids: list[int], quiet_s: float = 0.5, limit_s: float = 30.0) -> None:
    """Wait until the processes stop using CPU (their start-up is over)."""
    deadline = time.monotonic() + limit_s
    last = [cpu_seconds(pid) for pid in pids]
    while time.monotonic() < deadline:
        time.sleep(quiet_s)
        now = [cpu_seconds(pid) for pid in pids]
        if all(b - a < 0.02 for a, b in zip(last, now, strict=True)):
            return
        last = now


async def drain_processes(database: str, url: str, folder: Path, args: argparse.Namespace) -> Drain:
    """Seed, start `--processes` worker processes (the shipped `worker` command) and a receiver
    process, wait until the workers are idle, then store the deliveries in one commit and time the
    drain; CPU is the worker processes' own (from /proc)."""
    key = fernet_key()
    receiver_port = free_port()
    receiver = f"http://127.0.0.1:{receiver_port}"
    env = {
        "GATEWAY_DATABASE_URL": url,
        "GATEWAY_SECRET_KEYS": key,
        "GATEWAY_API_TOKENS": API_TOKEN,
        "GATEWAY_RUN_WORKER": "false",
        "GATEWAY_LOG_LEVEL": "warning",
        "GATEWAY_AUTO_MIGRATE": "false",
        "GATEWAY_BATCH_SIZE": str(args.batch_size),
        "GATEWAY_GREENHOUSE_BASE_URL": "http://127.0.0.1:9",
        "GATEWAY_GREENHOUSE_AUTH_URL": "http://127.0.0.1:9",
        "GATEWAY_LEVER_BASE_URL": "http://127.0.0.1:9",  # no Lever sandbox beside it
    }
    await asyncio.to_thread(upgrade, url)
    settings = load_settings(folder / ".env", env, generate=False)
    container = build_container(settings)
    deps = await _resolve(container.deps())
    children: list[subprocess.Popen[bytes]] = []
    logs = []
    try:
        await seed(deps, args.n, callback=f"{receiver}/hooks", deliveries=False)
        receiver_cmd = [sys.executable, str(BENCH / "_receiver.py"), str(receiver_port)]
        log = (folder / "receiver.log").open("wb")
        logs.append(log)
        children.append(
            subprocess.Popen([*receiver_cmd, INTRRO_SECRET], stdout=log, stderr=subprocess.STDOUT)
        )
        worker_env = {**os.environ, **env, "GATEWAY_ENV": "development"}
        for n in range(args.processes):
            log = (folder / f"worker-{n}.log").open("wb")
            logs.append(log)
            command = [sys.executable, "-m", "intrro_gateway.entrypoints.cli", "worker"]
            children.append(
                subprocess.Popen(
                    command, env=worker_env, cwd=folder, stdout=log, stderr=subprocess.STDOUT
                )
            )
        workers = [c.pid for c in children[1:]]
        await asyncio.to_thread(settled, workers, 0.5, 60.0)
        await asyncio.sleep(1.0)  # the relays are listening
        cpu_started = sum(cpu_seconds(pid) for pid in workers)
        started = time.perf_counter()
        await add_deliveries(deps, args.n)
        inbox_done: float | None = None
        finished = False
        depths: Mapping[tuple[str, str], int] = {}
        while time.perf_counter() - started < RUN_TIMEOUT_S:
            await asyncio.sleep(PROGRESS_EVERY_S / 4)
            depths = await queue_states(container)
            waiting_in = depths.get(("in", "received"), 0)
            if inbox_done is None and waiting_in == 0:
                inbox_done = time.perf_counter() - started
            settled_out = depths.get(("out", "done"), 0) + depths.get(("out", "dead"), 0)
            if waiting_in == 0 and settled_out >= args.n:
                finished = True
                break
        total = time.perf_counter() - started
        cpu = sum(cpu_seconds(pid) for pid in workers) - cpu_started
        async with httpx.AsyncClient(base_url=receiver, timeout=10) as client:
            received = (await client.get("/received")).json()
        pushed = sum(
            1
            for r in received
            if r["type"] == "application.status_changed" and str(r["application_id"]).isdigit()
        )
        dead = depths.get(("in", "dead"), 0) + depths.get(("out", "dead"), 0)
        return Drain(
            database=database,
            workers=args.processes,
            deliveries=args.n,
            inbox_seconds=inbox_done if inbox_done is not None else total,
            total_seconds=total,
            pushed=pushed,
            dead=dead,
            finished=finished,
            cpu_seconds=cpu,
            connects=0,
        )
    finally:
        for child in children:
            child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        for log in logs:
            log.close()
        if os.environ.get("BENCH_KEEP_LOG"):
            for path in folder.glob("*.log"):
                (Path(os.environ["BENCH_KEEP_LOG"]) / path.name).write_bytes(path.read_bytes())
        await container.engine().dispose()


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
        if args.processes:
            return asyncio.run(drain_processes(database, url, Path(folder), args))
        return asyncio.run(drain(database, url, Path(folder), args))


def main() -> None:
    """Parse the arguments, run, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="inbox deliveries (1000)")
    parser.add_argument("--database", choices=["sqlite", "postgres", "all"], default="all")
    parser.add_argument("--workers", type=int, default=1, help="workers in this process (1)")
    parser.add_argument(
        "--processes",
        type=int,
        default=0,
        help="instead: this many `intrro-gateway worker` processes, pushing to a receiver process",
    )
    parser.add_argument("--batch-size", type=int, default=10, help="GATEWAY_BATCH_SIZE (10)")
    parser.add_argument("--platform", choices=["receiver", "fake"], default="receiver")
    parser.add_argument(
        "--pool-size",
        type=int,
        default=0,
        help="what-if: the engine's pool size (shipped: SQLAlchemy's default, 5)",
    )
    args = parser.parse_args()
    exit_on_sigterm()
    configure_logging("console", "WARNING")
    if args.pool_size:
        size_pools(args.pool_size)
    print(machine_line())
    where = (
        f"{args.processes} worker process(es), pushes over HTTP to a receiver process, CPU of the "
        "worker processes"
        if args.processes
        else f"{args.workers} worker(s) in this process, pushes to the {args.platform}, CPU of this "
        "process (receiver included)"
    )
    print(
        f"worker: {args.n} stage changes of linked applications, {where}, "
        f"batch {args.batch_size}, pool size {args.pool_size or 'as shipped'}"
    )
    drains = [run(database, args) for database in databases(args.database)]
    rows = [d.row() for d in drains]
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
    for d in drains:
        print(
            f"worker: database={d.database} workers={d.workers} "
            f"deliveries_per_s={d.deliveries / d.total_seconds:.1f} "
            f"cpu_ms_per_delivery={1000 * d.cpu_seconds / d.deliveries:.2f} "
            f"pushed={d.pushed} dead={d.dead} finished={'yes' if d.finished else 'no'}"
        )


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
