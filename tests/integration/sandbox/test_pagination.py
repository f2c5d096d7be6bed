"""Cursor pagination: id-descending pages chained through `Link: <...>; rel="next"`."""

from __future__ import annotations

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intrro_gateway.sandboxes.greenhouse import SandboxState
from tests.integration.sandbox.support import next_url


async def _collect(
    client: httpx.AsyncClient, headers: dict[str, str], url: str
) -> tuple[list[int], int]:
    ids: list[int] = []
    pages = 0
    next_page: str | None = url
    while next_page is not None:
        response = await client.get(next_page, headers=headers)
        assert response.status_code == 200, response.text
        ids.extend(record["id"] for record in response.json())
        pages += 1
        next_page = next_url(response)
    return ids, pages


async def test_following_next_links_reads_every_job_once_in_descending_id_order(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    ids, pages = await _collect(client, headers, "/v3/jobs?per_page=4")

    assert ids == sorted(state.tables["jobs"], reverse=True)
    assert pages == -(-len(state.tables["jobs"]) // 4)


async def test_the_cursor_keeps_the_first_requests_filters(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    ids, _ = await _collect(client, headers, "/v3/jobs?per_page=3&status=open")

    open_ids = [i for i, job in state.tables["jobs"].items() if job["status"] == "open"]
    assert ids == sorted(open_ids, reverse=True)
    assert state.seed.closed_job_id not in ids


async def test_the_next_link_carries_only_the_cursor(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.get("/v3/jobs", params={"per_page": 2}, headers=headers)

    url = httpx.URL(next_url(response) or "")
    assert list(url.params.keys()) == ["cursor"]
    assert response.headers["link"].endswith('; rel="next"')


async def test_a_cursor_for_another_resource_is_refused(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.get("/v3/jobs", params={"per_page": 2}, headers=headers)
    cursor = httpx.URL(next_url(response) or "").params["cursor"]

    refused = await client.get("/v3/candidates", params={"cursor": cursor}, headers=headers)

    assert refused.status_code == 422


async def test_a_malformed_cursor_is_refused_with_422(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.get("/v3/jobs", params={"cursor": "not-a-cursor"}, headers=headers)

    assert response.status_code == 422


async def test_the_default_page_is_one_hundred_records(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    for number in range(120):
        state.insert("candidate_tags", {"name": f"tag-{number}"})

    response = await client.get("/v3/candidate_tags", headers=headers)

    assert len(response.json()) == 100
    assert next_url(response) is not None


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(per_page=st.integers(min_value=1, max_value=30))
async def test_any_page_size_reads_every_stage_exactly_once(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState, per_page: int
) -> None:
    state.limiter.reset()

    ids, pages = await _collect(client, headers, f"/v3/job_interview_stages?per_page={per_page}")

    assert ids == sorted(state.tables["job_interview_stages"], reverse=True)
    assert pages == -(-len(ids) // per_page)


async def test_the_cursor_in_the_link_is_percent_encoded(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.get("/v3/jobs", params={"per_page": 1}, headers=headers)

    raw_query = (next_url(response) or "").split("?", 1)[1]
    assert raw_query.startswith("cursor=")
    assert "=" not in raw_query.removeprefix("cursor=")
