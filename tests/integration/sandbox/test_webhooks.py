"""Recruiting web hooks: signed bodies, event ids, and duplicate, delayed, reordered, dropped delivery."""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx
from starlette.testclient import TestClient

from intrro_gateway.sandboxes.greenhouse import (
    DeliveryOptions,
    SandboxControl,
    SandboxState,
    create_sandbox_app,
)
from tests.integration.sandbox.support import HOOK_SECRET, Receiver


def _verify(request: httpx.Request, secret: str) -> bool:
    scheme, _, digest = request.headers["Signature"].partition(" ")
    expected = hmac.new(secret.encode(), request.content, hashlib.sha256).hexdigest()
    return scheme == "sha256" and hmac.compare_digest(digest, expected)


async def test_every_delivery_is_signed_with_hmac_sha256_over_the_raw_body(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    control.move(state.seed.application_ids[0])
    control.update_job(state.seed.open_job_ids[0], "Backend Engineer <Payments> & Ledger")

    await control.flush()

    assert len(receiver.requests) == 2
    assert all(_verify(request, HOOK_SECRET) for request in receiver.requests)
    assert not _verify(receiver.requests[0], "another-secret")


async def test_bodies_escape_html_characters_as_greenhouse_does(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    control.update_job(state.seed.open_job_ids[0], "R&D <Lead>")

    await control.flush()

    raw = receiver.requests[0].content
    assert b"R\\u0026D \\u003cLead\\u003e" in raw
    assert json.loads(raw)["payload"]["job"]["name"] == "R&D <Lead>"


async def test_each_event_carries_a_fresh_greenhouse_event_id(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    first = control.move(state.seed.application_ids[0])
    second = control.move(state.seed.application_ids[0])

    await control.flush()

    assert receiver.event_ids() == [*first, *second]
    assert first != second
    assert [(d.event_id, d.status_code) for d in control.deliveries] == [
        (first[0], 200),
        (second[0], 200),
    ]


async def test_duplicate_repeats_the_same_event_id(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    event_ids = control.move(state.seed.application_ids[0], options=DeliveryOptions(duplicate=2))

    await control.flush()

    assert len(event_ids) == 1
    assert receiver.event_ids() == event_ids * 3
    assert len({r.content for r in receiver.requests}) == 1


async def test_duplicate_ids_repeats_the_body_under_new_event_ids(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    event_ids = control.move(
        state.seed.application_ids[0], options=DeliveryOptions(duplicate_ids=2)
    )

    await control.flush()

    assert len(set(event_ids)) == 3
    assert receiver.event_ids() == event_ids
    assert len({r.content for r in receiver.requests}) == 1


async def test_reorder_holds_events_and_flush_delivers_them_newest_first(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    control.set_delivery_options(DeliveryOptions(reorder=True))
    application_id = state.seed.application_ids[0]
    moved = control.move(application_id)
    rejected = control.reject(application_id, "company")
    await control.flush()

    assert receiver.event_ids() == [*rejected, *moved]
    assert receiver.actions() == ["reject_candidate", "candidate_stage_change"]


async def test_held_events_are_not_delivered_before_release(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    control.move(state.seed.application_ids[0], options=DeliveryOptions(reorder=True))
    await control.flush()
    assert len(receiver.requests) == 1

    control.move(state.seed.application_ids[0], options=DeliveryOptions(reorder=True))
    assert receiver.requests[1:] == []


async def test_drop_records_the_event_but_never_delivers_it(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    dropped = control.hire(state.seed.application_ids[0], options=DeliveryOptions(drop=True))

    await control.flush()

    assert receiver.requests == []
    assert [e.event_id for e in control.fired] == dropped
    assert control.fired[0].json()["action"] == "hire_candidate"


async def test_a_delayed_delivery_arrives_after_an_undelayed_later_one(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    application_id = state.seed.application_ids[0]
    late = control.move(application_id, options=DeliveryOptions(delay_s=0.05))
    prompt = control.move(application_id)

    await control.flush()

    assert receiver.event_ids() == [*prompt, *late]


async def test_a_failing_receiver_is_recorded_with_its_status_code(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    receiver.status_code = 500
    event_ids = control.move(state.seed.application_ids[0])

    await control.flush()

    assert [(d.event_id, d.action, d.status_code) for d in control.deliveries] == [
        (event_ids[0], "candidate_stage_change", 500)
    ]


async def test_an_unreachable_receiver_is_recorded_without_a_status_code(
    state: SandboxState,
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as client:
        control = SandboxControl(state, client)
        control.configure_webhooks("http://nowhere.test/", "s")
        control.move(state.seed.application_ids[0])
        await control.flush()

    assert control.deliveries[0].status_code is None
    assert control.deliveries[0].error is not None


async def test_without_a_configured_url_events_are_recorded_and_not_sent(
    state: SandboxState, receiver: Receiver, webhook_client: httpx.AsyncClient
) -> None:
    control = SandboxControl(state, webhook_client)

    event_ids = control.move(state.seed.application_ids[0])
    await control.flush()

    assert receiver.requests == []
    assert [e.event_id for e in control.fired] == event_ids


async def test_api_writes_fire_the_web_hooks_greenhouse_would(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    control: SandboxControl,
    receiver: Receiver,
    state: SandboxState,
) -> None:
    created = await client.post(
        "/v3/candidates",
        headers=headers,
        json={
            "first_name": "Mary",
            "last_name": "Jackson",
            "email_addresses": [{"value": "mary@example.com", "type": "personal"}],
            "application": {
                "job_id": state.seed.open_job_ids[5],
                "source_id": state.seed.intrro_source_id,
                "referrer_id": state.seed.referrer_ids[0],
            },
        },
    )
    candidate_id = created.json()["candidate"]["id"]
    application_id = created.json()["application"]["id"]
    await client.patch(f"/v3/candidates/{candidate_id}", headers=headers, json={"title": "CTO"})
    await client.patch(
        f"/v3/applications/{application_id}",
        headers=headers,
        json={"source_id": state.seed.source_ids["LinkedIn"]},
    )
    await client.post(
        "/v3/applications",
        headers=headers,
        json={"candidate_id": candidate_id, "job_id": state.seed.open_job_ids[6]},
    )

    await control.flush()

    assert receiver.actions() == [
        "new_candidate_application",
        "update_candidate",
        "application_updated",
        "new_candidate_application",
    ]
    first = json.loads(receiver.requests[0].content)["payload"]["application"]
    assert first["candidate"]["email_addresses"] == [
        {"value": "mary@example.com", "type": "personal"}
    ]
    assert first["source"] == {"id": state.seed.intrro_source_id, "public_name": "Intrro"}
    assert first["credited_to"]["id"] == state.seed.employee_user_ids[0]
    assert first["current_stage"]["name"] == "Application Review"
    assert first["status"] == "active"
    updated = json.loads(receiver.requests[1].content)["payload"]["candidate"]
    assert updated["title"] == "CTO"


async def test_flush_waits_for_deliveries_started_by_an_app_served_on_another_loop(
    state: SandboxState, receiver: Receiver, webhook_client: httpx.AsyncClient
) -> None:
    control = SandboxControl(state, webhook_client)
    control.configure_webhooks(
        "http://receiver.test/hooks", HOOK_SECRET, DeliveryOptions(delay_s=0.05)
    )
    with TestClient(create_sandbox_app(state)) as test_client:
        moved = test_client.post(
            f"/_sandbox/applications/{state.seed.application_ids[0]}/move", json={}
        )
        assert receiver.requests == []

        await control.flush()

        assert receiver.event_ids() == moved.json()["event_ids"]
