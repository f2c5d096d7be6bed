"""Standard Webhooks signing and checking, through the maintained `standardwebhooks` library."""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Final

from standardwebhooks.webhooks import EmptyWebhookSecretError, Webhook

ID_HEADER: Final = "webhook-id"
TIMESTAMP_HEADER: Final = "webhook-timestamp"
SIGNATURE_HEADER: Final = "webhook-signature"
TOLERANCE: Final = timedelta(minutes=5)


class SignatureMismatchError(Exception):
    """Raised when headers are missing, the timestamp is out of tolerance, or no signature matches."""


def sign_headers(secret: str, message_id: str, body: bytes, at: datetime) -> dict[str, str]:
    """The three Standard Webhooks headers for a body sent at `at`, signed with `secret`."""
    timestamp = _whole_seconds(at)
    signature = Webhook(secret).sign(msg_id=message_id, timestamp=timestamp, data=body.decode())
    return {
        ID_HEADER: message_id,
        TIMESTAMP_HEADER: str(int(timestamp.timestamp())),
        SIGNATURE_HEADER: signature,
    }


def check(headers: Mapping[str, str], body: bytes, secrets: Sequence[str], now: datetime) -> None:
    """Check a delivery's signature against any of the secrets, and its timestamp against `now`.

    The library's own `verify` reads the system clock, so the timestamp is checked here against the
    `now` given, and the library computes the expected signature (`Webhook.sign`).
    """
    lowered = {key.lower(): value for key, value in headers.items()}
    message_id = lowered.get(ID_HEADER, "")
    stamp = lowered.get(TIMESTAMP_HEADER, "").strip()
    given = lowered.get(SIGNATURE_HEADER, "")
    if not (message_id and stamp and given):
        raise SignatureMismatchError(
            "a webhook-id, webhook-timestamp or webhook-signature is missing"
        )
    sent_at = _parse_timestamp(stamp)
    if abs(_utc(now) - sent_at) > TOLERANCE:
        raise SignatureMismatchError("the webhook-timestamp is more than 5 minutes from now")
    try:
        text = body.decode()
    except UnicodeDecodeError as exc:
        raise SignatureMismatchError("the body is not UTF-8, so it cannot be signed") from exc
    candidates = _signatures(given)
    matched = False
    for secret in secrets:
        expected = _expected(secret, message_id, sent_at, text)
        if expected is None:
            continue
        for candidate in candidates:
            matched |= hmac.compare_digest(expected, candidate)
    if not matched:
        raise SignatureMismatchError("no signature matches a secret")


def _expected(secret: str, message_id: str, sent_at: datetime, text: str) -> bytes | None:
    """The v1 signature under `secret`, or None for a secret that is not `whsec_<base64>`."""
    try:
        signature = Webhook(secret).sign(msg_id=message_id, timestamp=sent_at, data=text)
    except (ValueError, EmptyWebhookSecretError):  # binascii.Error is a ValueError: matches nothing
        return None
    return base64.b64decode(signature.partition(",")[2])


def _signatures(header: str) -> list[bytes]:
    """The decoded `v1` signatures of a `webhook-signature` header (space-separated `v1,<base64>`)."""
    found = []
    for part in header.split():
        version, _, encoded = part.partition(",")
        if version != "v1" or not encoded:
            continue
        try:
            found.append(base64.b64decode(encoded, validate=True))
        except (binascii.Error, ValueError):
            continue
    return found


def _parse_timestamp(stamp: str) -> datetime:
    if not stamp.isascii() or not stamp.isdigit() or len(stamp) > 11:
        raise SignatureMismatchError("the webhook-timestamp is not a Unix time in seconds")
    try:
        return datetime.fromtimestamp(int(stamp), tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise SignatureMismatchError("the webhook-timestamp is out of range") from exc


def _whole_seconds(at: datetime) -> datetime:
    return _utc(at).replace(microsecond=0)


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
