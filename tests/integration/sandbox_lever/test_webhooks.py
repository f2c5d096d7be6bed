"""Web hooks: one signature token per hook, `signature` = HMAC-SHA256(token + triggeredAt), origins
conditions, and duplicate, delayed, reordered, dropped and repeated deliveries."""

from __future__ import annotations

import hashlib
import hmac

import httpx

from intrro_gateway.sandboxes.lever import DeliveryOptions, SandboxControl, SandboxState, sign
from tests.integration.sandbox_lever.support import HOOK_URL, Receiver, auth, verify


async def test_each_delivery_is_signed_with_its_hooks_token(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    hooks = control.register_webhooks(HOOK_URL)
    opportunity = state.seed.opportunity_ids[0]

    control.move(opportunity)
    control.archive(opportunity, kind="withdrawn")
    await control.flush()

    stage, archive = receiver.bodies()
    assert verify(stage, hooks["candidateStageChange"].signature_token)
    assert verify(archive, hooks["candidateArchiveChange"].signature_token)
    assert not verify(stage, hooks["candidateArchiveChange"].signature_token)
    assert (
        hooks["candidateStageChange"].signature_token
        != hooks["candidateArchiveChange"].signature_token
    )


async def test_the_body_shape(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    control.register_webhooks(HOOK_URL)
    opportunity = state.tables["opportunities"][state.seed.opportunity_ids[0]]

    event_ids = control.move(opportunity["id"], "offer")
    await control.flush()

    (body,) = receiver.bodies()
    assert set(body) == {"id", "event", "triggeredAt", "data", "token", "signature"}
    assert body["id"] == event_ids[0]
    assert body["event"] == "candidateStageChange"
    assert body["triggeredAt"] == opportunity["updatedAt"]
    assert body["data"] == {
        "opportunityId": opportunity["id"],
        "candidateId": opportunity["id"],
        "contactId": opportunity["contact"],
        "fromStageId": "applicant-new",
        "toStageId": "offer",
    }
    assert receiver.requests[0].headers["content-type"] == "application/json"
    assert receiver.requests[0].headers["user-agent"] == "Lever-Webhooks"
    assert len(body["token"]) == 48


async def test_archive_data_carries_from_and_to(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    control.register_webhooks(HOOK_URL)
    opportunity = state.seed.opportunity_ids[0]
    withdrew = state.seed.archive_reason_ids["Withdrew"]

    control.archive(opportunity, withdrew)
    control.unarchive(opportunity)
    await control.flush()

    archived, unarchived = (b["data"] for b in receiver.bodies())
    assert archived["fromArchived"] is None
    assert archived["toArchived"]["reason"] == withdrew
    assert unarchived["fromArchived"]["reason"] == withdrew
    assert unarchived["toArchived"] is None


async def test_a_hire_fires_archive_change_then_hired(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    control.register_webhooks(HOOK_URL)
    opportunity = state.seed.opportunity_ids[1]

    control.hire(opportunity)
    await control.flush()

    assert receiver.events() == ["candidateArchiveChange", "candidateHired"]
    assert receiver.bodies()[0]["data"]["toArchived"]["reason"] == state.seed.hired_reason_id


async def test_deletion_fires_candidate_deleted_and_the_opportunity_is_gone(
    client: httpx.AsyncClient, control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    control.register_webhooks(HOOK_URL)
    opportunity = state.seed.opportunity_ids[0]

    control.delete(opportunity)
    await control.flush()

    assert receiver.events() == ["candidateDeleted"]
    assert receiver.bodies()[0]["data"]["opportunityId"] == opportunity
    assert (await client.get(f"/opportunities/{opportunity}", auth=auth())).status_code == 404
    deleted = (await client.get("/opportunities/deleted", auth=auth())).json()["data"]
    assert [d["id"] for d in deleted] == [opportunity]


async def test_api_writes_fire_too(
    client: httpx.AsyncClient, control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    hooks = (
        await client.post(
            "/webhooks", json={"url": HOOK_URL, "event": "applicationCreated"}, auth=auth()
        )
    ).json()
    token = hooks["data"]["configuration"]["signatureToken"]

    created = await client.post(
        "/opportunities",
        params={"perform_as": state.seed.admin_user_id},
        json={
            "name": "Pat",
            "emails": ["pat@example.com"],
            "postings": [state.seed.published_posting_ids[0]],
        },
        auth=auth(),
    )
    await control.flush()

    (body,) = receiver.bodies()
    assert verify(body, token)
    assert body["data"]["opportunityId"] == created.json()["data"]["id"]
    assert body["data"]["applicationId"] == created.json()["data"]["applications"][0]


async def test_origins_conditions_filter_deliveries(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    control.register_webhooks(HOOK_URL, ["candidateStageChange"], origins=["referred"])

    control.move(state.seed.opportunity_ids[0])  # seeded opportunities were `applied`
    await control.flush()

    assert receiver.requests == []


async def test_nothing_is_delivered_without_a_hook_but_the_event_is_recorded(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    event_ids = control.move(state.seed.opportunity_ids[0])
    await control.flush()

    assert receiver.requests == []
    assert [f.event_id for f in control.fired] == event_ids
    assert control.fired[0].hook_id is None


async def test_duplicate_repeats_the_very_same_body(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    control.register_webhooks(HOOK_URL)

    control.move(state.seed.opportunity_ids[0], options=DeliveryOptions(duplicate=2))
    await control.flush()

    assert len(receiver.requests) == 3
    assert len({r.content for r in receiver.requests}) == 1


async def test_redeliver_sends_a_fired_body_again(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    control.register_webhooks(HOOK_URL)
    (event_id,) = control.move(state.seed.opportunity_ids[0])
    await control.flush()

    control.redeliver(event_id)
    await control.flush()

    assert [r.content for r in receiver.requests] == [receiver.requests[0].content] * 2


async def test_reorder_holds_then_sends_newest_first(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    control.register_webhooks(HOOK_URL)
    opportunity = state.seed.opportunity_ids[0]
    options = DeliveryOptions(reorder=True)

    control.move(opportunity, options=options)
    control.hire(opportunity, options=options)
    assert receiver.requests == []
    await control.flush()

    assert receiver.events() == ["candidateHired", "candidateArchiveChange", "candidateStageChange"]


async def test_drop_records_but_never_delivers(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    control.register_webhooks(HOOK_URL)

    event_ids = control.move(state.seed.opportunity_ids[0], options=DeliveryOptions(drop=True))
    await control.flush()

    assert receiver.requests == []
    assert [f.event_id for f in control.fired] == event_ids


async def test_a_failed_delivery_is_tried_five_more_times_and_recorded(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    control.register_webhooks(HOOK_URL)
    receiver.status_code = 503

    (event_id,) = control.move(
        state.seed.opportunity_ids[0], options=DeliveryOptions(retry_delay_s=0.001)
    )
    await control.flush()

    assert [(d.event_id, d.status_code) for d in control.deliveries] == [(event_id, 503)] * 6
    assert len({r.content for r in receiver.requests}) == 1


async def test_retries_can_be_turned_off(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    control.register_webhooks(HOOK_URL)
    receiver.status_code = 401

    (event_id,) = control.move(state.seed.opportunity_ids[0], options=DeliveryOptions(retries=0))
    await control.flush()

    assert [(d.event_id, d.status_code) for d in control.deliveries] == [(event_id, 401)]


def test_sign_is_hmac_sha256_hex_of_token_then_triggered_at() -> None:
    expected = hmac.new(b"key", b"abc1700000000000", hashlib.sha256).hexdigest()

    assert sign("key", "abc", 1700000000000) == expected
    assert sign("key", "abc", 1700000000001) != expected


async def test_a_ping_has_empty_data_and_a_valid_signature(
    control: SandboxControl, receiver: Receiver
) -> None:
    hooks = control.register_webhooks(HOOK_URL, ["candidateHired", "candidateStageChange"])

    event_ids = control.ping("candidateHired")
    await control.flush()

    (body,) = receiver.bodies()
    assert body["id"] == event_ids[0]
    assert body["data"] == {}
    assert verify(body, hooks["candidateHired"].signature_token)


async def test_retries_resend_a_failed_delivery_until_it_is_taken(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    control.register_webhooks(HOOK_URL)
    answers = iter([500, 503, 200])

    def flaky(request: httpx.Request) -> httpx.Response:
        receiver.requests.append(request)
        return httpx.Response(next(answers))

    state.webhooks.client = httpx.AsyncClient(transport=httpx.MockTransport(flaky))
    try:
        (event_id,) = control.move(
            state.seed.opportunity_ids[0], options=DeliveryOptions(retries=5, retry_delay_s=0.01)
        )
        await control.flush()
    finally:
        await state.webhooks.client.aclose()

    assert [(d.event_id, d.status_code) for d in control.deliveries] == [
        (event_id, 500),
        (event_id, 503),
        (event_id, 200),
    ]
    assert len({r.content for r in receiver.requests}) == 1


async def test_tags_and_sources_lists_page_like_the_others(client: httpx.AsyncClient) -> None:
    tags = await client.get("/tags", params={"limit": 2}, auth=auth())
    sources = await client.get("/sources", params={"limit": 100}, auth=auth())

    assert tags.status_code == sources.status_code == 200
    assert len(tags.json()["data"]) == 2 and tags.json()["hasNext"] is True
    assert sources.json()["data"] == [{"text": "LinkedIn", "count": 4}]
