"""The whole gateway in one process: the real Harvest client talks to the bundled sandbox through an
`httpx.ASGITransport`, the worker runs in the app's lifespan, Intrro's receiving end is a fake."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from dependency_injector import providers

from intrro_gateway.sandboxes.greenhouse import SandboxState, create_sandbox_app, seeded_state
from tests.e2e.http_support import (
    AUTH,
    Gateway,
    accepted,
    create_tenant,
    gateway,
    gateway_settings,
    inbox_rows,
    intrro_event,
    intrro_headers,
)

CONNECT = "/api/tenants/acme/connections/greenhouse"
CREDENTIAL = {
    "client_id": SandboxState.DEFAULT_CLIENT_ID,
    "client_secret": SandboxState.DEFAULT_CLIENT_SECRET,
    "user_email": "admin@sandbox.example",
}


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Poll until the condition holds (the worker runs beside the test); fail naming it if never."""
    for _ in range(400):
        if condition():
            return
        time.sleep(0.05)
    pytest.fail(f"never happened: {what}")


@pytest.fixture
def sandbox() -> SandboxState:
    return seeded_state()


def sandboxed(tmp_path: Path, sandbox: SandboxState, **env: str) -> Gateway:
    settings = gateway_settings(
        tmp_path,
        f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}",
        GATEWAY_POLL_INTERVAL="20ms",
        GATEWAY_BACKOFF_BASE="50ms",
        **env,
    )
    gw = gateway(settings)
    gw.container.greenhouse_client.reset_override()  # the real Harvest client, against the sandbox
    transport = httpx.ASGITransport(app=create_sandbox_app(sandbox))
    gw.container.http_transport.override(providers.Object(transport))
    return gw


def test_connecting_checks_the_credential_against_the_sandbox(
    tmp_path: Path, sandbox: SandboxState
) -> None:
    gw = sandboxed(tmp_path, sandbox)

    with gw.client() as client:
        create_tenant(client, "acme")
        refused = client.post(CONNECT, json={**CREDENTIAL, "client_secret": "wrong"}, headers=AUTH)
        status_after_refusal = client.get(CONNECT, headers=AUTH)
        report = client.post(CONNECT, json=CREDENTIAL, headers=AUTH)
        status = client.get(CONNECT, headers=AUTH)

    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert status_after_refusal.json()["connected"] is False
    assert report.status_code == 200
    body = report.json()
    assert body["user"]["email"] == "admin@sandbox.example"
    assert body["webhook"]["url"] == "https://gateway.test/webhooks/greenhouse/acme"
    assert status.status_code == 200
    assert status.json()["connected"] is True
    assert CREDENTIAL["client_secret"] not in status.text
    assert body["webhook"]["secret"] not in status.text


def test_a_job_sync_imports_the_sandbox_jobs_in_the_background(
    tmp_path: Path, sandbox: SandboxState
) -> None:
    gw = sandboxed(tmp_path, sandbox)

    with gw.client() as client:
        create_tenant(client, "acme")
        assert client.post(CONNECT, json=CREDENTIAL, headers=AUTH).status_code == 200
        started = client.post("/api/tenants/acme/sync/jobs", headers=AUTH)

        def listed() -> list[str]:
            jobs = client.get("/api/tenants/acme/jobs", headers=AUTH).json()["jobs"]
            return sorted(job["id"] for job in jobs)

        wait_until(lambda: len(listed()) == len(sandbox.seed.open_job_ids), "the jobs imported")
        jobs = listed()

    assert started.status_code == 202
    assert jobs == sorted(str(job_id) for job_id in sandbox.seed.open_job_ids)


def test_an_accepted_introduction_is_exported_by_the_in_process_worker_and_announced(
    tmp_path: Path, sandbox: SandboxState
) -> None:
    gw = sandboxed(tmp_path, sandbox, GATEWAY_RUN_WORKER="true")
    job_id = str(sandbox.seed.open_job_ids[0])
    body = intrro_event("introduction.accepted", accepted("intro-42", job_ids=[job_id]))

    with gw.client() as client:
        create_tenant(client, "acme")
        assert client.post(CONNECT, json=CREDENTIAL, headers=AUTH).status_code == 200
        answer = client.post(
            "/events/intrro/acme", content=body, headers=intrro_headers(body, "msg-42")
        )
        wait_until(
            lambda: any(m.type == "introduction.exported" for _, m in gw.platform.pushes),
            "introduction.exported pushed to Intrro",
        )
        view = client.get("/api/tenants/acme/introductions/intro-42", headers=AUTH)
        metrics = client.get("/metrics").text

    assert answer.status_code == 202
    assert inbox_rows(gw.settings) == [("acme", "intrro", "introduction.accepted", "intro-42")]
    [exported] = [m for _, m in gw.platform.pushes if m.type == "introduction.exported"]
    assert exported.data["introduction_id"] == "intro-42"
    assert exported.data["ats_candidate_id"]
    assert view.status_code == 200
    assert view.json()["introduction_id"] == "intro-42"
    assert 'gateway_outbox_pushes_total{outcome="delivered"}' in metrics


def test_stopping_the_app_leaves_no_delivery_leased(tmp_path: Path, sandbox: SandboxState) -> None:
    gw = sandboxed(tmp_path, sandbox, GATEWAY_RUN_WORKER="true")
    job_id = str(sandbox.seed.open_job_ids[0])

    with gw.client() as client:
        create_tenant(client, "acme")
        assert client.post(CONNECT, json=CREDENTIAL, headers=AUTH).status_code == 200
        for index in range(5):
            body = intrro_event(
                "introduction.accepted", accepted(f"intro-{index}", job_ids=[job_id])
            )
            client.post(
                "/events/intrro/acme", content=body, headers=intrro_headers(body, f"m{index}")
            )

    path = gw.settings.database_url.split(":///", 1)[1]
    with sqlite3.connect(path) as conn:
        leased = conn.execute(
            "SELECT COUNT(*) FROM inbox WHERE lease_owner IS NOT NULL AND state = 'received'"
        ).fetchone()[0]
        stored = conn.execute("SELECT COUNT(*) FROM inbox").fetchone()[0]
    assert stored == 5
    assert leased == 0
