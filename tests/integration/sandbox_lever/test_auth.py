"""API keys: HTTP Basic with the key as user and an empty password; per-endpoint permissions."""

from __future__ import annotations

import base64

import httpx
import pytest

from intrro_gateway.sandboxes.lever import ALL_PERMISSIONS, SandboxState
from tests.integration.sandbox_lever.support import auth


async def test_the_default_key_reads_every_list(client: httpx.AsyncClient) -> None:
    for path in (
        "/users",
        "/postings",
        "/stages",
        "/archive_reasons",
        "/opportunities",
        "/webhooks",
    ):
        response = await client.get(path, auth=auth())
        assert response.status_code == 200, (path, response.text)
        assert isinstance(response.json()["data"], list)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer lever-sandbox-key",
        "Basic " + base64.b64encode(b"wrong-key:").decode(),
        "Basic " + base64.b64encode(b"lever-sandbox-key:secret").decode(),
        "Basic " + base64.b64encode(b":lever-sandbox-key").decode(),
        "Basic not-base64!",
    ],
)
async def test_anything_but_the_key_as_user_with_an_empty_password_is_401(
    client: httpx.AsyncClient, header: str | None
) -> None:
    headers = {"Authorization": header} if header is not None else {}
    response = await client.get("/postings", headers=headers)

    assert response.status_code == 401
    assert response.json()["code"] == "Unauthorized"


async def test_a_revoked_key_is_401(client: httpx.AsyncClient, state: SandboxState) -> None:
    state.add_api_key("short-lived")
    assert (await client.get("/stages", auth=auth("short-lived"))).status_code == 200

    state.api_keys["short-lived"].revoked = True

    assert (await client.get("/stages", auth=auth("short-lived"))).status_code == 401


@pytest.mark.parametrize(
    ("permission", "method", "path"),
    [
        ("GET /users", "GET", "/users"),
        ("GET /postings", "GET", "/postings"),
        ("GET /stages", "GET", "/stages"),
        ("GET /archive_reasons", "GET", "/archive_reasons"),
        ("GET /opportunities", "GET", "/opportunities"),
        ("POST /opportunities", "POST", "/opportunities"),
        ("GET /webhooks", "GET", "/webhooks"),
        ("POST /webhooks", "POST", "/webhooks"),
    ],
)
async def test_a_key_lacking_one_permission_gets_403_there_only(
    client: httpx.AsyncClient, state: SandboxState, permission: str, method: str, path: str
) -> None:
    state.add_api_key("partial", ALL_PERMISSIONS - {permission})

    refused = await client.request(method, path, auth=auth("partial"), json={})
    others = [p for p in ("/users", "/postings", "/stages", "/archive_reasons") if p != path]
    allowed = [await client.get(p, auth=auth("partial")) for p in others]

    assert refused.status_code == 403
    assert refused.json() == {
        "code": "Forbidden",
        "message": f"This API key does not have the permission {permission}",
    }
    assert all(r.status_code == 200 for r in allowed)


async def test_permissions_are_per_endpoint_not_per_resource(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    state.add_api_key("no-get-one", ALL_PERMISSIONS - {"GET /opportunities/:id"})
    opportunity = state.seed.opportunity_ids[0]

    listed = await client.get("/opportunities", auth=auth("no-get-one"))
    one = await client.get(f"/opportunities/{opportunity}", auth=auth("no-get-one"))

    assert listed.status_code == 200
    assert one.status_code == 403


async def test_a_refused_write_changes_nothing(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    state.add_api_key("read-only", {"GET /opportunities"})
    before = len(state.tables["opportunities"])

    response = await client.post(
        "/opportunities",
        params={"perform_as": state.seed.admin_user_id},
        json={"name": "Nope", "emails": ["nope@example.com"]},
        auth=auth("read-only"),
    )

    assert response.status_code == 403
    assert len(state.tables["opportunities"]) == before


def test_unknown_permissions_are_refused_when_making_a_key(state: SandboxState) -> None:
    with pytest.raises(ValueError, match="unknown permissions"):
        state.add_api_key("typo", {"GET /posting"})


async def test_confidential_data_needs_a_key_allowed_to_see_it(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    state.add_api_key("no-secrets", confidential=False)
    secret = state.seed.confidential_posting_id
    erin = state.seed.employee_user_ids[0]

    listed = await client.get("/postings", params={"confidentiality": "all"}, auth=auth())
    refused_list = await client.get(
        "/postings", params={"confidentiality": "all"}, auth=auth("no-secrets")
    )
    refused_one = await client.get(f"/postings/{secret}", auth=auth("no-secrets"))
    default = await client.get("/postings", auth=auth("no-secrets"))
    made = await client.post(
        "/opportunities",
        params={"perform_as": erin},
        json={"name": "Quiet", "emails": ["quiet@example.com"], "postings": [secret]},
        auth=auth(),
    )
    opportunity = made.json()["data"]["id"]
    refused_create = await client.post(
        "/opportunities",
        params={"perform_as": erin},
        json={"name": "Loud", "emails": ["loud@example.com"], "postings": [secret]},
        auth=auth("no-secrets"),
    )
    refused_read = await client.get(f"/opportunities/{opportunity}", auth=auth("no-secrets"))
    refused_write = await client.put(
        f"/opportunities/{opportunity}/stage", json={"stage": "offer"}, auth=auth("no-secrets")
    )

    assert secret in [p["id"] for p in listed.json()["data"]]
    assert secret not in [p["id"] for p in default.json()["data"]]
    assert made.json()["data"]["confidentiality"] == "confidential"
    assert [r.status_code for r in (refused_list, refused_one, refused_create)] == [403] * 3
    assert [r.status_code for r in (refused_read, refused_write)] == [403] * 2
    assert refused_one.json()["code"] == "Forbidden"
    assert state.tables["opportunities"][opportunity]["stage"] == "lead-new"
    assert not any("loud@example.com" in c["emails"] for c in state.tables["contacts"].values())
