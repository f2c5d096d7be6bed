"""The control API, in Python and over HTTP: pipeline actions, hooks, keys, users, faults, settings."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from intrro_gateway.sandboxes.lever import (
    Fault,
    InvalidStateError,
    SandboxControl,
    SandboxState,
    UnknownRecordError,
    create_sandbox_app,
)
from tests.integration.sandbox_lever.support import HOOK_URL, Receiver, auth, verify


def test_move_without_a_stage_advances_one(control: SandboxControl, state: SandboxState) -> None:
    opportunity = state.seed.opportunity_ids[0]

    control.move(opportunity)

    assert state.tables["opportunities"][opportunity]["stage"] == state.seed.stage_ids[4]


def test_archive_kinds_pick_underqualified_or_withdrew(
    control: SandboxControl, state: SandboxState
) -> None:
    first, second = state.seed.opportunity_ids[:2]

    control.archive(first)
    control.archive(second, kind="withdrawn")

    reasons = state.seed.archive_reason_ids
    assert state.tables["opportunities"][first]["archived"]["reason"] == reasons["Underqualified"]
    assert state.tables["opportunities"][second]["archived"]["reason"] == reasons["Withdrew"]


def test_actions_that_do_not_apply_raise(control: SandboxControl, state: SandboxState) -> None:
    with pytest.raises(InvalidStateError):
        control.unarchive(state.seed.opportunity_ids[0])
    with pytest.raises(InvalidStateError):
        control.hire(state.seed.opportunity_ids[3])
    with pytest.raises(UnknownRecordError):
        control.move("nope")


async def _http(state: SandboxState, webhook_client: httpx.AsyncClient) -> httpx.AsyncClient:
    app = create_sandbox_app(state, webhook_client=webhook_client)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://lever.test")


async def test_the_http_control_drives_a_story(
    state: SandboxState, webhook_client: httpx.AsyncClient, receiver: Receiver
) -> None:
    async with await _http(state, webhook_client) as http:
        seed = (await http.get("/_sandbox/seed")).json()
        hooks = (await http.post("/_sandbox/webhooks", json={"url": HOOK_URL})).json()
        opportunity = seed["opportunity_ids"][0]
        moved = await http.post(
            f"/_sandbox/opportunities/{opportunity}/move", json={"stage_id": "offer"}
        )
        hired = await http.post(f"/_sandbox/opportunities/{opportunity}/hire", json={})
        flushed = await http.post("/_sandbox/flush")
        events = (await http.get("/_sandbox/events")).json()
        deliveries = (await http.get("/_sandbox/deliveries")).json()

    assert seed["api_key"] == SandboxState.DEFAULT_API_KEY
    assert set(hooks) == {
        "applicationCreated",
        "candidateStageChange",
        "candidateArchiveChange",
        "candidateHired",
        "candidateDeleted",
        "contactUpdated",
    }
    assert moved.status_code == hired.status_code == 200
    assert len(hired.json()["event_ids"]) == 2
    assert flushed.json() == {"deliveries": 3}
    assert [e["event"] for e in events] == [
        "candidateStageChange",
        "candidateArchiveChange",
        "candidateHired",
    ]
    assert all(verify(b, hooks[b["event"]]["signatureToken"]) for b in receiver.bodies())
    assert [d["status_code"] for d in deliveries] == [200, 200, 200]


async def test_http_control_errors(state: SandboxState, webhook_client: httpx.AsyncClient) -> None:
    async with await _http(state, webhook_client) as http:
        unknown = await http.post("/_sandbox/opportunities/nope/move", json={})
        bad_action = await http.post(
            f"/_sandbox/opportunities/{state.seed.opportunity_ids[0]}/promote", json={}
        )
        bad_field = await http.post(
            f"/_sandbox/opportunities/{state.seed.opportunity_ids[0]}/archive",
            json={"kind": "fired"},
        )
        bad_options = await http.post(
            f"/_sandbox/opportunities/{state.seed.opportunity_ids[0]}/move",
            json={"options": {"twice": True}},
        )
        wrong_state = await http.post(
            f"/_sandbox/opportunities/{state.seed.opportunity_ids[0]}/unarchive", json={}
        )

    assert unknown.status_code == bad_action.status_code == 404
    assert bad_field.status_code == bad_options.status_code == wrong_state.status_code == 400


async def test_keys_users_and_the_request_log_over_http(
    state: SandboxState, webhook_client: httpx.AsyncClient
) -> None:
    async with await _http(state, webhook_client) as http:
        key = await http.post(
            "/_sandbox/keys", json={"key": "no-hooks", "permissions": ["GET /stages"]}
        )
        user = await http.post(
            "/_sandbox/users", json={"name": "Rae Referrer", "email": "rae@sandbox.example"}
        )
        allowed = await http.get("/v1/stages", auth=auth("no-hooks"))
        refused = await http.get("/v1/webhooks", auth=auth("no-hooks"))
        found = await http.get("/v1/users", params={"email": "rae@sandbox.example"}, auth=auth())
        revoked = await http.post("/_sandbox/keys", json={"key": "no-hooks", "revoked": True})
        after = await http.get("/v1/stages", auth=auth("no-hooks"))
        logged = (await http.get("/_sandbox/requests")).json()

    assert key.status_code == user.status_code == revoked.status_code == 201
    assert (allowed.status_code, refused.status_code, after.status_code) == (200, 403, 401)
    assert [u["id"] for u in found.json()["data"]] == [user.json()["id"]]
    assert [(r["method"], r["path"]) for r in logged][:2] == [
        ("GET", "/v1/stages"),
        ("GET", "/v1/webhooks"),
    ]
    assert not any(r["path"].startswith("/_sandbox") for r in logged)


async def test_faults_fail_the_next_matching_requests(
    client: httpx.AsyncClient, control: SandboxControl
) -> None:
    control.add_fault(Fault(status=503, path="/v1/postings", times=2))

    first = await client.get("/postings", auth=auth())
    other = await client.get("/stages", auth=auth())
    second = await client.get("/postings", auth=auth())
    third = await client.get("/postings", auth=auth())

    assert (first.status_code, other.status_code, second.status_code, third.status_code) == (
        503,
        200,
        503,
        200,
    )
    assert first.json()["code"] == "ServiceUnavailable"


async def test_a_delay_fault_times_out_a_short_client(
    state: SandboxState, webhook_client: httpx.AsyncClient
) -> None:
    state.faults.append(Fault(delay_s=0.5, method="GET"))
    app = create_sandbox_app(state, webhook_client=webhook_client)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://lever.test"
    ) as http:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(http.get("/v1/stages", auth=auth()), timeout=0.05)


async def test_faults_over_http(state: SandboxState, webhook_client: httpx.AsyncClient) -> None:
    async with await _http(state, webhook_client) as http:
        made = await http.post("/_sandbox/faults", json={"status": 500, "method": "POST"})
        refused = await http.post("/_sandbox/faults", json={"method": "POST"})
        ok = await http.get("/v1/stages", auth=auth())
        failed = await http.post(
            "/v1/webhooks", json={"url": HOOK_URL, "event": "candidateHired"}, auth=auth()
        )
        await http.post("/_sandbox/faults", json={"status": 429})
        cleared = await http.delete("/_sandbox/faults")
        after = await http.get("/v1/stages", auth=auth())

    assert made.status_code == 201 and refused.status_code == 400
    assert (ok.status_code, failed.status_code) == (200, 500)
    assert state.webhooks.hooks == {}
    assert cleared.status_code == 200 and after.status_code == 200


async def test_the_rate_limit_is_a_token_bucket_per_key(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    statuses = [(await client.get("/stages", auth=auth())).status_code for _ in range(25)]
    state.add_api_key("other")
    other = await client.get("/stages", auth=auth("other"))
    state.clock.advance(1.0)
    refilled = [(await client.get("/stages", auth=auth())).status_code for _ in range(10)]

    assert statuses[:20] == [200] * 20
    assert 429 in statuses[20:]
    assert other.status_code == 200
    assert refilled == [200] * 10


async def test_settings_change_the_limit(
    state: SandboxState, webhook_client: httpx.AsyncClient
) -> None:
    async with await _http(state, webhook_client) as http:
        await http.post(
            "/_sandbox/settings", json={"burst": 2, "rate_per_s": 0, "reset_limits": True}
        )
        statuses = [(await http.get("/v1/stages", auth=auth())).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


async def test_a_key_without_confidential_access_over_http(
    state: SandboxState, webhook_client: httpx.AsyncClient
) -> None:
    async with await _http(state, webhook_client) as http:
        made = await http.post("/_sandbox/keys", json={"key": "plain", "confidential": False})
        refused = await http.get(
            "/v1/postings", params={"confidentiality": "all"}, auth=auth("plain")
        )
        allowed = await http.get("/v1/postings", auth=auth("plain"))

    assert made.json()["confidential"] is False
    assert refused.status_code == 403 and allowed.status_code == 200
