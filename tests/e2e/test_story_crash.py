"""The gateway killed with SIGKILL after acknowledging an introduction and before processing it: a
worker started afterwards on the same database processes it exactly once.

On SQLite and PostgreSQL, against each ATS's sandbox (Greenhouse's and Lever's). The gateway runs as real
processes (`python -m entrypoints.cli serve --no-worker`, then `worker`); the ATS sandbox and the
recording Intrro receiver run in the test's process on loopback ports.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import psycopg
import pytest
from cryptography.fernet import Fernet

from intrro_gateway.adapters.intrro.receiver import ReceivedEvent, create_receiver_app
from intrro_gateway.entrypoints.serving import Listener, bind, serve
from tests.dbfixtures import postgres_dsn
from tests.e2e.ats_drivers import ATS_KEYS, AtsDriver, driver
from tests.e2e.live import (
    API_TOKEN,
    EXPORTED,
    LOOPBACK,
    accepted_data,
    intrro_envelope,
    intrro_signed,
    new_intrro_secret,
)

pytestmark = pytest.mark.slow

WAIT_S = 30.0
AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
WEBHOOK_SECRET = "crash-story-webhook-secret-0001"


class Process:
    """A gateway command running as a child process, its output kept in a file."""

    def __init__(self, proc: asyncio.subprocess.Process, log: Path) -> None:
        self.proc = proc
        self.log = log

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    async def stop(self, sig: signal.Signals) -> int:
        if self.proc.returncode is None:
            self.proc.send_signal(sig)
        return await asyncio.wait_for(self.proc.wait(), WAIT_S)


async def start(args: list[str], env: Mapping[str, str], folder: Path, name: str) -> Process:
    log = folder / f"{name}.log"
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "intrro_gateway.entrypoints.cli",
            *args,
            cwd=folder,  # no `.env` of the checkout is read
            env=dict(env),
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
        )
    return Process(proc, log)


async def wait_healthy(http: httpx.AsyncClient, url: str, process: Process) -> None:
    deadline = asyncio.get_running_loop().time() + WAIT_S
    while asyncio.get_running_loop().time() < deadline:
        if process.proc.returncode is not None:
            pytest.fail(f"the gateway exited with {process.proc.returncode}:\n{process.output()}")
        try:
            if (await http.get(f"{url}/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.05)
    pytest.fail(f"the gateway did not answer /healthz within {WAIT_S:g} s:\n{process.output()}")


@asynccontextmanager
async def sandbox_and_receiver(
    ats: AtsDriver, secret: str
) -> AsyncIterator[tuple[str, str, list[ReceivedEvent]]]:
    receiver = create_receiver_app(secret)
    listeners = [
        Listener("sandbox", ats.app(), bind(LOOPBACK, 0)),
        Listener("receiver", receiver, bind(LOOPBACK, 0)),
    ]
    stop, ready = asyncio.Event(), asyncio.Event()
    serving = asyncio.create_task(serve(listeners, stop, log_level="warning", on_ready=ready.set))
    try:
        await asyncio.wait_for(ready.wait(), WAIT_S)
        yield listeners[0].url, listeners[1].url, receiver.state.received
    finally:
        stop.set()
        await serving


def query(url: str, sql: str) -> list[tuple[object, ...]]:
    """Rows of a query on the test's database, read beside the gateway's processes."""
    if url.startswith("sqlite"):
        with sqlite3.connect(url.split(":///", 1)[1]) as conn:
            return list(conn.execute(sql).fetchall())
    with psycopg.connect(postgres_dsn(url)) as conn:
        return list(conn.execute(sql).fetchall())


def inbox_states(url: str) -> list[tuple[str, str]]:
    rows = query(url, "SELECT kind, state FROM inbox ORDER BY seq")
    return [(str(kind), str(state)) for kind, state in rows]


def outbox_open(url: str) -> int:
    [(count,)] = query(url, "SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'leased')")
    assert isinstance(count, int)
    return count


def free_port() -> int:
    sock = bind(LOOPBACK, 0)
    port: int = sock.getsockname()[1]
    sock.close()
    return port


@pytest.mark.parametrize("ats_key", ATS_KEYS)
async def test_a_delivery_acknowledged_before_a_sigkill_is_processed_once_after_restart(
    tmp_path: Path, db_url: str, ats_key: str
) -> None:
    port = free_port()
    ats = driver(ats_key)
    intrro_secret = new_intrro_secret()
    job = ats.open_job_ids()[-1]
    async with (
        sandbox_and_receiver(ats, intrro_secret) as (sandbox_url, receiver_url, received),
        httpx.AsyncClient(timeout=15.0) as http,
    ):
        gateway_url = f"http://{LOOPBACK}:{port}"
        env = {
            "PATH": "/usr/bin:/bin",
            "GATEWAY_ENV": "development",
            "GATEWAY_DATABASE_URL": db_url,
            "GATEWAY_SECRET_KEYS": Fernet.generate_key().decode(),
            "GATEWAY_API_TOKENS": API_TOKEN,
            "GATEWAY_PUBLIC_URL": gateway_url,
            # The other ATS's sandbox that `serve` runs in development: on a free port, never fixed.
            "GATEWAY_SANDBOX_PORT": str(free_port()),
            "GATEWAY_LEVER_SANDBOX_PORT": str(free_port()),
            **ats.env(sandbox_url),
            "GATEWAY_LOG_LEVEL": "warning",
            "GATEWAY_POLL_INTERVAL": "20ms",
            "GATEWAY_BACKOFF_BASE": "100ms",
            "GATEWAY_BACKOFF_CAP": "1s",
            "GATEWAY_DEFER_DELAY": "150ms",
        }
        server = await start(["serve", "--no-worker", "--port", str(port)], env, tmp_path, "serve")
        try:
            await wait_healthy(http, gateway_url, server)
            tenant = await http.put(
                f"{gateway_url}/api/tenants/acme",
                headers=AUTH,
                json={
                    "intrro_callback_url": f"{receiver_url}/intrro/acme",
                    "intrro_secret": intrro_secret,
                    **ats.tenant_body(WEBHOOK_SECRET),
                },
            )
            assert tenant.status_code == 201, tenant.text
            report = await http.post(
                f"{gateway_url}/api/tenants/acme/connections/{ats.key}",
                headers=AUTH,
                json=ats.connect_body(),
            )
            assert report.status_code == 200 and report.json()["ok"], report.text
            creates = ats.create_calls()  # connecting probed the create permission (Lever)
            applications = ats.application_count()
            body = intrro_envelope("introduction.accepted", accepted_data("intro-crash", [job]))
            answer = await http.post(
                f"{gateway_url}/events/intrro/acme",
                content=body,
                headers=intrro_signed(body, intrro_secret),
            )
        finally:
            killed = await server.stop(signal.SIGKILL)

        assert answer.status_code == 202, answer.text
        assert killed == -signal.SIGKILL
        assert inbox_states(db_url) == [("introduction.accepted", "received")]
        assert ats.create_calls() == creates

        worker = await start(["worker", "--port", str(free_port())], env, tmp_path, "worker")
        try:
            deadline = asyncio.get_running_loop().time() + WAIT_S
            while not (
                inbox_states(db_url) == [("introduction.accepted", "processed")]
                and outbox_open(db_url) == 0
                and any(e.type == EXPORTED for e in received)
            ):
                if (
                    worker.proc.returncode is not None
                    or asyncio.get_running_loop().time() > deadline
                ):
                    pytest.fail(
                        f"the worker did not process the delivery: inbox {inbox_states(db_url)}, "
                        f"received {received}\n{worker.output()}"
                    )
                await asyncio.sleep(0.05)
        finally:
            stopped = await worker.stop(signal.SIGTERM)

    assert stopped == 0, worker.output()
    assert len(ats.people_with_email("mary.jackson+intro-crash@example.org")) == 1
    # One application made (Lever's scheduled connection re-check probes the create again, which
    # creates nothing: count what exists, not the calls).
    assert ats.application_count() == applications + 1
    pushes = [e for e in received if e.type == EXPORTED]
    assert len(pushes) == 1
