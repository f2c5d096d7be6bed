"""The ATS-neutral routes: `/webhooks/{ats}/{tenant}` and `/connections/{ats}` answer 404 for an ATS
that is not the tenant's (or not known at all); the Greenhouse-era names keep working as aliases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from dependency_injector import providers
from starlette.testclient import TestClient

from intrro_gateway.adapters.system import SystemClock
from intrro_gateway.ports.ats_registry import AtsParts, AtsRegistry
from tests.e2e.http_support import (
    AUTH,
    Gateway,
    create_tenant,
    gateway,
    gateway_settings,
    greenhouse_body,
    greenhouse_headers,
    inbox_rows,
)
from tests.fakes.ats import FakeAtsClient
from tests.fakes.registry import FakeConnector, fake_parts
from tests.fakes.webhooks import FakeTranslator


def _two_ats(greenhouse: AtsParts) -> AtsRegistry:
    other = fake_parts(
        FakeAtsClient(SystemClock()),
        FakeTranslator(source="other"),
        connector=FakeConnector(credential_fields=("api_key",)),
    )
    return AtsRegistry([greenhouse, other])


@pytest.fixture
def gw(tmp_path: Path) -> Gateway:
    gw = gateway(gateway_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}"))
    gw.container.ats_registry.override(providers.Singleton(_two_ats, gw.container.greenhouse))
    return gw


@pytest.fixture
def client(gw: Gateway) -> Iterator[TestClient]:
    with gw.client() as client:
        create_tenant(client, "acme")
        create_tenant(client, "globex", ats="other")
        yield client


def test_a_tenant_shows_its_ats_and_its_own_web_hook_url(client: TestClient) -> None:
    acme = client.get("/api/tenants/acme", headers=AUTH).json()
    globex = client.get("/api/tenants/globex", headers=AUTH).json()

    assert (acme["ats"], acme["webhook_url"]) == (
        "greenhouse",
        "https://gateway.test/webhooks/greenhouse/acme",
    )
    assert (globex["ats"], globex["webhook_url"]) == (
        "other",
        "https://gateway.test/webhooks/other/globex",
    )


def test_a_web_hook_for_an_ats_that_is_not_the_tenants_answers_404(
    gw: Gateway, client: TestClient
) -> None:
    body = greenhouse_body("hire_candidate")

    wrong = client.post(
        "/webhooks/greenhouse/globex", content=body, headers=greenhouse_headers(body)
    )
    other = client.post("/webhooks/other/acme", content=body, headers=greenhouse_headers(body))
    unknown = client.post("/webhooks/workday/acme", content=body, headers=greenhouse_headers(body))
    right = client.post("/webhooks/greenhouse/acme", content=body, headers=greenhouse_headers(body))

    assert [r.status_code for r in (wrong, other, unknown)] == [404, 404, 404]
    assert all(r.headers["content-type"] == "application/problem+json" for r in (wrong, unknown))
    assert right.status_code == 200
    assert inbox_rows(gw.settings) == [("acme", "greenhouse", "hire_candidate", "application:9001")]


def test_a_connection_route_for_another_or_an_unknown_ats_answers_404(client: TestClient) -> None:
    body = {"client_id": "c", "client_secret": "s", "user_email": "ada@acme.test"}

    for method, url in (
        ("POST", "/api/tenants/acme/connections/other"),
        ("GET", "/api/tenants/acme/connections/other"),
        ("DELETE", "/api/tenants/acme/connections/other"),
        ("GET", "/api/tenants/acme/connections/workday"),
        ("GET", "/api/tenants/globex/connections/greenhouse"),
    ):
        answer = client.request(method, url, json=body if method == "POST" else None, headers=AUTH)
        assert answer.status_code == 404, (method, url, answer.text)
    assert client.get("/api/tenants/acme/connections/greenhouse", headers=AUTH).status_code == 200


def test_a_connect_body_carries_the_fields_of_the_tenants_ats(client: TestClient) -> None:
    answer = client.post(
        "/api/tenants/globex/connections/other",
        json={"client_id": "c", "client_secret": "s", "user_email": "ada@acme.test"},
        headers=AUTH,
    )

    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert "/api_key: required" in errors and "/client_id: unknown field" in errors


def test_an_unknown_ats_is_refused_when_creating_a_tenant(client: TestClient) -> None:
    answer = client.put("/api/tenants/initech", json={"ats": "workday"}, headers=AUTH)

    assert answer.status_code == 422
    assert "ats must be one of greenhouse, other, not 'workday'" in answer.json()["errors"]
    assert client.get("/api/tenants/initech", headers=AUTH).status_code == 404


def test_the_ats_webhook_secret_and_its_greenhouse_alias_name_the_same_secret(
    client: TestClient,
) -> None:
    neutral = client.put(
        "/api/tenants/initech", json={"ats_webhook_secret": "initech-secret-00001"}, headers=AUTH
    )
    body = greenhouse_body("hire_candidate")
    signed = greenhouse_headers(body, secret="initech-secret-00001")
    assert neutral.status_code == 201
    assert (
        client.post("/webhooks/greenhouse/initech", content=body, headers=signed).status_code == 200
    )

    legacy = client.put(
        "/api/tenants/initech",
        json={"greenhouse_webhook_secret": "initech-secret-00002"},
        headers=AUTH,
    )
    assert legacy.status_code == 200
    signed = greenhouse_headers(body, secret="initech-secret-00002")
    assert (
        client.post("/webhooks/greenhouse/initech", content=body, headers=signed).status_code == 200
    )

    for which in ("ats_webhook", "greenhouse_webhook"):
        rotated = client.post(
            "/api/tenants/initech/secrets/rotate", json={"which": which}, headers=AUTH
        )
        assert rotated.status_code == 200
        assert rotated.json()["which"] == which
        signed = greenhouse_headers(body, secret=rotated.json()["secret"])
        hook = client.post("/webhooks/greenhouse/initech", content=body, headers=signed)
        assert hook.status_code == 200


def test_a_greenhouse_tenants_generated_secret_keeps_its_greenhouse_era_name(
    client: TestClient,
) -> None:
    made = client.put("/api/tenants/initech", json={}, headers=AUTH).json()
    other = client.put("/api/tenants/hooli", json={"ats": "other"}, headers=AUTH).json()

    assert set(made["generated"]) == {"intrro_secret", "greenhouse_webhook_secret"}
    assert set(other["generated"]) == {"intrro_secret", "ats_webhook_secret"}
