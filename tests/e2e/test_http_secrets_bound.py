"""Secrets bound to their tenant, through real HTTP: tenant A's encrypted web hook secret copied into
tenant B's row does not make A's signature valid on B's route; nothing is stored, the operator is told."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.e2e.http_support import (
    create_tenant,
    gateway,
    gateway_settings,
    greenhouse_body,
    greenhouse_headers,
    inbox_rows,
)

OTHER_SECRET = "globex-webhook-secret-0002"


def test_a_web_hook_secret_copied_across_tenants_is_refused(tmp_path: Path) -> None:
    database = tmp_path / "gw.db"
    gw = gateway(gateway_settings(tmp_path, f"sqlite+aiosqlite:///{database}"))
    body = greenhouse_body("candidate_stage_change")
    with gw.client() as client:
        create_tenant(client, "acme")  # web hook secret: WEBHOOK_SECRET
        create_tenant(client, "globex", greenhouse_webhook_secret=OTHER_SECRET)
        assert (
            client.post(
                "/webhooks/greenhouse/acme",
                content=body,
                headers=greenhouse_headers(body, event_id="1"),
            ).status_code
            == 200
        )
        with sqlite3.connect(database) as conn:
            conn.execute(
                "UPDATE tenants SET webhook_secret = "
                "(SELECT webhook_secret FROM tenants WHERE id = 'acme') WHERE id = 'globex'"
            )

        forged = client.post(
            "/webhooks/greenhouse/globex",
            content=body,
            headers=greenhouse_headers(body, event_id="2"),
        )

        assert forged.status_code == 503  # the row is refused, never used to verify anything
        assert forged.headers["content-type"] == "application/problem+json"
        assert [row[0] for row in inbox_rows(gw.settings)] == ["acme"]
        assert (
            client.get(
                "/api/tenants/acme", headers={"Authorization": "Bearer test-token-0123456789abcdef"}
            ).status_code
            == 200
        )
