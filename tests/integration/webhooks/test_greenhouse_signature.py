"""Greenhouse signs the raw body with HMAC-SHA256; only an exact match under a tenant secret passes."""

from __future__ import annotations

import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from intrro_gateway.adapters.greenhouse.webhooks import GreenhouseWebhookTranslator
from tests.integration.webhooks._payloads import fixture_bytes

translator = GreenhouseWebhookTranslator()
secrets = st.text(min_size=1, max_size=40)


def sign(secret: str, body: bytes) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"Signature": f"sha256 {digest}"}


@given(secret=secrets, body=st.binary(max_size=2000))
def test_a_body_signed_with_the_secret_verifies(secret: str, body: bytes) -> None:
    assert translator.verify(sign(secret, body), body, [secret])


@given(secret=secrets, body=st.binary(min_size=1, max_size=500), data=st.data())
def test_changing_any_byte_of_the_body_breaks_the_signature(
    secret: str, body: bytes, data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(body) - 1))
    flip = data.draw(st.integers(1, 255))
    altered = body[:index] + bytes([body[index] ^ flip]) + body[index + 1 :]
    assert not translator.verify(sign(secret, body), altered, [secret])


@given(secret=secrets, body=st.binary(max_size=200), data=st.data())
def test_changing_any_character_of_the_signature_breaks_it(
    secret: str, body: bytes, data: st.DataObject
) -> None:
    header = sign(secret, body)["Signature"]
    index = data.draw(st.integers(len("sha256 "), len(header) - 1))
    replacement = data.draw(
        st.sampled_from("0123456789abcdef").filter(lambda c: c != header[index])
    )
    altered = header[:index] + replacement + header[index + 1 :]
    assert not translator.verify({"Signature": altered}, body, [secret])


@given(secret=secrets, other=secrets, body=st.binary(max_size=200))
def test_a_body_signed_with_another_secret_fails(secret: str, other: str, body: bytes) -> None:
    if secret != other:
        assert not translator.verify(sign(other, body), body, [secret])


def test_any_of_the_secrets_verifies_during_a_rotation() -> None:
    body = fixture_bytes("candidate_stage_change")
    assert translator.verify(sign("previous", body), body, ["current", "previous"])
    assert translator.verify(sign("current", body), body, ["current", "previous"])
    assert not translator.verify(sign("older", body), body, ["current", "previous"])


def test_the_header_name_is_found_in_any_case_but_its_value_must_be_exact() -> None:
    body = fixture_bytes("ping")
    digest = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert translator.verify({"SIGNATURE": f"sha256 {digest}"}, body, ["s3cret"])
    for lenient in (
        f"sha256 {digest.upper()}",
        f"SHA256 {digest}",
        f"sha256  {digest}",
        f" sha256 {digest}",
        f"sha256 {digest} ",
        f"sha256\t{digest}",
        f"sha256={digest}",
    ):
        assert not translator.verify({"signature": lenient}, body, ["s3cret"]), lenient


def test_a_missing_or_malformed_signature_fails() -> None:
    body = fixture_bytes("ping")
    digest = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert not translator.verify({}, body, ["s3cret"])
    assert not translator.verify({"Signature": digest}, body, ["s3cret"])
    assert not translator.verify({"Signature": f"sha1 {digest}"}, body, ["s3cret"])
    assert not translator.verify({"Signature": "sha256 "}, body, ["s3cret"])
    assert not translator.verify({"Signature": "sha256 é"}, body, ["s3cret"])
    assert not translator.verify({"Signature": f"sha256 {digest}"}, body, [])
    assert not translator.verify({"Signature": f"sha256 {digest}"}, body, [""])


def test_the_raw_body_is_signed_not_a_re_serialisation() -> None:
    body = (
        b'{"action":"job_post_updated","payload":{"content":"\\u003cp\\u003ehi\\u003c/p\\u003e"}}'
    )
    headers = sign("s3cret", body)
    assert translator.verify(headers, body, ["s3cret"])
    assert not translator.verify(headers, body.replace(b"\\u003c", b"<"), ["s3cret"])
