"""Web hook ingress throughput and latency: signed deliveries POSTed to the real app under uvicorn.

For each database the gateway runs as its own process (`intrro-gateway serve --no-worker`, the worker
off, development settings on a throw-away database, log level warning) on a free loopback port. This
process then POSTs `--n` signed Greenhouse `candidate_stage_change` web hooks (each a new delivery id and
application) and `--n` signed Intrro `introduction.accepted` events, from `--concurrency` concurrent httpx
clients, after a short warm-up; and reports requests per second, latency percentiles and the server's CPU
time per request (from /proc). Every answer must be exactly 200 (Greenhouse) or 202 (Intrro).

    .venv/bin/python bench/ingress.py [--n 2000] [--concurrency 16] [--database sqlite|postgres|all]

`--compare-bare` instead drives the gateway (`serve --no-worker`) and a bare Starlette endpoint that only
reads the body (`bench/_bare.py`, served the same way) with the same load generator in one run: `wrk`
where installed (`--connections` 32, 2 threads, `--seconds` each, a pool of distinct signed stage changes
sent round-robin by a Lua script), else this script's httpx clients. Its last line is
`ingest: ratio_sqlite=… ratio_postgres=… p99_ms_sqlite=… p99_ms_postgres=…` (ratio: gateway requests/s
over the bare endpoint's).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from _common import (
    API_TOKEN,
    BENCH,
    INTRRO_SECRET,
    WEBHOOK_SECRET,
    accepted_data,
    child_process,
    databases,
    exit_on_sigterm,
    fernet_key,
    fixture,
    free_port,
    greenhouse_headers,
    intrro_body,
    intrro_headers,
    machine_line,
    percentile,
    table,
    throwaway_database,
)

TENANT = "bench"
WARMUP = 100
START_TIMEOUT_S = 60.0
RUN_TIMEOUT_S = 110.0  # one scenario never runs longer than this
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

Request = tuple[str, bytes, dict[str, str]]


@dataclass(frozen=True, slots=True)
class Result:
    """The figures of one scenario."""

    database: str
    endpoint: str
    requests: int
    concurrency: int
    seconds: float
    latencies_ms: list[float]
    statuses: Counter[int]
    server_cpu_s: float

    def row(self, expected: int) -> list[object]:
        """The scenario as a table row."""
        lat = sorted(self.latencies_ms)
        wrong = sum(n for status, n in self.statuses.items() if status != expected)
        return [
            f"{self.database} {self.endpoint}",
            self.requests,
            self.concurrency,
            self.requests / self.seconds,
            percentile(lat, 0.50),
            percentile(lat, 0.95),
            percentile(lat, 0.99),
            lat[-1] if lat else float("nan"),
            1000 * self.server_cpu_s / self.requests,
            wrong,
        ]


# -- the requests --------------------------------------------------------------------------------


def greenhouse_requests(count: int, first: int) -> list[Request]:
    """Signed stage changes, each of its own application and Greenhouse event id."""
    template = json.loads(fixture("candidate_stage_change"))
    out: list[Request] = []
    for i in range(first, first + count):
        application = template["payload"]["application"]
        application["id"] = 1_000_000 + i
        application["candidate"]["id"] = 2_000_000 + i
        body = json.dumps(template).encode()
        headers = greenhouse_headers(body, str(uuid.uuid4()))
        out.append((f"/webhooks/greenhouse/{TENANT}", body, headers))
    return out


def intrro_requests(count: int, first: int) -> list[Request]:
    """Signed `introduction.accepted` events, each of its own introduction and `webhook-id`."""
    out: list[Request] = []
    for i in range(first, first + count):
        body = intrro_body("introduction.accepted", accepted_data(f"intro-{i}"))
        headers = intrro_headers(body, f"msg_{uuid.uuid4().hex}")
        out.append((f"/events/intrro/{TENANT}", body, headers))
    return out


# -- the gateway process -------------------------------------------------------------------------


@contextmanager
def gateway_process(
    database_url: str, folder: Path, port: int, *, nodelay: bool = False
) -> Iterator[subprocess.Popen[bytes]]:
    """`intrro-gateway serve --no-worker` on the database, stopped by SIGTERM at the end; with
    `nodelay`, through `_serve_nodelay.py` (TCP_NODELAY on the listening socket)."""
    env = {
        **os.environ,
        "GATEWAY_ENV": "development",
        "GATEWAY_DATABASE_URL": database_url,
        "GATEWAY_SECRET_KEYS": fernet_key(),
        "GATEWAY_API_TOKENS": API_TOKEN,
        "GATEWAY_LOG_LEVEL": "warning",
        # Not the sandbox's address, so `serve` runs the gateway alone (nothing calls Greenhouse).
        "GATEWAY_GREENHOUSE_BASE_URL": "http://127.0.0.1:9",
        "GATEWAY_GREENHOUSE_AUTH_URL": "http://127.0.0.1:9",
        "GATEWAY_LEVER_BASE_URL": "http://127.0.0.1:9",  # no Lever sandbox beside it
    }
    launcher = (
        [str(BENCH / "_serve_nodelay.py")] if nodelay else ["-m", "intrro_gateway.entrypoints.cli"]
    )
    command = [sys.executable, *launcher, "serve", "--no-worker", "--port", str(port)]
    with child_process(command, env, folder / "gateway.log") as proc:
        yield proc


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


async def wait_ready(client: httpx.AsyncClient, proc: subprocess.Popen[bytes]) -> None:
    """Poll `/readyz` until the gateway answers 200."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the gateway exited with {proc.returncode} at start-up")
        try:
            if (await client.get("/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise SystemExit(f"the gateway was not ready within {START_TIMEOUT_S:.0f} s")


async def create_tenant(client: httpx.AsyncClient) -> None:
    """The benchmark's tenant, with known secrets."""
    body = {
        "intrro_callback_url": "http://127.0.0.1:9/hooks",
        "intrro_secret": INTRRO_SECRET,
        "greenhouse_webhook_secret": WEBHOOK_SECRET,
    }
    response = await client.put(
        f"/api/tenants/{TENANT}", json=body, headers={"Authorization": f"Bearer {API_TOKEN}"}
    )
    if response.status_code not in (200, 201):
        raise SystemExit(f"creating the tenant answered {response.status_code}: {response.text}")


async def fire(
    client: httpx.AsyncClient, requests: list[Request], concurrency: int
) -> tuple[float, list[float], Counter[int]]:
    """POST every request from `concurrency` clients; (seconds, latencies in ms, statuses)."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    queue = iter(requests)

    async def client_loop() -> None:
        for path, body, headers in queue:
            started = time.perf_counter()
            try:
                status = (await client.post(path, content=body, headers=headers)).status_code
            except httpx.TransportError:
                status = 0
            latencies.append(1000 * (time.perf_counter() - started))
            statuses[status] += 1

    started = time.perf_counter()
    await asyncio.wait_for(
        asyncio.gather(*(client_loop() for _ in range(concurrency))), RUN_TIMEOUT_S
    )
    return time.perf_counter() - started, latencies, statuses


async def drive(
    database: str, proc: subprocess.Popen[bytes], port: int, n: int, concurrency: int
) -> list[tuple[Result, int]]:
    """Warm up, then run both endpoints' scenarios against the running gateway."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=30.0
    ) as client:
        await wait_ready(client, proc)
        await create_tenant(client)
        scenarios: list[tuple[str, Callable[[int, int], list[Request]], int]] = [
            ("greenhouse", greenhouse_requests, 200),
            ("intrro", intrro_requests, 202),
        ]
        results: list[tuple[Result, int]] = []
        for endpoint, make, expected in scenarios:
            await fire(client, make(WARMUP, 0), concurrency)
            requests = make(n, WARMUP)
            cpu_before = cpu_seconds(proc.pid)
            seconds, latencies, statuses = await fire(client, requests, concurrency)
            cpu = cpu_seconds(proc.pid) - cpu_before
            result = Result(database, endpoint, n, concurrency, seconds, latencies, statuses, cpu)
            results.append((result, expected))
        return results


def run(database: str, n: int, concurrency: int, nodelay: bool) -> list[tuple[Result, int]]:
    """Start a gateway on a throw-away database of this kind and measure it."""
    with (
        throwaway_database(database) as url,
        tempfile.TemporaryDirectory(prefix="intrro-bench-ingress-") as folder,
    ):
        port = free_port()
        with gateway_process(url, Path(folder), port, nodelay=nodelay) as proc:
            return asyncio.run(drive(database, proc, port, n, concurrency))


# -- --compare-bare ----------------------------------------------------------------------------

POOL_PER_SECOND = 3000  # distinct deliveries prepared per second of wrk time; beyond, it wraps


@dataclass(frozen=True, slots=True)
class Load:
    """What the load generator measured against one server."""

    server: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    not_ok: int
    server_cpu_s: float
    wrapped: bool

    @property
    def rate(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds

    def row(self) -> list[object]:
        """As a table row."""
        return [
            self.server,
            self.requests,
            self.rate,
            self.p50_ms,
            self.p99_ms,
            1000 * self.server_cpu_s / self.requests if self.requests else float("nan"),
            self.not_ok,
            "yes" if self.wrapped else "no",
        ]


def lua_script(requests: list[Request], folder: Path) -> Path:
    """A wrk script sending the requests round-robin (each thread from its own offset)."""
    lines = ["local reqs = {}", "local n = 0"]
    for path, body, headers in requests:
        head = ", ".join(f'["{k}"] = "{v}"' for k, v in headers.items())
        lines.append(f'n = n + 1; reqs[n] = {{"{path}", {{{head}}}, [==[{body.decode()}]==]}}')
    lines += [
        "local formatted = {}",
        "local i = 0",
        "local threads = 0",
        "function setup(thread)",
        "  thread:set('tid', threads)",
        "  threads = threads + 1",
        "end",
        "function init(args)",
        "  for k, r in ipairs(reqs) do formatted[k] = wrk.format('POST', r[1], r[2], r[3]) end",
        "  i = (tid or 0) * math.floor(n / 2)",  # the two threads start half the pool apart
        "end",
        "function request()",
        "  i = i + 1",
        "  if i > n then i = 1 end",
        "  return formatted[i]",
        "end",
    ]
    script = folder / "load.lua"
    script.write_text("\n".join(lines))
    return script


def wrk_load(
    url: str, script: Path, connections: int, seconds: float
) -> tuple[int, float, float, float, int]:
    """Run wrk; (requests, seconds, p50 ms, p99 ms, non-2xx)."""
    command = [
        "wrk",
        f"-t{2}",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60).stdout
    requests = int(re.search(r"(\d+) requests in ([\d.]+)(m?s)", out).group(1))  # type: ignore[union-attr]
    took = re.search(r"requests in ([\d.]+)(m?s)", out)
    elapsed = float(took.group(1)) / (1000 if took.group(2) == "ms" else 1)  # type: ignore[union-attr]
    not_ok_match = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    not_ok = int(not_ok_match.group(1)) if not_ok_match else 0
    if errors:
        not_ok += sum(int(g) for g in errors.groups())
    return requests, elapsed, _wrk_ms(out, "50%"), _wrk_ms(out, "99%"), not_ok


def _wrk_ms(out: str, label: str) -> float:
    match = re.search(rf"^\s*{re.escape(label)}\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
    if match is None:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


async def python_load(
    port: int, requests: list[Request], connections: int
) -> tuple[int, float, float, float, int]:
    """The fallback generator: httpx clients over kept-alive connections."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=30.0
    ) as client:
        seconds, latencies, statuses = await fire(client, requests, connections)
    lat = sorted(latencies)
    not_ok = sum(n for status, n in statuses.items() if status != 200)
    return len(requests), seconds, percentile(lat, 0.5), percentile(lat, 0.99), not_ok


def measure_load(
    name: str,
    proc: subprocess.Popen[bytes],
    port: int,
    requests: list[Request],
    script: Path | None,
    args: argparse.Namespace,
) -> Load:
    """Warm the server up, then load it; its CPU from /proc."""
    asyncio.run(python_load(port, requests[:WARMUP], 4))
    cpu_before = cpu_seconds(proc.pid)
    if script is not None:
        offset_script = script
        n, seconds, p50, p99, not_ok = wrk_load(
            f"http://127.0.0.1:{port}", offset_script, args.connections, args.seconds
        )
    else:
        n, seconds, p50, p99, not_ok = asyncio.run(
            python_load(port, requests[WARMUP:], args.connections)
        )
    cpu = cpu_seconds(proc.pid) - cpu_before
    # wrk's two threads each start half the pool apart: a third of the pool per thread is safe.
    return Load(name, n, seconds, p50, p99, not_ok, cpu, n > len(requests) - WARMUP)


@contextmanager
def bare_process(folder: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """`bench/_bare.py` on the port, stopped by SIGTERM at the end."""
    command = [sys.executable, str(BENCH / "_bare.py"), str(port)]
    with child_process(command, dict(os.environ), folder / "bare.log") as proc:
        yield proc


async def _up(port: int, proc: subprocess.Popen[bytes], path: str, tenant: bool) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"{proc.args!r} exited with {proc.returncode} at start-up")
            try:
                if (await client.get(path)).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("a server did not start")
            await asyncio.sleep(0.1)
        if tenant:
            await create_tenant(client)


def compare(database: str, args: argparse.Namespace, use_wrk: bool) -> tuple[Load, Load]:
    """The bare endpoint, then the gateway on a throw-away database, under the same load."""
    pool = WARMUP + (int(POOL_PER_SECOND * args.seconds) if use_wrk else args.n)
    requests = greenhouse_requests(pool, 0)
    with (
        throwaway_database(database) as url,
        tempfile.TemporaryDirectory(prefix="intrro-bench-ingress-") as name,
    ):
        folder = Path(name)
        script = lua_script(requests[WARMUP:], folder) if use_wrk else None
        port = free_port()
        with bare_process(folder, port) as proc:
            asyncio.run(_up(port, proc, "/healthz", tenant=False))
            bare = measure_load("bare", proc, port, requests, script, args)
        port = free_port()
        with gateway_process(url, folder, port) as proc:
            asyncio.run(_up(port, proc, "/readyz", tenant=True))
            gateway = measure_load(f"gateway {database}", proc, port, requests, script, args)
        return bare, gateway


def main_compare(args: argparse.Namespace) -> None:
    """`--compare-bare`: the table and the `ingest:` line."""
    use_wrk = shutil.which("wrk") is not None and not args.python_load
    generator = (
        f"wrk, {args.connections} connections, 2 threads, {args.seconds:g} s per server"
        if use_wrk
        else f"httpx clients in this process, {args.connections} connections, {args.n} requests"
    )
    print(machine_line())
    print(
        f"ingest: gateway (serve --no-worker) vs a bare Starlette endpoint served the same way; "
        f"signed 3.7 KB candidate_stage_change bodies, each distinct; load: {generator}"
    )
    rows: list[list[object]] = []
    ratio: dict[str, float] = {}
    p99: dict[str, float] = {}
    for database in databases(args.database):
        bare, gateway = compare(database, args, use_wrk)
        rows += [bare.row(), gateway.row()]
        ratio[database] = gateway.rate / bare.rate
        p99[database] = gateway.p99_ms
    print(
        table(
            [
                "server",
                "requests",
                "req/s",
                "p50 ms",
                "p99 ms",
                "server CPU ms/req",
                "not 2xx / errors",
                "pool wrapped",
            ],
            rows,
        )
    )
    print(
        "ingest: "
        + " ".join(f"ratio_{d}={ratio[d]:.3f}" for d in ratio)
        + " "
        + " ".join(f"p99_ms_{d}={p99[d]:.1f}" for d in p99)
    )


def main() -> None:
    """Parse the arguments, run, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="requests per endpoint (2000)")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent clients (16)")
    parser.add_argument("--database", choices=["sqlite", "postgres", "all"], default="all")
    parser.add_argument(
        "--tcp-nodelay",
        action="store_true",
        help="serve with TCP_NODELAY on the listening socket (the fix of the ~40 ms stall)",
    )
    parser.add_argument(
        "--compare-bare", action="store_true", help="gateway vs a bare endpoint, same load"
    )
    parser.add_argument("--connections", type=int, default=32, help="--compare-bare: 32")
    parser.add_argument("--seconds", type=float, default=10.0, help="--compare-bare, wrk: 10")
    parser.add_argument(
        "--python-load", action="store_true", help="--compare-bare: httpx even if wrk is there"
    )
    args = parser.parse_args()
    exit_on_sigterm()
    if args.compare_bare:
        main_compare(args)
        return
    print(machine_line())
    server = "serve with TCP_NODELAY set" if args.tcp_nodelay else "serve as shipped"
    print(
        f"ingress: {args.n} signed deliveries per endpoint, {args.concurrency} concurrent clients "
        f"(kept-alive connections), {WARMUP} warm-up requests first; gateway in its own process "
        f"({server}), worker off"
    )
    rows: list[list[object]] = []
    for database in databases(args.database):
        for result, expected in run(database, args.n, args.concurrency, args.tcp_nodelay):
            rows.append(result.row(expected))
    print(
        table(
            [
                "database endpoint",
                "requests",
                "conc.",
                "req/s",
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "max ms",
                "server CPU ms/req",
                "not 200/202",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    main()
