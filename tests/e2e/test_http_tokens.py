"""Scoped API tokens through real HTTP: operator tokens (bootstrap or stored) reach every tenant; a
tenant token reaches its own tenant only (every other answers 404), creates and deletes none; a revoked
token answers 401 at once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from intrro_gateway.entrypoints.container import build_container
from intrro_gateway.services import access
from tests.e2e.http_support import (
    AUTH,
    Gateway,
    create_tenant,
    gateway,
    gateway_settings,
    issue_token,
)

TENANT_ROUTES = (
    ("GET", "/api/tenants/{t}"),
    ("PUT", "/api/tenants/{t}"),
    ("DELETE", "/api/tenants/{t}"),
    ("POST", "/api/tenants/{t}/secrets/rotate"),
    ("GET", "/api/tenants/{t}/connections/greenhouse"),
    ("POST", "/api/tenants/{t}/connections/greenhouse"),
    ("DELETE", "/api/tenants/{t}/connections/greenhouse"),
    ("POST", "/api/tenants/{t}/sync/jobs"),
    ("GET", "/api/tenants/{t}/jobs"),
    ("GET", "/api/tenants/{t}/introductions/intro-1"),
    ("GET", "/api/tenants/{t}/pipeline"),
    ("GET", "/api/tenants/{t}/deliveries"),
    ("POST", "/api/tenants/{t}/deliveries/x/replay"),
)


@pytest.fixture
def gw(tmp_path: Path) -> Gateway:
    return gateway(gateway_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}"))


@pytest.fixture
def client(gw: Gateway) -> Iterator[TestClient]:
    with gw.client() as client:
        create_tenant(client, "acme")
        create_tenant(client, "globex")
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(("method", "template"), TENANT_ROUTES)
def test_a_tenant_token_gets_404_on_every_route_of_another_tenant(
    gw: Gateway, client: TestClient, method: str, template: str
) -> None:
    token = issue_token(gw.settings, "acme")

    response = client.request(
        method, template.format(t="globex"), headers=bearer(token), json={"which": "intrro"}
    )

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert client.get("/api/tenants/globex", headers=AUTH).status_code == 200  # still there


def test_a_tenant_token_reads_and_changes_its_own_tenant(gw: Gateway, client: TestClient) -> None:
    token = issue_token(gw.settings, "acme")

    assert client.get("/api/tenants/acme", headers=bearer(token)).status_code == 200
    assert client.get("/api/tenants/acme/deliveries", headers=bearer(token)).status_code == 200
    changed = client.put(
        "/api/tenants/acme",
        json={"closed_job_policy": "prospect"},
        headers=bearer(token),
    )
    assert changed.status_code == 200
    assert changed.json()["closed_job_policy"] == "prospect"


def test_a_tenant_token_cannot_create_or_delete_a_tenant(gw: Gateway, client: TestClient) -> None:
    token = issue_token(gw.settings, "acme")

    assert client.put("/api/tenants/initech", json={}, headers=bearer(token)).status_code == 404
    assert client.delete("/api/tenants/acme", headers=bearer(token)).status_code == 403
    assert client.get("/api/tenants/initech", headers=AUTH).status_code == 404
    assert client.get("/api/tenants/acme", headers=AUTH).status_code == 200


def test_a_stored_operator_token_reaches_every_tenant_and_creates_them(
    gw: Gateway, client: TestClient
) -> None:
    token = issue_token(gw.settings, None)

    assert client.get("/api/tenants/globex", headers=bearer(token)).status_code == 200
    assert client.put("/api/tenants/initech", json={}, headers=bearer(token)).status_code == 201
    assert client.delete("/api/tenants/initech", headers=bearer(token)).status_code == 204


def test_a_revoked_token_answers_401_at_once(gw: Gateway, client: TestClient) -> None:
    token = issue_token(gw.settings, "acme")
    assert client.get("/api/tenants/acme", headers=bearer(token)).status_code == 200

    async def revoke_all() -> None:
        container = build_container(gw.settings)
        await container.init_resources()  # type: ignore[misc]
        deps = container.deps()
        for stored in await access.list_tokens(deps):
            await access.revoke_token(deps, stored.id)
        await container.shutdown_resources()  # type: ignore[misc]

    asyncio.run(revoke_all())

    assert client.get("/api/tenants/acme", headers=bearer(token)).status_code == 401


def test_a_made_up_token_with_the_stored_prefix_answers_401(client: TestClient) -> None:
    response = client.get("/api/tenants/acme", headers=bearer("igw_" + "x" * 43))

    assert response.status_code == 401
