"""The sandbox's OAuth endpoints and how Harvest calls are authorised."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from intrro_gateway.sandboxes.greenhouse import SandboxState
from tests.integration.sandbox.support import mint


async def test_a_token_answer_has_bearer_type_and_an_absolute_expiry_in_one_hour(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    response = await client.post(
        "/token",
        auth=(state.DEFAULT_CLIENT_ID, state.DEFAULT_CLIENT_SECRET),
        data={"grant_type": "client_credentials", "sub": str(state.DEFAULT_USER_ID)},
    )

    body = response.json()
    assert response.status_code == 200
    assert set(body) == {"token_type", "access_token", "expires_at"}
    assert body["token_type"] == "Bearer"
    expires_at = datetime.strptime(body["expires_at"], "%Y-%m-%dT%H:%M:%S%z")
    remaining = (expires_at - datetime.now(UTC)).total_seconds()
    assert 3500 < remaining <= 3600


async def test_an_unknown_credential_is_refused_with_invalid_client(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/token", auth=("nobody", "wrong"), data={"grant_type": "client_credentials"}
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


async def test_a_wrong_secret_is_refused_with_invalid_client(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    response = await client.post(
        "/token", auth=(state.DEFAULT_CLIENT_ID, "wrong"), data={"grant_type": "client_credentials"}
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


async def test_a_sub_that_is_not_a_user_of_the_account_is_an_oauth_error(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    response = await client.post(
        "/token",
        auth=(state.DEFAULT_CLIENT_ID, state.DEFAULT_CLIENT_SECRET),
        data={"grant_type": "client_credentials", "sub": "123"},
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


async def test_a_grant_other_than_client_credentials_is_refused(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    response = await client.post(
        "/token",
        auth=(state.DEFAULT_CLIENT_ID, state.DEFAULT_CLIENT_SECRET),
        data={"grant_type": "password"},
    )

    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


async def test_a_token_without_sub_acts_as_the_credentials_integration_service_user(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    token = await mint(client, sub=None)

    assert state.tokens[token].sub == state.credentials[state.DEFAULT_CLIENT_ID].service_user_id
    listed = await client.get(
        "/v3/users",
        params={"primary_email": "erin.employee@sandbox.example"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert listed.status_code == 200
    assert [u["name"] for u in listed.json()] == ["Erin Employee"]


async def test_an_expired_token_is_refused_with_401(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    token = await mint(client)
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/v3/sources", headers=headers)).status_code == 200

    state.clock.advance(state.token_ttl + 1)

    response = await client.get("/v3/sources", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}


async def test_a_shorter_token_ttl_shows_in_expires_at_and_expires_the_token(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    state.token_ttl = 5
    token = await mint(client)
    headers = {"Authorization": f"Bearer {token}"}

    state.clock.advance(4)
    assert (await client.get("/v3/sources", headers=headers)).status_code == 200
    state.clock.advance(2)
    assert (await client.get("/v3/sources", headers=headers)).status_code == 401


async def test_a_missing_or_unknown_bearer_token_is_refused_with_401(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.get("/v3/jobs")).status_code == 401
    bad = await client.get("/v3/jobs", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401


async def test_introspection_reports_client_sub_and_space_separated_scopes(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    state.add_credential("narrow", "narrow-secret", ["harvest:jobs:list", "harvest:users:list"])
    token = await mint(client, client_id="narrow", client_secret="narrow-secret")

    response = await client.post(
        "/introspect", auth=("narrow", "narrow-secret"), data={"token": token}
    )

    body = response.json()
    assert body["active"] is True
    assert body["client_id"] == "narrow"
    assert body["sub"] == str(state.DEFAULT_USER_ID)
    assert body["scope"].split(" ") == ["harvest:jobs:list", "harvest:users:list"]


async def test_introspection_of_an_expired_token_says_inactive(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    token = await mint(client)
    state.clock.advance(state.token_ttl)

    response = await client.post(
        "/introspect",
        auth=(state.DEFAULT_CLIENT_ID, state.DEFAULT_CLIENT_SECRET),
        data={"token": token},
    )

    assert response.json() == {"active": False}


async def test_a_credential_without_introspection_gets_404_from_introspect(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    state.add_credential("probe-only", "probe-secret", introspection=False)
    token = await mint(client, client_id="probe-only", client_secret="probe-secret")

    response = await client.post(
        "/introspect", auth=("probe-only", "probe-secret"), data={"token": token}
    )

    assert response.status_code == 404


async def test_a_missing_scope_is_refused_with_403(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    state.add_credential("jobs-only", "jobs-secret", ["harvest:jobs:list"])
    token = await mint(client, client_id="jobs-only", client_secret="jobs-secret")
    headers = {"Authorization": f"Bearer {token}"}

    assert (await client.get("/v3/jobs", headers=headers)).status_code == 200
    refused = await client.get("/v3/candidates", headers=headers)
    assert refused.status_code == 403
    assert "harvest:candidates:list" in refused.json()["errors"][0]


async def test_a_write_without_its_scope_is_refused_with_403(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    state.add_credential("reader", "reader-secret", ["harvest:candidates:list"])
    token = await mint(client, client_id="reader", client_secret="reader-secret")

    response = await client.post(
        "/v3/candidates",
        headers={"Authorization": f"Bearer {token}"},
        json={"first_name": "Ada", "last_name": "Lovelace"},
    )

    assert response.status_code == 403
    assert len(state.tables["candidates"]) == len(state.seed.candidate_ids)


async def test_list_calls_by_a_user_who_is_not_a_site_admin_are_refused_with_403(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    token = await mint(client, sub=state.seed.non_admin_user_id)

    response = await client.get("/v3/jobs", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 403
    assert "Site Admin" in response.json()["errors"][0]


async def test_writes_by_a_user_who_is_not_a_site_admin_are_allowed(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    token = await mint(client, sub=state.seed.non_admin_user_id)

    response = await client.post(
        "/v3/notes",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "candidate_id": state.seed.candidate_ids[0],
            "user_id": state.seed.non_admin_user_id,
            "body": "Referred by Erin",
            "visibility": "public",
            "note_type": "NOTE",
        },
    )

    assert response.status_code == 201
    assert response.json()["visibility"] == "publicly_visible"


async def test_the_token_endpoint_allows_sixty_requests_per_minute_per_credential(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    for _ in range(60):
        await mint(client)

    refused = await client.post(
        "/token",
        auth=(state.DEFAULT_CLIENT_ID, state.DEFAULT_CLIENT_SECRET),
        data={"grant_type": "client_credentials"},
    )

    assert refused.status_code == 429
    assert refused.headers["X-RateLimit-Limit"] == "60"
    assert int(refused.headers["Retry-After"]) > 0
    state.clock.advance(61)
    assert await mint(client)


async def test_a_revoked_credential_can_neither_mint_nor_use_tokens(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    token = await mint(client)
    state.credentials[state.DEFAULT_CLIENT_ID].revoked = True

    used = await client.get("/v3/sources", headers={"Authorization": f"Bearer {token}"})
    minted = await client.post(
        "/token",
        auth=(state.DEFAULT_CLIENT_ID, state.DEFAULT_CLIENT_SECRET),
        data={"grant_type": "client_credentials"},
    )

    assert used.status_code == 401
    assert (minted.status_code, minted.json()["error"]) == (401, "invalid_client")


async def test_a_scope_removed_from_the_credential_is_enforced_at_once(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    assert (await client.get("/v3/referrers", headers=headers)).status_code == 200

    state.credentials[state.DEFAULT_CLIENT_ID].scopes.discard("harvest:referrers:list")

    assert (await client.get("/v3/referrers", headers=headers)).status_code == 403
