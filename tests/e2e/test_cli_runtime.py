"""The long-running commands through `main([...])`: `serve`, `worker` and `sandbox` run until this
process gets SIGTERM (or SIGINT), then stop gracefully and exit 0."""

# ruff: noqa: F811 - the shared fixtures are imported by name, and tests take them as parameters

from __future__ import annotations

import signal
import socket

import httpx
import pytest

from intrro_gateway.adapters.sql.migrate import upgrade
from intrro_gateway.entrypoints.cli import main
from intrro_gateway.sandboxes.greenhouse import SandboxState
from tests.e2e.test_cli_support import (  # noqa: F401 - fixtures
    ADMIN,
    SANDBOX_ID,
    SANDBOX_SECRET,
    Env,
    Receiver,
    Sandbox,
    _reset_logging,
    answers,
    env,
    free_port,
    receiver,
    sandbox,
    sandbox_state,
    signal_when,
)

Capsys = pytest.CaptureFixture[str]
TOKEN = {"Authorization": "Bearer cli-test-token-0123456789"}


def test_serve_runs_the_gateway_and_the_sandbox_whose_web_hooks_reach_it(
    env: Env, capsys: Capsys
) -> None:
    port, sandbox_port = free_port(), free_port()
    env.set(SANDBOX_PORT=str(sandbox_port), POLL_INTERVAL="50ms")
    gateway = f"http://127.0.0.1:{port}"
    sandbox = f"http://127.0.0.1:{sandbox_port}"
    seen: list[int] = []

    def scenario() -> bool:
        """An admin connects through the API; a recruiter moves a seeded application."""
        if not seen:
            assert answers(f"{gateway}/healthz")
            created = httpx.put(f"{gateway}/api/tenants/acme", json={}, headers=TOKEN)
            connected = httpx.post(
                f"{gateway}/api/tenants/acme/connections/greenhouse",
                json={
                    "client_id": SANDBOX_ID,
                    "client_secret": SANDBOX_SECRET,
                    "user_email": ADMIN,
                },
                headers=TOKEN,
                timeout=10,
            )
            seen.extend([created.status_code, connected.status_code])
        seed = httpx.get(f"{sandbox}/_sandbox/seed").json()
        httpx.post(f"{sandbox}/_sandbox/applications/{seed['application_ids'][0]}/move", json={})
        delivered = httpx.get(f"{sandbox}/_sandbox/deliveries").json()
        return any(d["status_code"] == 200 for d in delivered)

    watcher = signal_when(scenario)
    code = main(["serve", "--port", str(port)])
    watcher.join()

    out = capsys.readouterr().out
    assert code == 0
    assert seen[:2] == [201, 200]
    assert f"Gateway on {gateway} (worker in-process, development)" in out
    assert f"API docs: {gateway}/docs" in out
    assert f"Greenhouse sandbox on {sandbox}: client id {SandboxState.DEFAULT_CLIENT_ID}" in out
    assert "Lever sandbox on http://127.0.0.1:" in out
    assert (
        "web hook URLs in connection reports use GATEWAY_PUBLIC_URL (https://gateway.test)" in out
    )
    assert out.rstrip().endswith("Gateway stopped.")


def test_serve_stops_gracefully_on_sigint_too_and_runs_no_sandbox_in_production(
    env: Env, sandbox: Sandbox, capsys: Capsys
) -> None:
    env.set(ENV="production")
    upgrade(env.database_url)
    port = free_port()

    watcher = signal_when(lambda: answers(f"http://127.0.0.1:{port}/readyz"), signal.SIGINT)
    code = main(["serve", "--port", str(port), "--no-worker"])
    watcher.join()

    out = capsys.readouterr().out
    assert code == 0
    assert "(worker off, production)" in out
    assert "Greenhouse sandbox on" not in out
    assert "GATEWAY_PUBLIC_URL" not in out


def test_serve_in_production_stops_on_an_unmigrated_database_with_one_line(
    env: Env, sandbox: Sandbox, capsys: Capsys
) -> None:
    env.set(ENV="production")

    assert main(["serve", "--port", str(free_port())]) == 1

    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].endswith("run intrro-gateway migrate")


