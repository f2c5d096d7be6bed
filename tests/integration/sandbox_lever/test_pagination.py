"""Lists: `{data, hasNext, next}`; the next page comes from `offset=<next>` with the same filters."""

from __future__ import annotations

import httpx
import pytest

from intrro_gateway.sandboxes.lever import SandboxState
from tests.integration.sandbox_lever.support import auth, walk


def _visible(state: SandboxState) -> list[str]:
    """Every posting a list shows by default: the non-confidential ones, in creation order."""
    return [
        i for i, p in state.tables["postings"].items() if p["confidentiality"] == "non-confidential"
    ]


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 100])
async def test_walking_the_pages_yields_every_posting_once_in_order(
    client: httpx.AsyncClient, state: SandboxState, limit: int
) -> None:
    rows = await walk(client, "/postings", {"limit": limit})

    ids = [r["id"] for r in rows]
    assert ids == _visible(state)
    assert len(set(ids)) == len(ids)


async def test_the_last_page_says_hasNext_false_and_has_no_next(client: httpx.AsyncClient) -> None:
    response = await client.get("/stages", auth=auth())

    body = response.json()
    assert body["hasNext"] is False
    assert "next" not in body


async def test_filters_hold_across_pages(client: httpx.AsyncClient, state: SandboxState) -> None:
    rows = await walk(client, "/postings", {"limit": 2, "state": "published"})

    assert [r["id"] for r in rows] == state.seed.published_posting_ids


async def test_a_token_used_with_other_filters_is_refused(client: httpx.AsyncClient) -> None:
    first = (
        await client.get("/postings", params={"limit": 2, "state": "published"}, auth=auth())
    ).json()

    response = await client.get(
        "/postings", params={"limit": 2, "state": "internal", "offset": first["next"]}, auth=auth()
    )

    assert response.status_code == 400
    assert response.json()["code"] == "InvalidRequest"


async def test_a_token_from_another_list_is_refused(client: httpx.AsyncClient) -> None:
    first = (await client.get("/stages", params={"limit": 1}, auth=auth())).json()

    response = await client.get(
        "/archive_reasons", params={"limit": 1, "offset": first["next"]}, auth=auth()
    )

    assert response.status_code == 400


@pytest.mark.parametrize("limit", ["0", "101", "-1", "ten", "1.5", ""])
async def test_limit_outside_one_to_a_hundred_is_refused(
    client: httpx.AsyncClient, limit: str
) -> None:
    response = await client.get("/postings", params={"limit": limit}, auth=auth())

    assert response.status_code == 400


async def test_the_page_size_may_change_between_pages(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    first = (await client.get("/postings", params={"limit": 2}, auth=auth())).json()
    second = (
        await client.get("/postings", params={"limit": 3, "offset": first["next"]}, auth=auth())
    ).json()

    ids = [r["id"] for r in first["data"] + second["data"]]
    assert ids == _visible(state)[:5]
