"""Callback URLs through real HTTP: in production, local, private and plain-http destinations are
refused when saved (422, nothing stored) unless GATEWAY_CALLBACK_ALLOWED_HOSTS allows the host; in
development the loopback receivers of the demo and tests are fine."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.e2e.http_support import AUTH, gateway, gateway_settings

REFUSED = [
    "https://169.254.169.254/latest/meta-data",
    "https://127.0.0.1/hooks",
    "https://localhost/hooks",
    "https://[::1]/hooks",
    "https://10.0.0.7/hooks",
    "http://intrro.example/hooks",
]


def _client(tmp_path: Path, **env: str) -> TestClient:
    settings = gateway_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}", **env)
    return gateway(settings).client()


@pytest.mark.parametrize("url", REFUSED)
def test_production_refuses_a_local_or_private_callback_url_and_stores_nothing(
    tmp_path: Path, url: str
) -> None:
    with _client(tmp_path, GATEWAY_ENV="production") as client:
        response = client.put("/api/tenants/acme", json={"intrro_callback_url": url}, headers=AUTH)

        assert response.status_code == 422
        assert any("intrro_callback_url" in e for e in response.json()["errors"])
        assert client.get("/api/tenants/acme", headers=AUTH).status_code == 404


def test_production_takes_a_public_https_url_and_hosts_the_operator_allows(tmp_path: Path) -> None:
    env = {"GATEWAY_ENV": "production", "GATEWAY_CALLBACK_ALLOWED_HOSTS": "intrro.internal"}
    with _client(tmp_path, **env) as client:
        for tenant, url in (
            ("acme", "https://intrro.example/hooks"),
            ("globex", "http://intrro.internal:8080/hooks"),
        ):
            response = client.put(
                f"/api/tenants/{tenant}", json={"intrro_callback_url": url}, headers=AUTH
            )
            assert response.status_code == 201, response.text


def test_development_takes_a_loopback_receiver(tmp_path: Path) -> None:
    with _client(tmp_path) as client:
        response = client.put(
            "/api/tenants/acme",
            json={"intrro_callback_url": "http://127.0.0.1:9999/hooks"},
            headers=AUTH,
        )
        assert response.status_code == 201