def test_serve_on_a_port_in_use_fails_with_the_address(
    env: Env, sandbox: Sandbox, capsys: Capsys
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        assert main(["serve", "--port", str(port)]) == 1

    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_worker_pushes_pending_events_and_stops_gracefully_on_sigterm(
    env: Env, sandbox: Sandbox, receiver: Receiver, capsys: Capsys
) -> None:
    from tests.e2e.test_cli_support import INTRRO_SECRET

    env.set(POLL_INTERVAL="50ms", CONNECT_CLIENT_SECRET=SANDBOX_SECRET)
    assert main(["tenant", "create", "acme", "--callback-url", receiver.url]) == 0
    # The tenant's Intrro secret is the receiver's: set it through the API's service directly.
    _set_intrro_secret(env, INTRRO_SECRET)
    assert main(["connect", "acme", "--client-id", SANDBOX_ID, "--user-email", ADMIN]) == 0
    capsys.readouterr()

    health = f"http://127.0.0.1:{free_port()}"
    seen: dict[str, httpx.Response] = {}

    def pushed_and_healthy() -> bool:
        if not any(e.type == "jobs.changed" for e in receiver.received):
            return False
        seen["healthz"] = httpx.get(f"{health}/healthz")
        seen["metrics"] = httpx.get(f"{health}/metrics")
        return True

    watcher = signal_when(pushed_and_healthy)
    code = main(["worker", "--port", health.rsplit(":", 1)[1]])
    watcher.join()

    assert code == 0
    assert seen["healthz"].status_code == 200
    assert seen["healthz"].json()["status"] == "ok"
    assert 'gateway_outbox_pushes_total{outcome="delivered"} 1.0' in seen["metrics"].text
    assert [e.type for e in receiver.received] == ["jobs.changed"]
    assert capsys.readouterr().out.rstrip().endswith("Worker stopped.")
    assert main(["deliveries", "list", "acme"]) == 0
    assert "│ done " in capsys.readouterr().out


def test_sandbox_serves_the_seeded_data_until_sigterm(env: Env, capsys: Capsys) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"

    watcher = signal_when(lambda: len(httpx.get(f"{url}/_sandbox/seed").json()["open_job_ids"]) > 0)
    code = main(["sandbox", "--port", str(port)])
    watcher.join()

    out = capsys.readouterr().out
    assert code == 0
    assert f"Greenhouse sandbox on {url}" in out
    assert out.rstrip().endswith("Sandbox stopped.")


def _set_intrro_secret(env: Env, secret: str) -> None:
    import asyncio

    from intrro_gateway.entrypoints.container import build_container
    from intrro_gateway.entrypoints.settings import load_settings
    from intrro_gateway.services.tenants import TenantInput, upsert_tenant

    async def change() -> None:
        container = build_container(load_settings(generate=False))
        try:
            await upsert_tenant(container.deps(), "acme", TenantInput(intrro_secret=secret))
        finally:
            await container.engine().dispose()

    asyncio.run(change())


def test_worker_in_production_stops_on_an_unmigrated_database(env: Env, capsys: Capsys) -> None:
    env.set(ENV="production")

    assert main(["worker"]) == 1

    assert capsys.readouterr().err.strip().endswith("run intrro-gateway migrate")


def test_sandbox_on_a_port_in_use_fails_with_the_address(env: Env, capsys: Capsys) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        assert main(["sandbox", "--port", str(port)]) == 1

    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_migrate_of_an_unreachable_database_fails_with_one_line(env: Env, capsys: Capsys) -> None:
    env.set(DATABASE_URL=f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none")

    assert main(["migrate"]) == 1

    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("intrro-gateway: cannot migrate the database at")


def test_the_demo_refuses_a_wait_that_is_not_a_positive_number(capsys: Capsys) -> None:
    assert main(["demo", "--wait", "0"]) == 2

    assert "'0' is not a positive number of seconds" in capsys.readouterr().err


def test_serve_with_the_sandbox_port_in_use_fails_with_that_address(
    env: Env, capsys: Capsys
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env.set(SANDBOX_PORT=str(port))

        assert main(["serve", "--port", str(free_port())]) == 1

    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err
