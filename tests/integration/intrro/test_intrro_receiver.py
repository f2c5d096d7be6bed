"""The recording receiver keeps each verified event and can be told to fail first."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from standardwebhooks.webhooks import Webhook
from starlette.applications import Starlette

from intrro_gateway.adapters.intrro import IntrroPlatform, ReceivedEvent, create_receiver_app
from intrro_gateway.ports.referral_platform import OutboundMessage, PushFailedError, PushTarget
from tests.integration.intrro._events import OTHER_SECRET, SECRET


def message(number: int) -> OutboundMessage:
    return OutboundMessage(
        message_id=f"out-{number}",
        type="application.status_changed",
        timestamp=datetime(2026, 11, 24, 5, number, tzinfo=UTC),
        data={"introduction_id": "intro-1", "sequence": number},
    )


def client_for(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://intrro")


async def test_pushed_events_are_recorded_in_order() -> None:
    app = create_receiver_app(SECRET)
    platform = IntrroPlatform(client_for(app))
    target = PushTarget(url="http://intrro/callbacks/acme", secret=SECRET)
    await platform.push(target, message(1))
    await platform.push(target, message(2))
    assert app.state.received == [
        ReceivedEvent(
            "out-1", "application.status_changed", {"introduction_id": "intro-1", "sequence": 1}
        ),
        ReceivedEvent(
            "out-2", "application.status_changed", {"introduction_id": "intro-1", "sequence": 2}
        ),
    ]
    assert app.state.received[0] == (
        "out-1",
        "application.status_changed",
        {"introduction_id": "intro-1", "sequence": 1},
    )


async def test_an_event_signed_with_another_secret_is_refused_and_not_recorded() -> None:
    app = create_receiver_app(SECRET)
    async with client_for(app) as client:
        body = b'{"type": "x", "timestamp": "2026-11-24T05:00:00Z", "data": {}}'
        response = await client.post("/", content=body, headers={"webhook-id": "m"})
    assert response.status_code == 401
    platform = IntrroPlatform(client_for(app))
    with pytest.raises(PushFailedError) as caught:
        await platform.push(PushTarget("http://intrro/", OTHER_SECRET), message(1))
    assert caught.value.status == 401
    assert app.state.received == []


async def test_injected_failures_answer_503_then_events_are_recorded() -> None:
    app = create_receiver_app(SECRET, fail_next=2)
    platform = IntrroPlatform(client_for(app))
    target = PushTarget(url="http://intrro/", secret=SECRET)
    for _ in range(2):
        with pytest.raises(PushFailedError) as caught:
            await platform.push(target, message(3))
        assert caught.value.status == 503
        assert caught.value.retry_after == 1.0
    assert app.state.received == []
    await platform.push(target, message(3))
    assert [event.webhook_id for event in app.state.received] == ["out-3"]
    assert app.state.fail_next == 0


async def test_a_signed_body_that_is_not_an_event_is_a_bad_request() -> None:
    app = create_receiver_app(SECRET)
    body = b"[1, 2]"
    now = datetime.now(UTC)
    headers = {
        "webhook-id": "m-1",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(SECRET).sign("m-1", now, body.decode()),
    }
    async with client_for(app) as client:
        response = await client.post("/anything", content=body, headers=headers)
    assert response.status_code == 400
    assert app.state.received == []
