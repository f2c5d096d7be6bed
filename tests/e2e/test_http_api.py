"""The API: bearer tokens, tenants, secrets, listings, replay, and RFC 9457 problems."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from dependency_injector import providers
from starlette.testclient import TestClient

from tests.e2e.http_support import (
    AUTH,
    OTHER_TOKEN,
    TOKEN,
    Gateway,
    create_tenant,
    gateway,
    gateway_settings,
    greenhouse_body,
    greenhouse_headers,
)

PROBLEM = "application/problem+json"


@pytest.fixture
def gw(tmp_path: Path) -> Gateway:
    return gateway(gateway_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}"))


@pytest.fixture
def client(gw: Gateway) -> Iterator[TestClient]:
    with gw.client() as client:
        yield client


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer wrong-token-0123456789", f"Basic {TOKEN}", f"bearer{TOKEN}"],
)
def test_the_api_answers_401_without_a_valid_bearer_token(
    client: TestClient, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}

    response = client.get("/api/tenants/acme/deliveries", headers=headers)

    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["title"] == "Unauthorized"


def test_every_configured_token_is_valid(client: TestClient) -> None:
    create_tenant(client, "acme")

    for token in (TOKEN, OTHER_TOKEN):
        response = client.get("/api/tenants/acme", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200


def test_health_metrics_and_openapi_need_no_token(client: TestClient) -> None:
    for path in ("/healthz", "/readyz", "/metrics", "/openapi.json"):
        assert client.get(path).status_code == 200, path


def test_creating_a_tenant_answers_201_with_generated_secrets_shown_once(
    client: TestClient,
) -> None:
    created = client.put("/api/tenants/acme", json={}, headers=AUTH)
    shown_again = client.get("/api/tenants/acme", headers=AUTH)
    changed = client.put("/api/tenants/acme", json={"closed_job_policy": "prospect"}, headers=AUTH)

    assert created.status_code == 201
    generated = created.json()["generated"]
    assert generated and all(generated.values())
    assert created.json()["webhook_url"] == "https://gateway.test/webhooks/greenhouse/acme"
    assert shown_again.status_code == 200
    for secret in generated.values():
        assert secret not in shown_again.text
        assert secret not in changed.text
    assert changed.status_code == 200
    assert changed.json()["closed_job_policy"] == "prospect"
    assert changed.json()["generated"] == {}


def test_a_bad_tenant_body_is_a_422_problem_naming_every_field(client: TestClient) -> None:
    response = client.put(
        "/api/tenants/acme",
        json={
            "intrro_callback_url": 42,
            "intrro_secret": "plain",
            "stage_mapping": {"by_stage_id": {"1": "hired"}, "by_stage_name": {"Screen": "nope"}},
            "closed_job_policy": "ignore",
            "colour": "blue",
        },
        headers=AUTH,
    )

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == 422
    assert problem["instance"] == "/api/tenants/acme"
    named = " ".join(problem["errors"])
    for field in ("intrro_callback_url", "intrro_secret", "Screen", "closed_job_policy", "colour"):
        assert field in named


def test_the_rejection_mapping_is_set_by_put_and_shown_by_get(client: TestClient) -> None:
    created = client.put("/api/tenants/acme", json={}, headers=AUTH)
    mapping = {"by_reason_id": {"r-under": "withdrawn", "r-withdrew": "rejected"}}
    changed = client.put("/api/tenants/acme", json={"rejection_mapping": mapping}, headers=AUTH)
    bad = client.put(
        "/api/tenants/acme",
        json={"rejection_mapping": {"by_reason_id": {"r-x": "hired"}}},
        headers=AUTH,
    )
    shown = client.get("/api/tenants/acme", headers=AUTH)

    assert created.json()["rejection_mapping"] == {"by_reason_id": {}}
    assert changed.status_code == 200
    assert changed.json()["rejection_mapping"] == mapping
    assert bad.status_code == 422
    assert "r-x" in " ".join(bad.json()["errors"])
    assert shown.json()["rejection_mapping"] == mapping


def test_a_body_that_is_not_json_is_a_400_problem(client: TestClient) -> None:
    response = client.put(
        "/api/tenants/acme", content=b"{oops", headers={**AUTH, "Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM


def test_an_unknown_tenant_is_a_404_problem_everywhere(client: TestClient) -> None:
    for method, path in [
        ("GET", "/api/tenants/ghost"),
        ("DELETE", "/api/tenants/ghost"),
        ("GET", "/api/tenants/ghost/introductions/intro-1"),
        ("POST", "/api/tenants/ghost/sync/jobs"),
    ]:
        response = client.request(method, path, headers=AUTH)
        assert response.status_code == 404, (method, path)
        assert response.headers["content-type"] == PROBLEM


def test_deleting_a_tenant_removes_it(client: TestClient) -> None:
    create_tenant(client, "acme")

    deleted = client.delete("/api/tenants/acme", headers=AUTH)
    again = client.delete("/api/tenants/acme", headers=AUTH)

    assert (deleted.status_code, again.status_code) == (204, 404)
    assert client.get("/api/tenants/acme", headers=AUTH).status_code == 404


def test_rotating_a_secret_returns_the_new_one_and_rejects_an_unknown_kind(
    client: TestClient,
) -> None:
    create_tenant(client, "acme")

    rotated = client.post(
        "/api/tenants/acme/secrets/rotate", json={"which": "intrro"}, headers=AUTH
    )
    unknown = client.post("/api/tenants/acme/secrets/rotate", json={"which": "ssh"}, headers=AUTH)

    assert rotated.status_code == 200
    assert rotated.json()["secret"].startswith("whsec_")
    assert unknown.status_code == 422
    assert "which" in unknown.json()["errors"][0]


def test_deliveries_list_what_was_received_and_replay_leaves_a_live_item_alone(
    client: TestClient,
) -> None:
    create_tenant(client, "acme")
    body = greenhouse_body("hire_candidate")
    client.post("/webhooks/greenhouse/acme", content=body, headers=greenhouse_headers(body))

    listed = client.get("/api/tenants/acme/deliveries?direction=in", headers=AUTH)
    [item] = listed.json()["deliveries"]
    replay = client.post(f"/api/tenants/acme/deliveries/{item['id']}/replay", headers=AUTH)
    bad_filter = client.get("/api/tenants/acme/deliveries?direction=sideways", headers=AUTH)

    assert listed.status_code == 200
    assert item["kind"] == "hire_candidate"
    assert replay.status_code == 200
    assert replay.json() == {"replayed": False}
    assert bad_filter.status_code == 422


def test_listings_check_their_query_parameters(client: TestClient) -> None:
    create_tenant(client, "acme")

    jobs = client.get("/api/tenants/acme/jobs", headers=AUTH)
    bad_status = client.get("/api/tenants/acme/jobs?status=archived", headers=AUTH)
    bad_date = client.get("/api/tenants/acme/jobs?updated_after=yesterday", headers=AUTH)
    pipeline = client.get("/api/tenants/acme/pipeline?status=interviewing", headers=AUTH)
    bad_pipeline = client.get("/api/tenants/acme/pipeline?status=lost", headers=AUTH)

    assert jobs.status_code == 200
    assert jobs.json() == {"jobs": [], "next_cursor": None}
    assert (bad_status.status_code, bad_date.status_code, bad_pipeline.status_code) == (
        422,
        422,
        422,
    )
    assert pipeline.status_code == 200
    assert pipeline.json()["applications"] == []


def test_a_job_sync_starts_in_the_background_and_answers_202(
    gw: Gateway, client: TestClient
) -> None:
    create_tenant(client, "acme")

    response = client.post("/api/tenants/acme/sync/jobs", headers=AUTH)

    assert response.status_code == 202


def test_an_unexpected_error_is_a_500_problem(tmp_path: Path) -> None:
    gw = gateway(gateway_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}"))

    def broken() -> object:
        raise RuntimeError("a bug")

    gw.container.unit_of_work.override(providers.Callable(broken))

    with gw.client() as client:
        response = client.get("/api/tenants/acme", headers=AUTH)

    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    assert "a bug" not in response.text


_BAD_CURSORS = [
    "not-a-cursor",
    "%%%",
    base64.urlsafe_b64encode(b"[" * 5000 + b"]" * 5000).decode(),  # nested past the recursion limit
    base64.urlsafe_b64encode(b'[{"a": 1}, [2]]').decode(),
    base64.urlsafe_b64encode(b'["a\\u0000b", "c"]').decode(),
    "A" * 5000,
]


@pytest.mark.parametrize("listing", ["jobs", "pipeline", "deliveries"])
@pytest.mark.parametrize("cursor", _BAD_CURSORS)
def test_a_malformed_cursor_answers_400_problem_on_every_listing(
    client: TestClient, listing: str, cursor: str
) -> None:
    create_tenant(client)

    response = client.get(f"/api/tenants/acme/{listing}", params={"cursor": cursor}, headers=AUTH)

    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["errors"] == ["cursor"]
