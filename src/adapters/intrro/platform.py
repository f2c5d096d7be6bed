"""Intrro as the referral platform: events POSTed to a tenant's callback URL, Standard Webhooks signed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Final

import httpx
from standardwebhooks.webhooks import EmptyWebhookSecretError

from intrro_gateway.adapters.intrro._signing import sign_headers
from intrro_gateway.adapters.retry_after import parse_retry_after
from intrro_gateway.adapters.system import SystemClock
from intrro_gateway.ports.clock import Clock
from intrro_gateway.ports.referral_platform import (
    OutboundMessage,
    PushFailedError,
    PushRefusedError,
    PushTarget,
    ReferralPlatform,
)

# Refused for good by the contract; every other non-2xx answer is worth another try, because a
# misconfiguration on Intrro's side (401, 403, a 3xx) can be fixed before the retry horizon ends.
REFUSED_STATUSES: Final = frozenset({400, 404, 410})


class IntrroPlatform(ReferralPlatform):
    """Pushes the gateway's events to Intrro over HTTP."""

    def __init__(
        self, http: httpx.AsyncClient, *, timeout_s: float = 10, clock: Clock | None = None
    ) -> None:
        self._http = http
        self._timeout = httpx.Timeout(timeout_s)
        self._clock: Clock = clock or SystemClock()

    async def push(self, target: PushTarget, message: OutboundMessage) -> None:
        """POST the event, signed with the target's secret; returns once Intrro answered 2xx."""
        body = envelope_bytes(message)
        now = self._clock.now()
        try:
            signed = sign_headers(target.secret, message.message_id, body, now)
        except (ValueError, EmptyWebhookSecretError) as exc:  # binascii.Error is a ValueError
            # Not sent at all; retried, since the tenant's secret can be fixed before the horizon.
            raise PushFailedError("the target's secret is not a whsec_<base64> secret") from exc
        headers = {"content-type": "application/json", **signed}
        try:
            response = await self._http.post(
                target.url, content=body, headers=headers, timeout=self._timeout
            )
        except httpx.TimeoutException as exc:
            raise PushFailedError(f"Intrro did not answer in time: {exc!r}") from exc
        except httpx.HTTPError as exc:
            raise PushFailedError(f"Intrro could not be reached: {exc!r}") from exc
        status = response.status_code
        if 200 <= status < 300:
            return
        if status in REFUSED_STATUSES:
            raise PushRefusedError(f"Intrro refused the event with {status}", status=status)
        raise PushFailedError(
            f"Intrro answered {status}",
            status=status,
            retry_after=parse_retry_after(response.headers.get("retry-after"), now),
        )


def envelope(message: OutboundMessage) -> dict[str, Any]:
    """The event as Intrro receives it: `{"type", "timestamp", "data"}`."""
    stamp = message.timestamp
    stamp = stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)
    return {
        "type": message.type,
        "timestamp": stamp.isoformat().replace("+00:00", "Z"),
        "data": message.data,
    }


def envelope_bytes(message: OutboundMessage) -> bytes:
    """The envelope serialised as compact UTF-8 JSON, the exact bytes that are signed and sent."""
    return json.dumps(
        envelope(message), ensure_ascii=False, separators=(",", ":"), default=_json_default
    ).encode()


def _json_default(value: object) -> object:
    """Times inside `data` as ISO-8601 UTC, the only non-JSON values events carry."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
