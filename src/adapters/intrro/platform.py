"""Intrro as the referral platform: events POSTed to a tenant's callback URL, Standard Webhooks signed."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import urlsplit

import httpx
from standardwebhooks.webhooks import EmptyWebhookSecretError

from intrro_gateway.adapters.http_limits import bounded_request
from intrro_gateway.adapters.intrro._signing import sign_headers
from intrro_gateway.adapters.retry_after import parse_retry_after
from intrro_gateway.adapters.system import SystemClock
from intrro_gateway.domain.destinations import DestinationPolicy, IpAddress, parse_address
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
# Intrro's answer is read for its status and headers only; a longer body is not worth holding.
MAX_ANSWER_BYTES: Final = 64 * 1024

Resolver = Callable[[str, int], Awaitable[list[IpAddress]]]


async def resolve_host(host: str, port: int) -> list[IpAddress]:
    """The addresses a host name resolves to (a literal address is itself)."""
    literal = parse_address(host)
    if literal is not None:
        return [literal]
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )
    found = [parse_address(str(info[4][0])) for info in infos]
    return [address for address in found if address is not None]


class IntrroPlatform(ReferralPlatform):
    """Pushes the gateway's events to Intrro over HTTP."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        timeout_s: float = 10,
        clock: Clock | None = None,
        policy: DestinationPolicy | None = None,
        resolve: Resolver = resolve_host,
    ) -> None:
        self._http = http
        self._timeout_s = timeout_s
        self._timeout = httpx.Timeout(timeout_s)
        self._clock: Clock = clock or SystemClock()
        self._policy = policy or DestinationPolicy()
        self._resolve = resolve

    async def _check_destination(self, url: str) -> None:
        """Judge the callback URL again, on the addresses its host resolves to now; a refused one
        fails the attempt like a network error (the tenant's URL can be fixed before the horizon)."""
        if not self._policy.enforced:
            return
        reason = self._policy.judge_url(url)
        if reason is not None:
            raise PushFailedError(f"the callback URL {reason}")
        parts = urlsplit(url)
        host = parts.hostname or ""
        try:
            addresses = await self._resolve(host, parts.port or 443)
        except (OSError, UnicodeError) as exc:
            raise PushFailedError(f"the callback host could not be resolved: {exc!r}") from exc
        refused = self._policy.judge_resolved(host, addresses)
        if refused is not None:
            raise PushFailedError(f"the callback URL is refused: {refused}")

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
        await self._check_destination(target.url)
        try:
            response = await bounded_request(
                self._http,
                "POST",
                target.url,
                content=body,
                headers=headers,
                timeout=self._timeout,
                deadline_s=self._timeout_s,
                max_bytes=MAX_ANSWER_BYTES,
                truncate=True,
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
