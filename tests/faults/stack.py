"""The fault suite's stack: real processes on loopback, each on a free port.

- the Greenhouse sandbox, `intrro-gateway sandbox` (its own process, driven through `/_sandbox/...`);
- the gateway, `intrro-gateway serve --no-worker` (one or more);
- workers, `intrro-gateway worker` (one or more, each with `/healthz` on a port of its own);
- the recording Intrro receiver, served in the test's own event loop so that it can be taken down and
  brought back on the same port while what it received is kept.

Everything is set up through the gateway's API as an operator would; each process writes its output to a
log file in the test's folder, which a failing test prints.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from cryptography.fernet import Fernet
from starlette.applications import Starlette

from intrro_gateway.adapters.intrro.receiver import ReceivedEvent, create_receiver_app
from intrro_gateway.adapters.sql import migrate
from intrro_gateway.entrypoints.serving import Listener, bind, serve
from intrro_gateway.sandboxes.greenhouse import SandboxState
from tests.dbfixtures import postgres_dsn
from tests.e2e.live_events import JOBS_CHANGED, new_intrro_secret

LOOPBACK = "127.0.0.1"
TENANT = "acme"
API_TOKEN = "faults-suite-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
ADMIN_EMAIL = "admin@sandbox.example"
START_S = 60.0
_HTTP_TIMEOUT = httpx.Timeout(60.0, connect=5.0)  # the machine is shared: setup calls can be slow

# Short timings: retries within seconds, a lease a SIGKILLed worker's items wait out quickly.
BASE_ENV = {
    "GATEWAY_ENV": "development",
    "GATEWAY_LOG_LEVEL": "warning",
    "GATEWAY_AUTO_MIGRATE": "false",
    "GATEWAY_POLL_INTERVAL": "50ms",
    "GATEWAY_BACKOFF_BASE": "200ms",
    "GATEWAY_BACKOFF_CAP": "2s",
    "GATEWAY_DEFER_DELAY": "200ms",
    "GATEWAY_LEASE": "10s",
    "GATEWAY_MAX_ATTEMPTS": "1000",
    "GATEWAY_RETRY_HORIZON": "1h",
    # The per-tenant candidate-creation lock is held for one search and one create; a lock whose
    # release was lost (its holder killed, the database away) blocks creation until it expires.
    "GATEWAY_LOCK_TTL": "15s",
    # How long an unconfirmed candidate creation is waited out before it is sent again: it covers
    # Greenhouse's search lag, which the sandbox does not have (a worker killed between recording the
    # attempt and sending it would otherwise wait the production default, 10 minutes).
    "GATEWAY_DEFER_WINDOW": "20s",
}


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def _die_with_parent() -> None:
    """Linux: the child gets SIGKILL when the test process dies, so no process outlives a run."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class Proc:
    """One `intrro-gateway` process; it can be killed and started again with the same arguments."""

    def __init__(self, name: str, args: list[str], env: Mapping[str, str], folder: Path) -> None:
        self.name = name
        self.args = args
        self.env = dict(env)
        self.folder = folder
        self.log = folder / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        """Start it (again), appending to its log."""
        self.starts += 1
        with self.log.open("ab") as out:
            out.write(f"\n=== start #{self.starts}\n".encode())
            out.flush()
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "intrro_gateway.entrypoints.cli", *self.args],
                cwd=self.folder,  # no `.env` of the checkout is read
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,
            )

    @property
    def alive(self) -> bool:
        """Whether it runs."""
        return self.proc is not None and self.proc.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send it a signal and wait for it to end."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def output(self) -> str:
        """Its log so far."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@dataclass
class Receiver:
    """The recording Intrro receiver, served in this event loop; `down()` and `up()` on one port."""

    app: Starlette
    port: int
    _stop: asyncio.Event | None = None
    _task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        """Where it listens."""
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def received(self) -> list[ReceivedEvent]:
        """Every event it accepted, in arrival order, across its downs and ups."""
        events: list[ReceivedEvent] = self.app.state.received
        return events

    async def up(self) -> None:
        """Serve (again) on its port."""
        self._stop, ready = asyncio.Event(), asyncio.Event()
        listener = Listener("receiver", self.app, bind(LOOPBACK, self.port))
        self._task = asyncio.create_task(
            serve([listener], self._stop, log_level="warning", on_ready=ready.set)
        )
        await asyncio.wait_for(ready.wait(), START_S)

    async def down(self) -> None:
        """Stop serving: connections to its port are refused until `up()`."""
        if self._stop is not None and self._task is not None:
            self._stop.set()
            await self._task
        self._stop = self._task = None


@dataclass
class Stack:
    """The running processes and what the scenarios drive them with."""

    folder: Path
    db_url: str
    env: dict[str, str]
    sandbox: Proc
    sandbox_url: str
    gateways: list[Proc]
    gateway_urls: list[str]
    workers: list[Proc]
    receiver: Receiver
    http: httpx.AsyncClient
    intrro_secret: str
    jobs: list[str] = field(default_factory=list)

    # -- the sandbox -----------------------------------------------------------------------------

    async def sandbox_control(self, method: str, path: str, body: Any = None) -> Any:
        """Call the sandbox's control API."""
        response = await self.http.request(method, f"{self.sandbox_url}/_sandbox{path}", json=body)
        assert response.status_code < 300, f"{method} {path}: {response.text}"
        return response.json()

    async def table(self, resource: str) -> list[dict[str, Any]]:
        """Every record of a sandbox resource."""
        rows: list[dict[str, Any]] = await self.sandbox_control("GET", f"/tables/{resource}")
        return rows

    # -- the gateway -------------------------------------------------------------------------------

    async def api(self, method: str, path: str, expected: int = 200, **kwargs: Any) -> Any:
        """Call the first gateway's API; fail unless it answers `expected`."""
        response = await self.http.request(
            method, f"{self.gateway_urls[0]}{path}", headers=AUTH, **kwargs
        )
        assert response.status_code == expected, f"{method} {path}: {response.text[:300]}"
        return response.json() if response.content else None

    def open_work(self) -> int:
        """Inbox deliveries not yet processed plus outbox pushes not yet done (read directly)."""
        with psycopg.connect(postgres_dsn(self.db_url), connect_timeout=5) as conn:
            row = conn.execute(
                "SELECT (SELECT COUNT(*) FROM inbox WHERE state = 'received')"
                " + (SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'leased'))"
            ).fetchone()
        assert row is not None
        return int(row[0])

    def waiting_items(self) -> list[tuple[object, ...]]:
        """Inbox deliveries not processed yet: kind, attempts, not before, last error."""
        with psycopg.connect(postgres_dsn(self.db_url), connect_timeout=5) as conn:
            return list(
                conn.execute(
                    "SELECT kind, attempts, not_before, last_error FROM inbox"
                    " WHERE state = 'received' ORDER BY seq LIMIT 5"
                ).fetchall()
            )

    def dead_items(self) -> list[tuple[str, str, str | None]]:
        """Inbox and outbox items parked dead, with their last error."""
        with psycopg.connect(postgres_dsn(self.db_url), connect_timeout=5) as conn:
            rows = conn.execute(
                "SELECT 'in', kind, last_error FROM inbox WHERE state = 'dead'"
                " UNION ALL SELECT 'out', kind, last_error FROM outbox WHERE state = 'dead'"
            ).fetchall()
        return [(str(a), str(b), None if c is None else str(c)) for a, b, c in rows]

    async def wait_alive(self, proc: Proc) -> None:
        """Wait until a process answers its health check."""
        url = self._health_url(proc)
        deadline = asyncio.get_running_loop().time() + START_S
        while asyncio.get_running_loop().time() < deadline:
            if not proc.alive:
                pytest.fail(f"{proc.name} exited:\n{proc.output()[-3000:]}")
            try:
                if (await self.http.get(f"{url}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
        pytest.fail(f"{proc.name} did not answer /healthz within {START_S:g} s")

    def _health_url(self, proc: Proc) -> str:
        port = proc.args[proc.args.index("--port") + 1]
        return f"http://{LOOPBACK}:{port}"

    async def restart(self, proc: Proc) -> None:
        """Start a process again and wait until it answers."""
        proc.start()
        await self.wait_alive(proc)

    def logs(self) -> str:
        """The tail of every process's log, for a failing test."""
        parts = []
        for proc in [self.sandbox, *self.gateways, *self.workers]:
            parts.append(f"--- {proc.name}\n{proc.output()[-2500:]}")
        return "\n".join(parts)


def gateway_env(
    db_url: str, sandbox_url: str, public_url: str, secret_key: str, **extra: str
) -> dict[str, str]:
    """The environment every gateway and worker process runs with."""
    venv_bin = str(Path(sys.executable).parent)
    return {
        "PATH": f"{venv_bin}:/usr/bin:/bin",
        **BASE_ENV,
        "GATEWAY_DATABASE_URL": db_url,
        "GATEWAY_SECRET_KEYS": secret_key,
        "GATEWAY_API_TOKENS": API_TOKEN,
        "GATEWAY_PUBLIC_URL": public_url,
        "GATEWAY_GREENHOUSE_BASE_URL": sandbox_url,
        "GATEWAY_GREENHOUSE_AUTH_URL": sandbox_url,
        # Not the development default: `serve` would run the Lever sandbox on its fixed port beside it.
        "GATEWAY_LEVER_BASE_URL": f"http://{LOOPBACK}:9",
        **{f"GATEWAY_{k}": v for k, v in extra.items()},
    }


@asynccontextmanager
async def fault_stack(
    db_url: str,
    folder: Path,
    *,
    gateways: int = 1,
    workers: int = 2,
    process_db_url: str | None = None,
    harvest_limit: int = 1_000_000,
    harvest_window_s: float = 30.0,
    **extra: str,
) -> AsyncIterator[Stack]:
    """Migrate, start every process, create and connect the tenant, import the jobs; stop on exit.

    `process_db_url` is the database URL the gateway and workers use (a proxy, say), `db_url` the one
    the test reads directly.
    """
    migrate.upgrade(db_url)
    sandbox_port = free_port()
    sandbox_url = f"http://{LOOPBACK}:{sandbox_port}"
    gateway_ports = [free_port() for _ in range(gateways)]
    gateway_urls = [f"http://{LOOPBACK}:{p}" for p in gateway_ports]
    env = gateway_env(
        process_db_url or db_url,
        sandbox_url,
        gateway_urls[0],
        Fernet.generate_key().decode(),
        **extra,
    )
    sandbox = Proc("sandbox", ["sandbox", "--port", str(sandbox_port)], env, folder)
    gateway_procs = [
        Proc(f"gateway{i}", ["serve", "--no-worker", "--port", str(p)], env, folder)
        for i, p in enumerate(gateway_ports)
    ]
    worker_procs = [
        Proc(f"worker{i}", ["worker", "--port", str(free_port())], env, folder)
        for i in range(workers)
    ]
    intrro_secret = new_intrro_secret()
    receiver = Receiver(create_receiver_app(intrro_secret), free_port())
    async with httpx.AsyncClient(timeout=_HTTP_TIMEOUT) as http:
        stack = Stack(
            folder=folder,
            db_url=db_url,
            env=env,
            sandbox=sandbox,
            sandbox_url=sandbox_url,
            gateways=gateway_procs,
            gateway_urls=gateway_urls,
            workers=worker_procs,
            receiver=receiver,
            http=http,
            intrro_secret=intrro_secret,
        )
        procs = [sandbox, *gateway_procs, *worker_procs]
        try:
            await receiver.up()
            sandbox.start()
            await _wait_sandbox(stack)
            await stack.sandbox_control(
                "POST",
                "/settings",
                {
                    "harvest_limit": harvest_limit,
                    "harvest_window_s": harvest_window_s,
                    "token_limit": 100_000,
                },
            )
            for proc in [*gateway_procs, *worker_procs]:
                proc.start()
            for proc in [*gateway_procs, *worker_procs]:
                await stack.wait_alive(proc)
            await _set_up(stack)
            yield stack
        except BaseException:
            print(stack.logs())
            raise
        finally:
            for proc in procs:
                proc.kill(signal.SIGTERM)
            await receiver.down()


async def _wait_sandbox(stack: Stack) -> None:
    deadline = asyncio.get_running_loop().time() + START_S
    while asyncio.get_running_loop().time() < deadline:
        if not stack.sandbox.alive:
            pytest.fail(f"the sandbox exited:\n{stack.sandbox.output()}")
        try:
            if (await stack.http.get(f"{stack.sandbox_url}/_sandbox/seed")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    pytest.fail("the sandbox did not start")


async def _set_up(stack: Stack) -> None:
    """The tenant, the connection, the sandbox's web hooks, the job import."""
    webhook_secret = f"gh-{os.urandom(12).hex()}"
    await stack.api(
        "PUT",
        f"/api/tenants/{TENANT}",
        201,
        json={
            "intrro_callback_url": f"{stack.receiver.url}/intrro/{TENANT}",
            "intrro_secret": stack.intrro_secret,
            "greenhouse_webhook_secret": webhook_secret,
        },
    )
    report = await stack.api(
        "POST",
        f"/api/tenants/{TENANT}/connections/greenhouse",
        json={
            "client_id": SandboxState.DEFAULT_CLIENT_ID,
            "client_secret": SandboxState.DEFAULT_CLIENT_SECRET,
            "user_email": ADMIN_EMAIL,
        },
    )
    assert report["ok"], report["problems"]
    await stack.sandbox_control(
        "POST", "/webhooks", {"url": report["webhook"]["url"], "secret": webhook_secret}
    )
    await stack.api("POST", f"/api/tenants/{TENANT}/sync/jobs", 202)
    deadline = asyncio.get_running_loop().time() + START_S
    while not any(e.type == JOBS_CHANGED for e in stack.receiver.received):
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"no jobs.changed within {START_S:g} s")
        await asyncio.sleep(0.1)
    seed = await stack.sandbox_control("GET", "/seed")
    stack.jobs = [str(j) for j in seed["open_job_ids"]]
