"""Strict request shapes: unknown fields or parameters, wrong types and malformed JSON are 400s that
change nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from intrro_gateway.sandboxes.lever import SandboxState
from tests.integration.sandbox_lever.support import auth

_GOOD: dict[str, Any] = {"name": "Pat", "emails": ["pat@example.com"]}


@pytest.mark.parametrize(
    "body",
    [
        {**_GOOD, "referrer": "someone"},
        {**_GOOD, "emails": "pat@example.com"},
        {**_GOOD, "emails": [{"value": "pat@example.com"}]},
        {**_GOOD, "phones": ["+1 555"]},
        {**_GOOD, "phones": [{"value": "+1 555", "type": "fax"}]},
        {**_GOOD, "origin": "referral"},
        {**_GOOD, "tags": "Intrro"},
        {**_GOOD, "sources": [""]},
        {**_GOOD, "postings": "abc"},
        {**_GOOD, "postings": ["a", "b"]},
        {**_GOOD, "createdAt": "2026-01-01"},
        {**_GOOD, "stage": "no-such-stage"},
        {**_GOOD, "owner": "nobody"},
        {**_GOOD, "followers": ["nobody"]},
        {**_GOOD, "archived": {"reason": "x", "extra": 1}},
        {"headline": "no name, no email"},
        {**_GOOD, "createdAt": 9_999_999_999_999},
        {**_GOOD, "archived": {"reason": "x"}},
        {**_GOOD, "archived": {"reason": "REASON", "archivedAt": 1_700_000_000_000}},
        {
            **_GOOD,
            "createdAt": 1_700_000_000_001,
            "archived": {"reason": "REASON", "archivedAt": 1_700_000_000_000},
        },
    ],
)
async def test_bad_create_bodies_are_400_and_create_nothing(
    client: httpx.AsyncClient, state: SandboxState, body: dict[str, Any]
) -> None:
    before = (len(state.tables["opportunities"]), len(state.tables["contacts"]))
    if isinstance(body.get("archived"), dict) and body["archived"].get("reason") == "REASON":
        body = {**body, "archived": {**body["archived"], "reason": state.seed.hired_reason_id}}

    response = await client.post(
        "/opportunities", params={"perform_as": state.seed.admin_user_id}, json=body, auth=auth()
    )

    assert response.status_code == 400, response.text
    assert response.json()["code"] == "InvalidRequest"
    assert (len(state.tables["opportunities"]), len(state.tables["contacts"])) == before


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1, 2]", b'"text"', b"{"])
async def test_non_object_bodies_are_400(
    client: httpx.AsyncClient, state: SandboxState, raw: bytes
) -> None:
    response = await client.put(
        f"/opportunities/{state.seed.opportunity_ids[0]}/stage",
        content=raw,
        headers={"Content-Type": "application/json"},
        auth=auth(),
    )

    assert response.status_code == 400


async def test_a_form_body_is_refused(client: httpx.AsyncClient, state: SandboxState) -> None:
    response = await client.put(
        f"/opportunities/{state.seed.opportunity_ids[0]}/stage",
        data={"stage": "offer"},
        auth=auth(),
    )

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/postings", {"status": "published"}),
        ("/postings", {"state": "open"}),
        ("/postings", {"limit": "10", "per_page": "10"}),
        ("/postings", {"updated_at_start": "2026-01-01T00:00:00Z"}),
        ("/postings", {"expand": "applications"}),
        ("/postings", {"updated_at_start": "1", "team": "Platform"}),
        ("/postings", {"updated_at_end": "1", "state": "published"}),
        ("/postings", {"distributionChannel": "external"}),
        ("/postings", {"confidentiality": "secret"}),
        ("/postings", {"group": "team"}),
        ("/opportunities", {"snoozed": "maybe"}),
        ("/opportunities", {"archived": "yes"}),
        ("/opportunities", {"email": ""}),
        ("/opportunities", {"expand": "applications,stage"}),
        ("/archive_reasons", {"type": "rejected"}),
        ("/users", {"email": ["a@x", "b@x"]}),
        ("/stages", {"offset": "garbage"}),
    ],
)
async def test_bad_query_parameters_are_400(
    client: httpx.AsyncClient, path: str, params: dict[str, Any]
) -> None:
    response = await client.get(path, params=params, auth=auth())

    assert response.status_code == 400, response.text


@pytest.mark.parametrize(
    "body",
    [
        {"url": "https://x.example", "event": "candidateMerged"},
        {"url": "https://x.example"},
        {"event": "candidateHired"},
        {"url": "ftp://x.example", "event": "candidateHired"},
        {
            "url": "https://x.example",
            "event": "candidateHired",
            "configuration": {"conditions": {"origins": []}},
        },
        {
            "url": "https://x.example",
            "event": "candidateHired",
            "configuration": {"conditions": {"origins": ["x"]}},
        },
        {
            "url": "https://x.example",
            "event": "candidateHired",
            "configuration": {"signatureToken": "mine"},
        },
        {"url": "https://x.example", "event": "candidateHired", "secret": "s"},
        {
            "url": "https://x.example",
            "event": "candidateDeleted",
            "configuration": {"conditions": {"origins": ["referred"]}},
        },
    ],
)
async def test_bad_webhook_bodies_are_400(
    client: httpx.AsyncClient, state: SandboxState, body: dict[str, Any]
) -> None:
    response = await client.post("/webhooks", json=body, auth=auth())

    assert response.status_code == 400, response.text
    assert state.webhooks.hooks == {}


async def test_unknown_routes_are_404_in_lever_shape(client: httpx.AsyncClient) -> None:
    response = await client.get("/candidates", auth=auth())

    assert response.status_code == 404
    assert set(response.json()) == {"code", "message"}


@pytest.mark.parametrize(
    ("suffix", "body"),
    [
        ("stage", {"stage": "offer", "perform_as": "x"}),
        ("stage", {}),
        ("archived", {}),
        ("archived", {"reason": 5}),
        ("notes", {"value": ""}),
        ("notes", {"value": "x", "secret": "no"}),
        ("notes", {"value": "x", "score": 5}),
        ("notes", {"value": "x", "score": 2.5}),
        ("notes", {"value": "x", "createdAt": 9_999_999_999_999}),
        ("addTags", {"tag": ["x"]}),
        ("addLinks", {"links": "https://x"}),
    ],
)
async def test_bad_bodies_on_opportunity_writes(
    client: httpx.AsyncClient, state: SandboxState, suffix: str, body: dict[str, Any]
) -> None:
    opportunity = state.seed.opportunity_ids[0]
    before = dict(state.tables["opportunities"][opportunity])
    method = "PUT" if suffix in ("stage", "archived") else "POST"

    response = await client.request(
        method, f"/opportunities/{opportunity}/{suffix}", json=body, auth=auth()
    )

    assert response.status_code == 400, response.text
    assert state.tables["opportunities"][opportunity] == before
