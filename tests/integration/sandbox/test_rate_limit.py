"""The per-credential Harvest allowance: headers on every answer, 429 with Retry-After past it."""

from __future__ import annotations

import httpx

from intrro_gateway.sandboxes.greenhouse import RateLimit, SandboxState
from tests.integration.sandbox.support import mint


async def test_every_harvest_answer_carries_the_rate_limit_headers(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    first = await client.get("/v3/sources", headers=headers)
    second = await client.get("/v3/jobs", params={"bogus": "1"}, headers=headers)

    assert first.headers["X-RateLimit-Limit"] == "150"
    assert first.headers["X-RateLimit-Remaining"] == "149"
    assert second.status_code == 422
    assert second.headers["X-RateLimit-Remaining"] == "148"
    assert int(first.headers["X-RateLimit-Reset"]) >= int(state.clock.epoch())


async def test_past_the_allowance_harvest_answers_429_with_retry_after(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    state.harvest_rate_limit = RateLimit(limit=3, window_s=30)
    for _ in range(3):
        assert (await client.get("/v3/sources", headers=headers)).status_code == 200

    refused = await client.get("/v3/sources", headers=headers)

    assert refused.status_code == 429
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert 1 <= int(refused.headers["Retry-After"]) <= 30


async def test_the_allowance_comes_back_when_the_window_ends(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    state.harvest_rate_limit = RateLimit(limit=1, window_s=30)
    assert (await client.get("/v3/sources", headers=headers)).status_code == 200
    assert (await client.get("/v3/sources", headers=headers)).status_code == 429

    state.clock.advance(30)

    assert (await client.get("/v3/sources", headers=headers)).status_code == 200


async def test_each_credential_has_its_own_allowance(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    state.harvest_rate_limit = RateLimit(limit=1, window_s=30)
    state.add_credential("other", "other-secret")
    other = {
        "Authorization": f"Bearer {await mint(client, client_id='other', client_secret='other-secret')}"
    }
    assert (await client.get("/v3/sources", headers=headers)).status_code == 200
    assert (await client.get("/v3/sources", headers=headers)).status_code == 429

    assert (await client.get("/v3/sources", headers=other)).status_code == 200


async def test_the_request_log_counts_requests_per_path(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    await client.get("/v3/jobs", params={"status": "open"}, headers=headers)
    await client.get("/v3/jobs", headers=headers)
    await client.get("/v3/sources", headers=headers)

    assert state.request_count("/v3/jobs") == 2
    assert state.request_count("/v3/sources") == 1
    assert state.request_count("/token", "POST") == 1
    assert state.requests[1].params == {"status": "open"}
