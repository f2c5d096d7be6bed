"""Contacts: `GET`/`PUT /contacts/:id` (the fields sent replace the contact's, `contactUpdated` fires),
and a person deleted with every opportunity (`candidateDeleted` each), in Python and over HTTP."""

from __future__ import annotations

import httpx

from intrro_gateway.sandboxes.lever import SandboxControl, SandboxState, create_sandbox_app
from tests.integration.sandbox_lever.support import HOOK_URL, Receiver, auth


def _contact_of(state: SandboxState, opportunity_id: str) -> str:
    return str(state.tables["opportunities"][opportunity_id]["contact"])


async def test_put_replaces_the_fields_sent_keeps_the_others_and_fires_contact_updated(
    client: httpx.AsyncClient, control: SandboxControl, state: SandboxState, receiver: Receiver
) -> None:
    control.register_webhooks(HOOK_URL)
    contact = _contact_of(state, state.seed.opportunity_ids[0])
    before = (await client.get(f"/contacts/{contact}", auth=auth())).json()["data"]

    changed = await client.put(
        f"/contacts/{contact}",
        json={
            "headline": "Engineer at NASA",
            "emails": [*before["emails"], "new@example.com"],
            "phones": [{"value": "+1 555 0100", "type": "mobile"}],
        },
        auth=auth(),
    )
    again = await client.put(
        f"/contacts/{contact}", json={"headline": "Engineer at NASA"}, auth=auth()
    )
    await control.flush()

    assert changed.status_code == again.status_code == 200
    data = changed.json()["data"]
    assert data["name"] == before["name"]  # not sent: kept
    assert data["emails"] == [*before["emails"], "new@example.com"]
    assert data["phones"] == [{"type": "mobile", "value": "+1 555 0100"}]
    assert data["headline"] == "Engineer at NASA"
    opportunity = await client.get(f"/opportunities/{state.seed.opportunity_ids[0]}", auth=auth())
    assert opportunity.json()["data"]["emails"] == data["emails"]  # shared by the opportunities
    fired = [e for e in control.fired if e.event == "contactUpdated"]
    assert len(fired) == 1  # the second PUT changed nothing
    assert [b["data"] for b in receiver.bodies() if b["event"] == "contactUpdated"] == [
        {"contactId": contact}
    ]


async def test_put_is_checked_and_needs_its_permission(
    client: httpx.AsyncClient, control: SandboxControl, state: SandboxState
) -> None:
    contact = _contact_of(state, state.seed.opportunity_ids[0])
    control.add_api_key("read-only", ["GET /contacts/:id"])

    unknown = await client.put("/contacts/nope", json={}, auth=auth())
    empty = await client.put(f"/contacts/{contact}", json={"emails": []}, auth=auth())
    odd = await client.put(f"/contacts/{contact}", json={"links": ["x"]}, auth=auth())
    refused = await client.put(f"/contacts/{contact}", json={}, auth=auth("read-only"))

    assert unknown.status_code == 404
    assert empty.status_code == odd.status_code == 400
    assert refused.status_code == 403


def test_deleting_a_person_deletes_each_opportunity(
    control: SandboxControl, state: SandboxState
) -> None:
    control.register_webhooks(HOOK_URL)
    opportunity = state.seed.opportunity_ids[0]
    contact = _contact_of(state, opportunity)
    mine = [o for o, r in state.tables["opportunities"].items() if r["contact"] == contact]

    event_ids = control.delete_contact(contact)

    assert contact not in state.tables["contacts"]
    assert not any(r["contact"] == contact for r in state.tables["opportunities"].values())
    assert len(event_ids) == len(mine)
    assert {e.event for e in control.fired} == {"candidateDeleted"}


async def test_the_http_control_edits_and_deletes_a_person(
    state: SandboxState, webhook_client: httpx.AsyncClient
) -> None:
    contact = _contact_of(state, state.seed.opportunity_ids[0])
    app = create_sandbox_app(state, webhook_client=webhook_client)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://lever.test") as http:
        edited = await http.post(f"/_sandbox/contacts/{contact}/edit", json={"name": "Pat New"})
        bad = await http.post(f"/_sandbox/contacts/{contact}/edit", json={"nope": 1})
        deleted = await http.post(f"/_sandbox/contacts/{contact}/delete", json={})
        unknown = await http.post(f"/_sandbox/contacts/{contact}/merge", json={})

    assert edited.status_code == deleted.status_code == 200
    assert len(edited.json()["event_ids"]) == 1
    assert bad.status_code == 400
    assert unknown.status_code == 404
    assert contact not in state.tables["contacts"]
