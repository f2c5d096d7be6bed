"""Soak: the real processes under a steady mixed load on PostgreSQL for `--minutes` (10), then the
fault suite's ledger oracle, with each process's RSS and database connections sampled all along.

The stack is the fault suite's (`tests/faults/stack.py`): the Greenhouse sandbox, `serve --no-worker`,
two `worker` processes, the recording Intrro receiver; a fresh PostgreSQL schema, dropped afterwards.
The load, every second: `--rate` introductions accepted (one in ten sent a second time), and as many
stage changes made in the sandbox on applications exported earlier (web hooks in, status pushes out).
Figures printed: per process RSS and open PostgreSQL connections at the start (after a minute of warm-up)
and at the end, the growth of the schema's tables and of the server's WAL (shared with whoever else uses
the server: an upper bound), throughput, and the oracle line. Not run in CI.

    .venv/bin/python bench/soak.py [--minutes 10] [--rate 1.0]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.dbfixtures import POSTGRES_URL, postgres_dsn
from tests.e2e.live_events import EXPORTED
from tests.faults.ledger import Ledger, drain, oracle, send_stream
from tests.faults.stack import Proc, Stack, fault_stack

PG_PORT_HEX = ":1538"  # 5432


def rss_kib(pid: int) -> int:
    """The process's resident set size (KiB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def pg_connections(pid: int) -> int:
    """How many TCP connections to port 5432 the process holds open."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            parts = line.split()
            if parts[2].upper().endswith(PG_PORT_HEX.upper()) and parts[9] in inodes:
                count += 1
    return count


def sample(procs: list[Proc]) -> dict[str, tuple[int, int]]:
    """(RSS KiB, PostgreSQL connections) of each live process."""
    out = {}
    for proc in procs:
        if proc.proc is not None and proc.alive:
            out[proc.name] = (rss_kib(proc.proc.pid), pg_connections(proc.proc.pid))
    return out


def schema_bytes(url: str) -> int:
    """The total size of the schema's tables (with indexes and TOAST)."""
    with psycopg.connect(postgres_dsn(url)) as conn:
        row = conn.execute(
            "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind = 'r'"
        ).fetchone()
    return int(row[0]) if row else 0


def wal_lsn(url: str) -> str:
    """The server's current WAL position."""
    with psycopg.connect(postgres_dsn(url)) as conn:
        row = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()
    return str(row[0]) if row else "0/0"


def wal_bytes(url: str, start: str, end: str) -> int:
    """WAL bytes between two positions."""
    with psycopg.connect(postgres_dsn(url)) as conn:
        row = conn.execute("SELECT pg_wal_lsn_diff(%s, %s)", (end, start)).fetchone()
    return int(row[0]) if row else 0


async def soak(url: str, folder: Path, minutes: float, rate: float, seed: int) -> int:
    rng = random.Random(seed)
    ledger = Ledger()
    async with fault_stack(url, folder, gateways=1, workers=2) as stack:
        procs = [stack.sandbox, *stack.gateways, *stack.workers]
        stages = await _stages(stack)
        started = time.monotonic()
        end = started + minutes * 60
        warm = started + min(60.0, minutes * 6)
        first: dict[str, tuple[int, int]] | None = None
        schema_start = wal_start = None
        samples: list[tuple[float, dict[str, tuple[int, int]]]] = []
        n = moves = 0
        next_sample = started
        while time.monotonic() < end:
            tick = time.monotonic()
            batch = ledger.plan(max(1, round(rate)), stack.jobs, rng, f"soak{n:05d}")
            n += 1
            sending = asyncio.create_task(
                send_stream(stack, ledger, batch, rng=rng, concurrency=2, resend_elsewhere=0.0)
            )
            moves += await _move_some(stack, rng, stages, max(1, round(rate)))
            await sending
            if rng.random() < 0.1:  # a delivery sent again: stored once
                await send_stream(stack, ledger, batch[:1], rng=rng, concurrency=1)
            if first is None and time.monotonic() >= warm:
                first = sample(procs)
                schema_start, wal_start = schema_bytes(url), wal_lsn(url)
            if time.monotonic() >= next_sample:
                samples.append((time.monotonic() - started, sample(procs)))
                next_sample += 30
            await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))
        elapsed = time.monotonic() - started
        last = sample(procs)
        schema_end, wal_end = schema_bytes(url), wal_lsn(url)
        await drain(stack, ledger)
        verdict = await oracle(stack, ledger, "soak")

    print(
        f"soak: {elapsed / 60:.1f} min, seed {seed}, {len(ledger.intros)} introductions, "
        f"{moves} stage changes, {len(stack.receiver.received)} pushes received"
    )
    print("soak: RSS (MiB) and PostgreSQL connections per process, after warm-up -> end:")
    for name in sorted(last):
        a = (first or {}).get(name, (0, 0))
        b = last[name]
        print(
            f"  {name:10s} RSS {a[0] / 1024:7.1f} -> {b[0] / 1024:7.1f}   connections {a[1]} -> {b[1]}"
        )
    print("soak: samples (s: name RSS MiB / connections):")
    for at, values in samples:
        line = "  ".join(f"{k} {v[0] / 1024:.0f}/{v[1]}" for k, v in sorted(values.items()))
        print(f"  {at:6.0f}s  {line}")
    if schema_start is not None and wal_start is not None:
        print(
            f"soak: schema tables {schema_start / 1e6:.1f} MB -> {schema_end / 1e6:.1f} MB; "
            f"server WAL written meanwhile {wal_bytes(url, wal_start, wal_end) / 1e6:.1f} MB "
            "(the server is shared: an upper bound)"
        )
    print(verdict.line())
    clean = (
        verdict.lost,
        verdict.duplicated_pushes,
        verdict.duplicated_ats_writes,
        verdict.out_of_order,
    ) == (0, 0, 0, 0)
    return 0 if clean else 1


async def _stages(stack: Stack) -> dict[str, list[int]]:
    stages: dict[str, list[int]] = {}
    params: dict[str, Any] = {"status": "all"}
    while True:
        page = await stack.api("GET", "/api/tenants/acme/jobs", params=params)
        for job in page["jobs"]:
            stages[str(job["id"])] = [int(s["id"]) for s in job["stages"]]
        if not page.get("next_cursor"):
            return stages
        params = {"status": "all", "cursor": page["next_cursor"]}


async def _move_some(
    stack: Stack, rng: random.Random, stages: dict[str, list[int]], count: int
) -> int:
    exported = [e for e in stack.receiver.received if e.type == EXPORTED]
    moved = 0
    for event in rng.sample(exported, min(count, len(exported))):
        entry = rng.choice(event.data["applications"])
        choices = stages.get(str(entry["job_id"]), [])[1:]
        if not choices or not entry["application_id"]:
            continue
        response = await stack.http.post(
            f"{stack.sandbox_url}/_sandbox/applications/{entry['application_id']}/move",
            json={"to_stage_id": rng.choice(choices)},
        )
        moved += response.status_code == 200
    return moved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument(
        "--rate", type=float, default=1.0, help="introductions per second (whole, at least 1)"
    )
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else time.time_ns() % 1_000_000
    schema = f"soak_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_dsn(), autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{separator}options={quote(f'-csearch_path={schema}')}"
    try:
        with tempfile.TemporaryDirectory(prefix="soak-") as folder:
            return asyncio.run(soak(url, Path(folder), args.minutes, args.rate, seed))
    finally:
        with psycopg.connect(postgres_dsn(), autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    raise SystemExit(main())
