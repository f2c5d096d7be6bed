"""Writes: create (one posting, e-mail de-duplication), stage, archived, tags/links/sources, notes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from intrro_gateway.sandboxes.lever import SandboxState
from tests.integration.sandbox_lever.support import auth


def _referral(state: SandboxState, email: str = "pat@example.com", **extra: Any) -> dict[str, Any]:
    return {
        "name": "Pat Example",
        "emails": [email],
        "phones": [{"value": "+44 20 7946 0000", "type": "mobile"}],
        "links": ["https://intrro.example/intro/1"],
        "origin": "referred",
        "sources": ["Intrro"],
        "tags": ["Intrro"],
        "postings": [state.seed.published_posting_ids[0]],
        **extra,
    }


async def _create(
    client: httpx.AsyncClient, state: SandboxState, body: dict[str, Any]
) -> httpx.Response:
    return await client.post(
        "/opportunities", params={"perform_as": state.seed.admin_user_id}, json=body, auth=auth()
    )


async def test_create_answers_201_with_the_opportunity_and_deduped(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    response = await _create(client, state, _referral(state))

    assert response.status_code == 201
    body = response.json()
    assert body["deduped"] is False
    data = body["data"]
    posting = state.tables["postings"][state.seed.published_posting_ids[0]]
    assert data["name"] == "Pat Example"
    assert data["emails"] == ["pat@example.com"]
    assert data["origin"] == "referred"
    assert data["sources"] == ["Intrro"]
    assert data["stage"] == "lead-new"
    assert data["archived"] is None
    assert data["owner"] == data["sourcedBy"] == state.seed.admin_user_id
    assert data["tags"][0] == "Intrro"
    assert posting["text"] in data["tags"] and posting["categories"]["team"] in data["tags"]
    assert len(data["applications"]) == 1
    application = state.tables["applications"][data["applications"][0]]
    assert application["posting"] == posting["id"]
    assert data["urls"]["show"].endswith(data["id"])


async def test_a_second_create_with_the_same_email_joins_the_contact(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    first = (await _create(client, state, _referral(state))).json()
    other_posting = state.seed.published_posting_ids[1]
    second = (
        await _create(client, state, _referral(state, "PAT@example.com", postings=[other_posting]))
    ).json()

    assert second["deduped"] is True
    assert second["data"]["id"] != first["data"]["id"]
    assert second["data"]["contact"] == first["data"]["contact"]
    listed = (
        await client.get("/opportunities", params={"email": "pat@example.com"}, auth=auth())
    ).json()
    assert [o["id"] for o in listed["data"]] == [first["data"]["id"], second["data"]["id"]]


async def test_an_existing_seeded_person_is_deduped(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    response = await _create(client, state, _referral(state, "ada.lovelace@example.com"))

    assert response.json()["deduped"] is True
    assert response.json()["data"]["contact"] == state.seed.contact_ids[0]
    assert response.json()["data"]["name"] == "Ada Lovelace"


async def test_followers_are_kept(client: httpx.AsyncClient, state: SandboxState) -> None:
    erin = state.seed.employee_user_ids[0]

    response = await _create(client, state, _referral(state, followers=[erin]))

    assert erin in response.json()["data"]["followers"]


async def test_perform_as_is_required_and_must_be_an_active_user(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    missing = await client.post("/opportunities", json=_referral(state), auth=auth())
    stranger = await client.post(
        "/opportunities", params={"perform_as": "nobody"}, json=_referral(state), auth=auth()
    )
    departed = await client.post(
        "/opportunities",
        params={"perform_as": state.seed.deactivated_user_id},
        json=_referral(state),
        auth=auth(),
    )

    assert [r.status_code for r in (missing, stranger, departed)] == [400, 400, 400]
    assert "perform_as" in missing.json()["message"]
    assert not any(o["origin"] == "referred" for o in state.tables["opportunities"].values())


async def test_perform_as_posting_owner_makes_the_posting_owner_the_owner(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    erin = state.seed.employee_user_ids[0]
    owned = await client.post(
        "/opportunities",
        params={"perform_as": erin, "perform_as_posting_owner": "true"},
        json=_referral(state),
        auth=auth(),
    )
    without_perform_as = await client.post(
        "/opportunities",
        params={"perform_as_posting_owner": "true"},
        json=_referral(state),
        auth=auth(),
    )
    without_posting = await client.post(
        "/opportunities",
        params={"perform_as": erin, "perform_as_posting_owner": "true"},
        json=_referral(state, postings=[]),
        auth=auth(),
    )

    assert owned.status_code == 201
    assert owned.json()["data"]["owner"] == state.seed.recruiter_user_id
    assert owned.json()["data"]["sourcedBy"] == erin
    assert without_perform_as.status_code == without_posting.status_code == 400


@pytest.mark.parametrize("which", ["closed_posting_id", "draft_posting_id"])
async def test_a_closed_or_draft_posting_is_refused(
    client: httpx.AsyncClient, state: SandboxState, which: str
) -> None:
    response = await _create(client, state, _referral(state, postings=[getattr(state.seed, which)]))

    assert response.status_code == 400
    assert "postings" in response.json()["message"]


async def test_an_internal_posting_is_accepted(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    response = await _create(
        client, state, _referral(state, postings=[state.seed.internal_posting_ids[0]])
    )

    assert response.status_code == 201


async def test_stage_change(client: httpx.AsyncClient, state: SandboxState) -> None:
    opportunity = state.seed.opportunity_ids[0]
    response = await client.put(
        f"/opportunities/{opportunity}/stage",
        params={"perform_as": state.seed.recruiter_user_id},
        json={"stage": "offer"},
        auth=auth(),
    )

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["stage"] == "offer"
    assert data["stageChanges"][-1]["toStageId"] == "offer"
    assert data["stageChanges"][-1]["userId"] == state.seed.recruiter_user_id


async def test_archive_then_unarchive(client: httpx.AsyncClient, state: SandboxState) -> None:
    opportunity = state.seed.opportunity_ids[0]
    withdrew = state.seed.archive_reason_ids["Withdrew"]

    archived = await client.put(
        f"/opportunities/{opportunity}/archived", json={"reason": withdrew}, auth=auth()
    )
    unarchived = await client.put(
        f"/opportunities/{opportunity}/archived", json={"reason": None}, auth=auth()
    )

    assert archived.status_code == 200
    assert archived.json()["data"]["archived"]["reason"] == withdrew
    assert unarchived.json()["data"]["archived"] is None


async def test_archive_with_an_unknown_or_inactive_reason_is_refused(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    opportunity = state.seed.opportunity_ids[0]
    old = state.seed.archive_reason_ids["No Response - OLD"]

    unknown = await client.put(
        f"/opportunities/{opportunity}/archived", json={"reason": "nope"}, auth=auth()
    )
    inactive = await client.put(
        f"/opportunities/{opportunity}/archived", json={"reason": old}, auth=auth()
    )

    assert unknown.status_code == inactive.status_code == 400
    assert state.tables["opportunities"][opportunity]["archived"] is None


async def test_tags_links_and_sources(client: httpx.AsyncClient, state: SandboxState) -> None:
    opportunity = state.seed.opportunity_ids[0]

    await client.post(
        f"/opportunities/{opportunity}/addTags", json={"tags": ["Intrro", "Intrro"]}, auth=auth()
    )
    await client.post(
        f"/opportunities/{opportunity}/addLinks", json={"links": ["https://x.example"]}, auth=auth()
    )
    await client.post(
        f"/opportunities/{opportunity}/addSources", json={"sources": ["Intrro"]}, auth=auth()
    )
    removed = await client.post(
        f"/opportunities/{opportunity}/removeSources", json={"sources": ["LinkedIn"]}, auth=auth()
    )

    data = removed.json()["data"]
    assert data["tags"].count("Intrro") == 1
    assert data["links"] == ["https://x.example"]
    assert data["sources"] == ["Intrro"]


async def test_notes_add_list_get_delete(client: httpx.AsyncClient, state: SandboxState) -> None:
    opportunity = state.seed.opportunity_ids[0]
    created = await client.post(
        f"/opportunities/{opportunity}/notes",
        params={"perform_as": state.seed.admin_user_id},
        json={"value": "Referred by Erin Employee via Intrro"},
        auth=auth(),
    )
    note = created.json()["data"]

    listed = (await client.get(f"/opportunities/{opportunity}/notes", auth=auth())).json()
    one = await client.get(f"/opportunities/{opportunity}/notes/{note['id']}", auth=auth())
    deleted = await client.delete(f"/opportunities/{opportunity}/notes/{note['id']}", auth=auth())
    gone = await client.get(f"/opportunities/{opportunity}/notes/{note['id']}", auth=auth())

    assert created.status_code == 201
    assert note["fields"][0]["value"] == "Referred by Erin Employee via Intrro"
    assert note["fields"][0]["type"] == "note"
    assert [n["id"] for n in listed["data"]] == [note["id"]]
    assert one.status_code == 200
    assert deleted.status_code == 204
    assert gone.status_code == 404


async def test_note_id_adds_a_comment_to_that_note(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    opportunity = state.seed.opportunity_ids[0]
    first = await client.post(
        f"/opportunities/{opportunity}/notes", json={"value": "first"}, auth=auth()
    )
    note_id = first.json()["data"]["noteId"]

    comment = await client.post(
        f"/opportunities/{opportunity}/notes",
        params={"note_id": note_id, "perform_as": state.seed.recruiter_user_id},
        json={"value": "second", "score": 4},
        auth=auth(),
    )
    unknown = await client.post(
        f"/opportunities/{opportunity}/notes",
        params={"note_id": "nope"},
        json={"value": "x"},
        auth=auth(),
    )

    assert comment.status_code == 201
    fields = comment.json()["data"]["fields"]
    assert [f["value"] for f in fields] == ["first", "second"]
    assert [f["user"] for f in fields] == [None, state.seed.recruiter_user_id]
    assert fields[1]["score"] == 4
    assert unknown.status_code == 404
    listed = (await client.get(f"/opportunities/{opportunity}/notes", auth=auth())).json()["data"]
    assert len(listed) == 1


async def test_a_note_without_perform_as_has_no_user(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    opportunity = state.seed.opportunity_ids[0]

    response = await client.post(
        f"/opportunities/{opportunity}/notes", json={"value": "anonymous"}, auth=auth()
    )

    assert response.json()["data"]["user"] is None


async def test_the_creator_follows_and_the_posting_location_is_kept(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    response = await client.post(
        "/opportunities",
        params={"perform_as": state.seed.employee_user_ids[2]},
        json=_referral(state),
        auth=auth(),
    )

    data = response.json()["data"]
    assert state.seed.employee_user_ids[2] in data["followers"]
    posting = state.tables["postings"][state.seed.published_posting_ids[0]]
    assert data["opportunityLocation"] == posting["categories"]["location"]


async def test_archived_without_a_reason_is_ignored_on_create(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    created = 1_700_000_000_000
    response = await _create(
        client, state, _referral(state, createdAt=created, archived={"archivedAt": created + 1})
    )

    assert response.status_code == 201
    assert response.json()["data"]["archived"] is None


async def test_a_historical_archived_opportunity(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    reason = state.seed.archive_reason_ids["Timing"]
    body = _referral(
        state,
        createdAt=1_700_000_000_000,
        archived={"reason": reason, "archivedAt": 1_700_000_000_500},
    )

    response = await _create(client, state, body)

    data = response.json()["data"]
    assert data["createdAt"] == 1_700_000_000_000
    assert data["archived"] == {"reason": reason, "archivedAt": 1_700_000_000_500}


async def test_writes_to_an_unknown_opportunity_are_404(client: httpx.AsyncClient) -> None:
    for method, suffix, body in (
        ("PUT", "stage", {"stage": "offer"}),
        ("PUT", "archived", {"reason": None}),
        ("POST", "notes", {"value": "x"}),
        ("POST", "addTags", {"tags": ["x"]}),
    ):
        response = await client.request(
            method, f"/opportunities/nope/{suffix}", json=body, auth=auth()
        )
        assert response.status_code == 404, suffix
        assert response.json()["code"] == "ResourceNotFound"


async def test_webhooks_create_list_delete(client: httpx.AsyncClient) -> None:
    created = await client.post(
        "/webhooks",
        json={
            "url": "https://gateway.example/webhooks/lever/acme",
            "event": "candidateStageChange",
            "configuration": {"conditions": {"origins": ["referred"]}},
        },
        auth=auth(),
    )
    hook = created.json()["data"]
    listed = (await client.get("/webhooks", auth=auth())).json()["data"]
    deleted = await client.delete(f"/webhooks/{hook['id']}", auth=auth())
    again = await client.delete(f"/webhooks/{hook['id']}", auth=auth())

    assert created.status_code == 201
    assert len(hook["configuration"]["signatureToken"]) >= 32
    assert hook["configuration"]["conditions"] == {"origins": ["referred"]}
    assert [h["id"] for h in listed] == [hook["id"]]
    assert "signatureToken" not in listed[0]["configuration"]
    assert deleted.status_code == 204
    assert again.status_code == 404
