"""End to end: a signed web hook sent -> the status change pushed to Intrro, per web hook, at a fixed rate.

The shipped gateway (`intrro-gateway serve`, the worker in-process) runs in its own process on a
throw-away database, seeded with one connected tenant, one job with four stages and one exported
introduction per web hook to come, each linked to its own application in the first stage. The tenant's
Intrro callback is a recording receiver in a process of its own (`bench/_receiver.py`), which keeps the
wall-clock time each push arrives. This script sends signed Greenhouse `candidate_stage_change` web hooks
(each moving its application to the second stage) at `--rate` per second for `--seconds` seconds, on an
open-loop schedule (a late answer never delays the next send), and measures per web hook the time from
just before its POST to the receiver's receipt of its `application.status_changed`.

    .venv/bin/python bench/latency.py --rate 100 --seconds 60 --database postgres

Last line: `latency: rate=… p50_ms=… p99_ms=… delivered_per_s=… lost=… duplicated=…`. `lost` counts
acknowledged (200) web hooks whose push never arrived within the grace period after the last send;
`duplicated` counts pushes received more than once (same `webhook-id`) or a second push for an application.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from _common import (
    API_TOKEN,
    BENCH,
    INTRRO_SECRET,
    bench_module,
    child_process,
    exit_on_sigterm,
    fernet_key,
    fixture,
    free_port,
    greenhouse_headers,
    machine_line,
    percentile,
    table,
    throwaway_database,
)

from intrro_gateway.adapters.sql.migrate import upgrade
from intrro_gateway.domain.jobs import Job, JobStatus
from intrro_gateway.entrypoints.container import build_container
from intrro_gateway.entrypoints.settings import load_settings

_world = bench_module("worker")  # the seeded world of bench/worker.py
FIRST_APPLICATION, JOB_ID, STAGES, T0, TENANT = (
    _world.FIRST_APPLICATION,
    _world.JOB_ID,
    _world.STAGES,
    _world.T0,
    _world.TENANT,
)
introduction, tenant = _world.introduction, _world.tenant
START_TIMEOUT_S = 30.0
GRACE_S = 20.0  # after the last send, how long pushes may still arrive
DRAIN_S = 15.0  # after the last send, how long answers may still come
SEED_BATCH = 500
MAX_SECONDS = 100  # one run never sends for longer than this


def webhook_body(template: dict[str, Any], i: int) -> bytes:
    """Application i moves to the second stage, an hour after it was applied."""
    application = template["payload"]["application"]
    application["id"] = FIRST_APPLICATION + i
    application["candidate"]["id"] = 2_000_000 + i
    application["last_activity_at"] = (T0 + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    application["current_stage"]["id"] = int(STAGES[1].id)
    application["current_stage"]["name"] = STAGES[1].name
    application["jobs"][0]["id"] = int(JOB_ID)
    return json.dumps(template).encode()


async def seed(url: str, key: str, folder: Path, receiver: str, count: int) -> None:
    """The tenant (its callback the receiver), the job and `count` exported introductions."""
    environ = {
        "GATEWAY_DATABASE_URL": url,
        "GATEWAY_SECRET_KEYS": key,
        "GATEWAY_API_TOKENS": API_TOKEN,
        "GATEWAY_RUN_WORKER": "false",
        "GATEWAY_LOG_LEVEL": "warning",
    }
    container = build_container(load_settings(folder / ".env", environ, generate=False))
    deps = container.deps()
    try:
        async with deps.uow() as uow:
            await uow.tenants.add(replace(tenant(), intrro_callback_url=f"{receiver}/hooks"))
            job = Job(ats_id=JOB_ID, title="Backend Engineer", status=JobStatus.OPEN, stages=STAGES)
            await uow.jobs.upsert(TENANT, job)
            await uow.commit()
        for start in range(0, count, SEED_BATCH):
            async with deps.uow() as uow:
                for i in range(start, min(count, start + SEED_BATCH)):
                    await uow.introductions.add(introduction(i))
                await uow.commit()
    finally:
        await container.engine().dispose()


async def wait_up(url: str, proc: subprocess.Popen[bytes], path: str) -> None:
    """Poll `path` until it answers below 500."""
    deadline = time.monotonic() + START_TIMEOUT_S
    async with httpx.AsyncClient(base_url=url, timeout=5) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SystemExit(f"{proc.args!r} exited with {proc.returncode} at start-up")
            with contextlib.suppress(httpx.TransportError):
                if (await client.get(path)).status_code < 500:
                    return
            await asyncio.sleep(0.1)
    raise SystemExit(f"{url} was not up within {START_TIMEOUT_S:.0f} s")


async def send_all(gateway: str, rate: float, count: int) -> tuple[dict[int, float], Counter[int]]:
    """POST `count` web hooks at `rate` per second; the send time of each acknowledged one."""
    template = json.loads(fixture("candidate_stage_change"))
    requests = []
    for i in range(count):
        body = webhook_body(template, i)
        requests.append((body, greenhouse_headers(body, str(uuid.uuid4()))))
    sent: dict[int, float] = {}
    statuses: Counter[int] = Counter()
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=gateway, limits=limits, timeout=10) as client:

        async def one(i: int) -> None:
            body, headers = requests[i]
            at = time.time()
            try:
                response = await client.post(
                    f"/webhooks/greenhouse/{TENANT}", content=body, headers=headers
                )
                status = response.status_code
            except httpx.TransportError:
                status = 0
            statuses[status] += 1
            if status == 200:
                sent[FIRST_APPLICATION + i] = at

        start = time.perf_counter()
        tasks = []
        for i in range(count):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i)))
        # Bounded: what has no answer by then counts as not acknowledged.
        _, late = await asyncio.wait(tasks, timeout=DRAIN_S)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
    return sent, statuses


async def collect(receiver: str, expected: int) -> list[dict[str, Any]]:
    """What the receiver got, once every push arrived or the grace period ran out."""
    deadline = time.monotonic() + GRACE_S
    async with httpx.AsyncClient(base_url=receiver, timeout=10) as client:
        while True:
            received: list[dict[str, Any]] = (await client.get("/received")).json()
            moved = [r for r in received if r["type"] == "application.status_changed"]
            if len(moved) >= expected or time.monotonic() > deadline:
                return received
            await asyncio.sleep(0.25)


async def measure(url: str, args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    """Seed, start the receiver and the gateway, send, collect, compute."""
    count = int(args.rate * args.seconds)
    key = fernet_key()
    receiver_port, gateway_port = free_port(), free_port()
    receiver = f"http://127.0.0.1:{receiver_port}"
    gateway = f"http://127.0.0.1:{gateway_port}"
    await asyncio.to_thread(upgrade, url)
    await seed(url, key, folder, receiver, count)
    env = {
        **os.environ,
        "GATEWAY_ENV": "development",
        "GATEWAY_DATABASE_URL": url,
        "GATEWAY_SECRET_KEYS": key,
        "GATEWAY_API_TOKENS": API_TOKEN,
        "GATEWAY_LOG_LEVEL": os.environ.get("BENCH_GATEWAY_LOG_LEVEL", "warning"),
        "GATEWAY_AUTO_MIGRATE": "false",
        "GATEWAY_GREENHOUSE_BASE_URL": "http://127.0.0.1:9",
        "GATEWAY_GREENHOUSE_AUTH_URL": "http://127.0.0.1:9",
        "GATEWAY_LEVER_BASE_URL": "http://127.0.0.1:9",  # no Lever sandbox beside it
    }
    receiver_cmd = [sys.executable, str(BENCH / "_receiver.py"), str(receiver_port), INTRRO_SECRET]
    gateway_cmd = [
        sys.executable,
        "-m",
        "intrro_gateway.entrypoints.cli",
        "serve",
        "--port",
        str(gateway_port),
    ]
    with (
        child_process(receiver_cmd, dict(os.environ), folder / "receiver.log") as receiver_proc,
        child_process(gateway_cmd, env, folder / "gateway.log") as gateway_proc,
    ):
        await wait_up(receiver, receiver_proc, "/received")
        await wait_up(gateway, gateway_proc, "/readyz")
        started = time.perf_counter()
        sent, statuses = await send_all(gateway, args.rate, count)
        send_seconds = time.perf_counter() - started
        received = await collect(receiver, len(sent))
    ids = Counter(r["id"] for r in received)
    moved = [r for r in received if r["type"] == "application.status_changed"]
    per_application = Counter(int(r["application_id"]) for r in moved)
    first_receipt: dict[int, float] = {}
    for r in sorted(moved, key=lambda r: r["at"]):
        first_receipt.setdefault(int(r["application_id"]), r["at"])
    latencies = sorted(
        1000 * (first_receipt[app] - at) for app, at in sent.items() if app in first_receipt
    )
    last = max(first_receipt.values(), default=0.0)
    first = min(sent.values(), default=0.0)
    return {
        "count": count,
        "acknowledged": len(sent),
        "refused": sum(n for s, n in statuses.items() if s != 200),
        "send_seconds": send_seconds,
        "latencies": latencies,
        "delivered_per_s": len(first_receipt) / (last - first) if last > first else 0.0,
        "lost": sum(1 for app in sent if app not in first_receipt),
        "duplicated": sum(n - 1 for n in ids.values() if n > 1)
        + sum(n - 1 for n in per_application.values() if n > 1),
    }


def main() -> None:
    """Parse the arguments, run, print the table and the last line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=20.0, help="web hooks per second (20)")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long to send (30)")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="postgres")
    args = parser.parse_args()
    exit_on_sigterm()
    if args.seconds > MAX_SECONDS:
        raise SystemExit(f"--seconds is at most {MAX_SECONDS}")
    print(machine_line())
    print(
        f"latency: the shipped `serve` (worker in-process) on {args.database}, {args.rate:g} signed "
        f"stage changes/s for {args.seconds:g} s, open loop; receiver in its own process"
    )
    with (
        throwaway_database(args.database) as url,
        tempfile.TemporaryDirectory(prefix="intrro-bench-latency-") as folder,
    ):
        r = asyncio.run(measure(url, args, Path(folder)))
        if os.environ.get("BENCH_KEEP_LOG"):
            Path(os.environ["BENCH_KEEP_LOG"]).write_text(
                (Path(folder) / "gateway.log").read_text()
            )
    lat = r["latencies"]
    p50, p99 = percentile(lat, 0.50), percentile(lat, 0.99)
    print(
        table(
            [
                "database",
                "rate/s",
                "sent",
                "acknowledged",
                "not 200",
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "max ms",
                "delivered/s",
                "lost",
                "duplicated",
            ],
            [
                [
                    args.database,
                    args.rate,
                    r["count"],
                    r["acknowledged"],
                    r["refused"],
                    p50,
                    percentile(lat, 0.95),
                    p99,
                    lat[-1] if lat else float("nan"),
                    r["delivered_per_s"],
                    r["lost"],
                    r["duplicated"],
                ]
            ],
        )
    )
    print(
        f"latency: rate={args.rate:g} p50_ms={p50:.1f} p99_ms={p99:.1f} "
        f"delivered_per_s={r['delivered_per_s']:.1f} lost={r['lost']} duplicated={r['duplicated']}"
    )


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
