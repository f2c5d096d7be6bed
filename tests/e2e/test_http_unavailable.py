"""503 when the database cannot take a delivery in time; concurrent duplicates stored once."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import httpx
import pytest
from dependency_injector import providers
from starlette.applications import Starlette

from intrro_gateway.entrypoints.http import create_app
from intrro_gateway.services.group_commit import GroupCommit
from tests.e2e.http_support import (
    AUTH,
    WEBHOOK_SECRET,
    accepted,
    create_tenant,
    gateway,
    gateway_settings,
    greenhouse_body,
    greenhouse_headers,
    inbox_rows,
    intrro_event,
    intrro_headers,
)
from tests.fakes.unit_of_work import FakeUnitOfWorkFactory

URL = "/webhooks/greenhouse/acme"


def test_a_commit_that_fails_answers_503_never_200(tmp_path: Path) -> None:
    gw = gateway(gateway_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}"))
    fake_db = FakeUnitOfWorkFactory()
    gw.container.unit_of_work.override(providers.Callable(fake_db))
    # The ingress's group commit stores through units of work too (not the SQL writer's own trip).
    gw.container.ingest.override(providers.Object(GroupCommit()))
    body = greenhouse_body("hire_candidate")

    with gw.client() as client:
        create_tenant(client, "acme")
        fake_db.fail_commits = 1
        failed = client.post(URL, content=body, headers=greenhouse_headers(body, event_id="e1"))
        retried = client.post(URL, content=body, headers=greenhouse_headers(body, event_id="e1"))

    assert failed.status_code == 503
    assert failed.headers["content-type"] == "application/problem+json"
    assert retried.status_code == 200
    assert len(fake_db.store.inbox) == 1


def test_a_database_that_is_down_answers_503_to_both_ingresses_and_readyz(tmp_path: Path) -> None:
    gw = gateway(gateway_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}"))
    fake_db = FakeUnitOfWorkFactory()
    gw.container.unit_of_work.override(providers.Callable(fake_db))
    # The ingress's group commit stores through units of work too (not the SQL writer's own trip).
    gw.container.ingest.override(providers.Object(GroupCommit()))

    async def down() -> None:
        raise ConnectionRefusedError("database down")

    gw.container.readiness.override(providers.Object(down))
    gh_body = greenhouse_body("hire_candidate")
    in_body = intrro_event("introduction.accepted", accepted())

    with gw.client() as client:
        create_tenant(client, "acme")
        fake_db.unavailable = True
        greenhouse = client.post(URL, content=gh_body, headers=greenhouse_headers(gh_body))
        intrro = client.post(
            "/events/intrro/acme", content=in_body, headers=intrro_headers(in_body, "m1")
        )
        ready = client.get("/readyz")
        api = client.get("/api/tenants/acme", headers=AUTH)

    assert [greenhouse.status_code, intrro.status_code, ready.status_code, api.status_code] == [
        503,
        503,
        503,
        503,
    ]


def test_a_locked_sqlite_database_answers_503_within_the_deadline(tmp_path: Path) -> None:
    settings = gateway_settings(
        tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}", GATEWAY_REQUEST_DEADLINE="2s"
    )
    gw = gateway(settings)
    body = greenhouse_body("hire_candidate")

    with gw.client() as client:
        create_tenant(client, "acme")
        locker = sqlite3.connect(tmp_path / "gw.db", timeout=0, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        try:
            locked = client.post(URL, content=body, headers=greenhouse_headers(body, event_id="x"))
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        unlocked = client.post(URL, content=body, headers=greenhouse_headers(body, event_id="x"))

    assert locked.status_code == 503
    assert unlocked.status_code == 200
    assert len(inbox_rows(settings)) == 1


async def _post_concurrently(app: Starlette, body: bytes, copies: int) -> list[int]:
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            await client.put(
                "/api/tenants/acme",
                json={"greenhouse_webhook_secret": WEBHOOK_SECRET},
                headers=AUTH,
            )
            headers = greenhouse_headers(body, event_id="ev-race")
            answers = await asyncio.gather(
                *(client.post(URL, content=body, headers=headers) for _ in range(copies))
            )
    return [answer.status_code for answer in answers]


@pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
async def test_five_concurrent_posts_of_one_delivery_store_one_inbox_row(
    tmp_path: Path, database: str, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue(f"{database}_url")
    gw = gateway(gateway_settings(tmp_path, url))
    body = greenhouse_body("candidate_stage_change")

    statuses = await _post_concurrently(create_app(gw.container), body, 5)

    assert statuses == [200] * 5
    deps = gw.container.deps()
    page = await deps.queue.deliveries("acme", direction="in")
    assert len(page.items) == 1
    await gw.container.engine().dispose()
