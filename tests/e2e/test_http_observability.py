"""Health, readiness, metrics, log context per request, and redaction of what the app logs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import structlog
from structlog.testing import capture_logs

from intrro_gateway.entrypoints.logging import redact
from tests.e2e.http_support import (
    AUTH,
    accepted,
    create_tenant,
    gateway,
    gateway_settings,
    greenhouse_body,
    greenhouse_headers,
    intrro_event,
    intrro_headers,
)


def test_metrics_count_deliveries_by_source_and_outcome_and_time_requests(tmp_path: Path) -> None:
    gw = gateway(gateway_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}"))
    body = greenhouse_body("hire_candidate")
    event = intrro_event("introduction.accepted", accepted())

    with gw.client() as client:
        create_tenant(client, "acme")
        client.post("/webhooks/greenhouse/acme", content=body, headers=greenhouse_headers(body))
        client.post("/webhooks/greenhouse/acme", content=body, headers=greenhouse_headers(body))
        client.post("/webhooks/greenhouse/acme", content=body)
        client.post("/events/intrro/acme", content=event, headers=intrro_headers(event, "m1"))
        text = client.get("/metrics").text

    assert 'gateway_deliveries_received_total{outcome="stored",source="greenhouse"} 1.0' in text
    assert 'gateway_deliveries_received_total{outcome="duplicate",source="greenhouse"} 1.0' in text
    assert (
        'gateway_deliveries_received_total{outcome="unauthorized",source="greenhouse"} 1.0' in text
    )
    assert 'gateway_deliveries_received_total{outcome="stored",source="intrro"} 1.0' in text
    assert 'gateway_queue_depth{direction="in",state="received"} 2.0' in text
    assert (
        'gateway_request_duration_seconds_count{method="POST",route="/webhooks/{ats}/{tenant}",status="200"} 2.0'
        in text
    )


def test_two_apps_in_one_process_keep_their_own_metrics(tmp_path: Path) -> None:
    first = gateway(gateway_settings(tmp_path / "a", f"sqlite+aiosqlite:///{tmp_path / 'a.db'}"))
    second = gateway(gateway_settings(tmp_path / "b", f"sqlite+aiosqlite:///{tmp_path / 'b.db'}"))

    with first.client() as one, second.client() as two:
        one.get("/healthz")
        one.get("/healthz")
        two.get("/healthz")
        first_text, second_text = one.get("/metrics").text, two.get("/metrics").text

    line = 'gateway_request_duration_seconds_count{method="GET",route="/healthz",status="200"}'
    assert f"{line} 2.0" in first_text
    assert f"{line} 1.0" in second_text


def test_requests_log_with_their_tenant_and_delivery_id_and_clear_them_after(
    tmp_path: Path,
) -> None:
    gw = gateway(gateway_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}"))
    body = greenhouse_body("hire_candidate")

    with gw.client() as client:
        create_tenant(client, "acme")
        with capture_logs(processors=[structlog.contextvars.merge_contextvars, redact]) as logs:
            client.post(
                "/webhooks/greenhouse/acme",
                content=body,
                headers=greenhouse_headers(body, event_id="ev-42"),
            )
            client.get("/healthz")

    [received] = [entry for entry in logs if entry["event"] == "delivery_received"]
    assert received["tenant"] == "acme"
    assert received["delivery_id"] == "ev-42"
    assert structlog.contextvars.get_contextvars() == {}


def test_what_the_app_logs_about_a_connection_never_shows_the_secret(tmp_path: Path) -> None:
    gw = gateway(gateway_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}"))

    with gw.client() as client:
        create_tenant(client, "acme")
        with capture_logs(processors=[structlog.contextvars.merge_contextvars, redact]) as logs:
            client.post(
                "/api/tenants/acme/connections/greenhouse",
                json={
                    "client_id": "cid",
                    "client_secret": "very-secret-client-secret",
                    "user_email": "admin.person@acme.example",
                },
                headers=AUTH,
            )

    flat = json.dumps(logs, default=str)
    assert "very-secret-client-secret" not in flat
    assert "admin.person@" not in flat


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_and_readiness_answer_200_when_the_database_is_up(tmp_path: Path, path: str) -> None:
    gw = gateway(gateway_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}"))

    with gw.client() as client:
        response = client.get(path)

    assert response.status_code == 200
