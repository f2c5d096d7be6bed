"""Two apps on two databases in one process, and an app whose database cannot be reached."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.http_support import (
    AUTH,
    create_tenant,
    gateway,
    gateway_settings,
    greenhouse_body,
    greenhouse_headers,
    inbox_rows,
)


@pytest.mark.postgres
def test_a_sqlite_app_and_a_postgresql_app_live_side_by_side(
    tmp_path: Path, postgres_url: str
) -> None:
    on_sqlite = gateway(
        gateway_settings(tmp_path / "s", f"sqlite+aiosqlite:///{tmp_path / 's.db'}")
    )
    on_postgres = gateway(gateway_settings(tmp_path / "p", postgres_url))
    body = greenhouse_body("hire_candidate")

    with on_sqlite.client() as lite, on_postgres.client() as pg:
        create_tenant(lite, "acme")
        create_tenant(pg, "globex")
        lite_answer = lite.post(
            "/webhooks/greenhouse/acme", content=body, headers=greenhouse_headers(body)
        )
        pg_answer = pg.post(
            "/webhooks/greenhouse/globex", content=body, headers=greenhouse_headers(body)
        )
        crossed = lite.get("/api/tenants/globex", headers=AUTH)
        pg_listing = pg.get("/api/tenants/globex/deliveries", headers=AUTH).json()["deliveries"]

    assert (lite_answer.status_code, pg_answer.status_code) == (200, 200)
    assert crossed.status_code == 404
    assert inbox_rows(on_sqlite.settings) == [
        ("acme", "greenhouse", "hire_candidate", "application:9001")
    ]
    assert [(d["kind"], d["direction"]) for d in pg_listing] == [("hire_candidate", "in")]


def test_an_unreachable_database_is_not_touched_at_start_and_answers_503_later(
    tmp_path: Path,
) -> None:
    settings = gateway_settings(
        tmp_path,
        "postgresql+psycopg://postgres@127.0.0.1:9/nowhere",
        GATEWAY_AUTO_MIGRATE="false",
        GATEWAY_REQUEST_DEADLINE="2s",
    )
    gw = gateway(settings)
    body = greenhouse_body("hire_candidate")

    with gw.client() as client:
        health = client.get("/healthz")
        ready = client.get("/readyz")
        webhook = client.post(
            "/webhooks/greenhouse/acme", content=body, headers=greenhouse_headers(body)
        )

    assert health.status_code == 200
    assert ready.status_code == 503
    assert webhook.status_code == 503
