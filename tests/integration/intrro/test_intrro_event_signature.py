"""Intrro events are checked with Standard Webhooks: any current secret, and a timestamp near now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intrro_gateway.adapters.intrro import IntrroEventReader
from intrro_gateway.ports.referral_events import EventSignatureError, ReferralEventReader
from tests.integration.intrro._events import OTHER_SECRET, SECRET, accepted, encode, signed_headers

reader = IntrroEventReader()
NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
BODY = encode(accepted())


def test_the_reader_is_a_referral_event_reader_for_intrro() -> None:
    port: ReferralEventReader = reader
    assert port.source == "intrro"


def test_an_event_signed_with_the_secret_verifies() -> None:
    reader.verify(signed_headers(BODY, NOW), BODY, [SECRET], NOW)


def test_any_secret_of_a_rotation_verifies() -> None:
    headers = signed_headers(BODY, NOW, secret=OTHER_SECRET)
    reader.verify(headers, BODY, [SECRET, OTHER_SECRET], NOW)
    with pytest.raises(EventSignatureError):
        reader.verify(headers, BODY, [SECRET], NOW)


def test_header_names_are_matched_in_any_case() -> None:
    headers = {key.upper(): value for key, value in signed_headers(BODY, NOW).items()}
    reader.verify(headers, BODY, [SECRET], NOW)


@pytest.mark.parametrize("skew", [timedelta(minutes=5), timedelta(minutes=-5), timedelta(0)])
def test_a_timestamp_within_five_minutes_of_now_passes(skew: timedelta) -> None:
    reader.verify(signed_headers(BODY, NOW + skew), BODY, [SECRET], NOW)


@pytest.mark.parametrize(
    "skew", [timedelta(minutes=5, seconds=1), timedelta(minutes=-5, seconds=-1)]
)
def test_a_timestamp_more_than_five_minutes_from_now_fails(skew: timedelta) -> None:
    with pytest.raises(EventSignatureError, match="5 minutes"):
        reader.verify(signed_headers(BODY, NOW + skew), BODY, [SECRET], NOW)


def test_the_tolerance_is_measured_against_the_now_given_not_the_system_clock() -> None:
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    reader.verify(signed_headers(BODY, long_ago), BODY, [SECRET], long_ago)


@given(index=st.integers(0, len(BODY) - 1), flip=st.integers(1, 255))
def test_changing_any_byte_of_the_body_fails(index: int, flip: int) -> None:
    altered = BODY[:index] + bytes([BODY[index] ^ flip]) + BODY[index + 1 :]
    with pytest.raises(EventSignatureError):
        reader.verify(signed_headers(BODY, NOW), altered, [SECRET], NOW)


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_a_missing_header_fails(missing: str) -> None:
    headers = signed_headers(BODY, NOW)
    del headers[missing]
    with pytest.raises(EventSignatureError):
        reader.verify(headers, BODY, [SECRET], NOW)


@pytest.mark.parametrize(
    "signature",
    ["v1", "v1,", "v1,!!!", "v2,abc", "garbage", "v1,a,b", "v1,c2lnbmF0dXJl"],
)
def test_a_malformed_or_wrong_signature_fails(signature: str) -> None:
    headers = {**signed_headers(BODY, NOW), "webhook-signature": signature}
    with pytest.raises(EventSignatureError):
        reader.verify(headers, BODY, [SECRET], NOW)


def test_one_matching_signature_among_several_passes() -> None:
    good = signed_headers(BODY, NOW)["webhook-signature"]
    headers = {**signed_headers(BODY, NOW), "webhook-signature": f"v1,c2lnbmF0dXJl {good}"}
    reader.verify(headers, BODY, [SECRET], NOW)


@pytest.mark.parametrize(
    "stamp", ["", "abc", "-5", "1.5e9", "99999999999999999999", "\uff11\uff12\uff13"]
)
def test_a_malformed_timestamp_fails(stamp: str) -> None:
    headers = {**signed_headers(BODY, NOW), "webhook-timestamp": stamp}
    with pytest.raises(EventSignatureError):
        reader.verify(headers, BODY, [SECRET], NOW)


def test_malformed_secrets_match_nothing() -> None:
    headers = signed_headers(BODY, NOW)
    with pytest.raises(EventSignatureError):
        reader.verify(headers, BODY, ["", "whsec_", "whsec_!!not base64!!", "é"], NOW)
    reader.verify(headers, BODY, ["whsec_", SECRET], NOW)


def test_a_body_that_is_not_utf8_fails_the_signature_check() -> None:
    body = b"\xff\xfe not text"
    headers = signed_headers(b"x", NOW)
    with pytest.raises(EventSignatureError):
        reader.verify(headers, body, [SECRET], NOW)


def test_the_delivery_id_is_the_webhook_id_header() -> None:
    assert reader.delivery_id({"Webhook-Id": "msg_42"}) == "msg_42"
    assert reader.delivery_id({"webhook-id": "  "}) is None
    assert reader.delivery_id({}) is None
