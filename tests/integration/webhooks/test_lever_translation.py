"""Lever web hooks: the body-field signature, the delivery id, and every event read as a re-read."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intrro_gateway.adapters.lever.webhooks import LeverWebhookTranslator
from intrro_gateway.domain.signals import ApplicationUpdated
from intrro_gateway.ports.ats_webhooks import MalformedWebhookError, Translation

translator = LeverWebhookTranslator()
TOKEN = "81358960e95ed76bf1def200692c2f956818caf168682e26"
OPPORTUNITY = "6408dc54-1111-4222-8333-444455556666"
CONTACT = "997fd432-1111-4222-8333-444455556666"


def signed(event: str, data: Any, *, secret: str = TOKEN, at: int = 1_700_000_000_000) -> bytes:
    token = hashlib.sha256(f"{event}{at}".encode()).hexdigest()[:32]
    signature = hmac.new(secret.encode(), f"{token}{at}".encode(), hashlib.sha256).hexdigest()
    body = {"triggeredAt": at, "event": event, "signature": signature, "token": token, "data": data}
    return json.dumps(body).encode()


def opportunity_data(**extra: Any) -> dict[str, Any]:
    return {"opportunityId": OPPORTUNITY, "candidateId": OPPORTUNITY, "contactId": CONTACT, **extra}


def test_a_delivery_signed_with_one_of_the_tokens_verifies() -> None:
    body = signed("candidateStageChange", opportunity_data(toStageId="offer"))
    assert translator.verify({}, body, ["other-token", TOKEN])
    assert not translator.verify({}, body, ["other-token"])
    assert not translator.verify({}, body, [])


def test_the_signature_covers_token_and_time_not_data() -> None:
    body = json.loads(signed("candidateStageChange", opportunity_data(toStageId="offer")))
    body["data"]["toStageId"] = "lead-new"  # Lever's scheme leaves data unsigned
    assert translator.verify({}, json.dumps(body).encode(), [TOKEN])
    body["triggeredAt"] += 1
    assert not translator.verify({}, json.dumps(body).encode(), [TOKEN])


@pytest.mark.parametrize(
    "event",
    [
        "candidateStageChange",
        "candidateArchiveChange",
        "candidateHired",
        "candidateDeleted",
        "applicationCreated",
    ],
)
def test_every_opportunity_event_is_an_update_to_re_read(event: str) -> None:
    translation = translator.translate(signed(event, opportunity_data(toStageId="offer")))
    assert translation.action == event
    [signal] = translation.signals
    assert signal == ApplicationUpdated(
        application_id=OPPORTUNITY,
        candidate_id=CONTACT,
        occurred_at=datetime.fromtimestamp(1_700_000_000, tz=UTC),
    )


def test_a_test_delivery_with_empty_data_is_a_ping_and_other_events_are_ignored() -> None:
    assert translator.translate(signed("candidateStageChange", {})).ping
    ignored = translator.translate(signed("interviewCreated", opportunity_data()))
    assert ignored.ignored and not ignored.signals
    assert not translator.is_used("interviewCreated")
    assert translator.is_used("candidateHired")


def test_the_delivery_id_is_the_delivery_token() -> None:
    body = signed("candidateHired", opportunity_data())
    assert translator.delivery_id({}, body) == "lever:" + json.loads(body)["token"]
    with_id = json.dumps({**json.loads(body), "id": "5e1f0c2a-event"}).encode()
    assert translator.delivery_id({}, with_id) == "lever:5e1f0c2a-event"
    assert translator.delivery_id({}, b"not json").startswith("sha256:")


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        json.dumps({"event": "candidateHired", "triggeredAt": 1, "data": {"x": 1}}).encode(),
        json.dumps(
            {"event": "candidateHired", "triggeredAt": "soon", "data": opportunity_data()}
        ).encode(),
        json.dumps(
            {"event": "candidateHired", "triggeredAt": 10**20, "data": opportunity_data()}
        ).encode(),
        json.dumps({"triggeredAt": 1, "data": opportunity_data()}).encode(),
    ],
)
def test_bodies_it_cannot_read_are_malformed(body: bytes) -> None:
    with pytest.raises(MalformedWebhookError):
        translator.translate(body)


scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
events = st.sampled_from([e for e, _ in translator.subscriptions()] + ["interviewCreated", ""])


def translate_or_malformed(body: bytes) -> Translation | None:
    try:
        translation = translator.translate(body)
    except MalformedWebhookError:
        return None
    assert isinstance(translation, Translation)
    return translation


@given(st.binary(max_size=300))
def test_random_bytes_never_raise_anything_but_malformed(body: bytes) -> None:
    translate_or_malformed(body)
    assert not translator.verify({}, body, [TOKEN])
    translator.delivery_id({}, body)
    translator.action_of(body)


@given(events, json_values, json_values, json_values)
def test_random_envelopes_never_raise_anything_but_malformed(
    event: str, at: Any, token: Any, data: Any
) -> None:
    body = json.dumps(
        {"event": event, "triggeredAt": at, "token": token, "signature": "00", "data": data}
    ).encode()
    translate_or_malformed(body)
    assert not translator.verify({}, body, [TOKEN])
    translator.delivery_id({}, body)


@given(st.text(min_size=1, max_size=40), st.integers(min_value=0, max_value=4_102_444_800_000))
def test_any_token_and_time_signed_with_the_secret_verify(token: str, at: int) -> None:
    signature = hmac.new(TOKEN.encode(), f"{token}{at}".encode(), hashlib.sha256).hexdigest()
    body = json.dumps({"token": token, "triggeredAt": at, "signature": signature}).encode()
    assert translator.verify({}, body, [TOKEN])
    assert not translator.verify({}, body, [TOKEN + "x"])


@given(st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode()))
def test_reading_once_agrees_with_translating(body: bytes) -> None:
    reading = translator.read(body)
    assert reading.action == translator.action_of(body)
    expected = translate_or_malformed(body)
    if reading.action is not None:
        assert reading.translation == expected
        assert (reading.problem is None) == (expected is not None)
    else:
        assert reading.translation is None and reading.problem
