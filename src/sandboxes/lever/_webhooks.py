"""Lever web hooks: the registered hooks (each with its own signature token), signed deliveries, and
the duplicate/delay/reorder/drop options.

A delivery is a JSON POST (`User-Agent: Lever-Webhooks`) of `{id, event, triggeredAt, data, token,
signature}` where `token` is 48 random characters per delivery and `signature` is the hex HMAC-SHA256 of
`token + str(triggeredAt)` under the hook's signature token. The signature does not cover `data`. A
delivery not answered 2xx is tried again, five times by default, each wait twice the one before.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from intrro_gateway.sandboxes._common.delivery import DeliveryQueue


def sign(signature_token: str, token: str, triggered_at: int) -> str:
    """The body's `signature`: hex HMAC-SHA256 of `token + triggeredAt` keyed by the hook's token."""
    message = (token + str(triggered_at)).encode("utf-8")
    return hmac.new(signature_token.encode("utf-8"), message, hashlib.sha256).hexdigest()


@dataclass
class Webhook:
    """One registered web hook: one event, one URL, its own signature token."""

    id: str
    event: str
    url: str
    signature_token: str
    origins: tuple[str, ...] | None
    created_at: int
    updated_at: int

    def public(self, *, with_token: bool = False) -> dict[str, Any]:
        """The hook as `GET /webhooks` shows it (the token only in the create answer)."""
        configuration: dict[str, Any] = {}
        if self.origins is not None:
            configuration["conditions"] = {"origins": list(self.origins)}
        if with_token:
            configuration["signatureToken"] = self.signature_token
        return {
            "id": self.id,
            "event": self.event,
            "url": self.url,
            "configuration": configuration,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        }


@dataclass(frozen=True, slots=True)
class DeliveryOptions:
    """How one firing (or every firing, when set globally) is delivered."""

    duplicate: int = 0
    """Extra deliveries of the very same body (same `id`, `token`, `signature`)."""
    delay_s: float = 0.0
    """Seconds to wait before delivering."""
    reorder: bool = False
    """Hold the deliveries; `flush()` (or `release()`) sends the held batch in reverse order."""
    drop: bool = False
    """Record the event but never deliver it (what reconciliation must repair)."""
    retries: int = 5
    """Send a delivery that failed (no answer, or not 2xx) again, at most this many more times (Lever
    documents five tries, "waiting longer and longer in between")."""
    retry_delay_s: float = 0.1
    """Seconds before the first retry; each later wait doubles (kept short so tests stay quick)."""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DeliveryOptions:
        """Options from the control API's JSON; raises ValueError on unknown keys or bad values."""
        unknown = set(data) - {
            "duplicate",
            "delay_s",
            "reorder",
            "drop",
            "retries",
            "retry_delay_s",
        }
        if unknown:
            raise ValueError(f"unknown delivery options: {sorted(unknown)}")
        counts = {"duplicate": data.get("duplicate", 0), "retries": data.get("retries", 5)}
        delays = {
            "delay_s": data.get("delay_s", 0.0),
            "retry_delay_s": data.get("retry_delay_s", 0.1),
        }
        flags = {name: data.get(name, False) for name in ("reorder", "drop")}
        for name, value in counts.items():
            if type(value) is not int or value < 0:
                raise ValueError(f"{name} must be a non-negative integer")
        for name, value in delays.items():
            if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{name} must be a non-negative number")
        for name, value in flags.items():
            if not isinstance(value, bool):
                raise ValueError(f"{name} must be true or false")
        return cls(
            duplicate=counts["duplicate"],
            delay_s=float(delays["delay_s"]),
            reorder=flags["reorder"],
            drop=flags["drop"],
            retries=counts["retries"],
            retry_delay_s=float(delays["retry_delay_s"]),
        )


@dataclass(frozen=True, slots=True)
class FiredEvent:
    """One event the sandbox fired at one hook (`hook_id` None: no hook was registered for it)."""

    event_id: str
    event: str
    hook_id: str | None
    url: str | None
    body: bytes

    def json(self) -> Any:
        """The decoded body."""
        return json.loads(self.body)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One delivery attempt and its outcome (`status_code` None when the request failed)."""

    event_id: str
    event: str
    url: str
    status_code: int | None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class _Send:
    event_id: str
    event: str
    url: str
    body: bytes
    retries: int = 0
    retry_delay_s: float = 0.0


def encode_body(
    event_id: str, event: str, triggered_at: int, data: Mapping[str, Any], signature_token: str
) -> bytes:
    """A delivery's JSON body, signed with a fresh random `token`."""
    token = secrets.token_hex(24)  # 48 characters, as Lever documents
    body = {
        "id": event_id,
        "event": event,
        "triggeredAt": triggered_at,
        "data": dict(data),
        "token": token,
        "signature": sign(signature_token, token, triggered_at),
    }
    return json.dumps(body).encode("utf-8")


@dataclass
class WebhookDispatcher(DeliveryQueue[_Send]):
    """Holds the registered hooks, fires events at them in background tasks, records what happened."""

    hooks: dict[str, Webhook] = field(default_factory=dict)
    options: DeliveryOptions = field(default_factory=DeliveryOptions)
    fired: list[FiredEvent] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)

    def register(
        self, hook_id: str, event: str, url: str, origins: tuple[str, ...] | None, now_ms: int
    ) -> Webhook:
        """Add a hook with a fresh signature token."""
        hook = Webhook(hook_id, event, url, secrets.token_hex(24), origins, now_ms, now_ms)
        self.hooks[hook_id] = hook
        return hook

    def fire(
        self,
        event: str,
        data: Mapping[str, Any],
        *,
        origin: str | None,
        triggered_at: int,
        options: DeliveryOptions | None = None,
    ) -> list[str]:
        """Record one event per matching hook and schedule its delivery; returns the body `id`s."""
        opts = options if options is not None else self.options
        matching = [
            h
            for h in self.hooks.values()
            if h.event == event and (h.origins is None or origin is None or origin in h.origins)
        ]
        if not matching:
            event_id = str(uuid.uuid4())
            body = encode_body(event_id, event, triggered_at, data, "")
            self.fired.append(FiredEvent(event_id, event, None, None, body))
            return [event_id]
        event_ids: list[str] = []
        sends: list[_Send] = []
        for hook in matching:
            event_id = str(uuid.uuid4())
            body = encode_body(event_id, event, triggered_at, data, hook.signature_token)
            self.fired.append(FiredEvent(event_id, event, hook.id, hook.url, body))
            event_ids.append(event_id)
            send = _Send(event_id, event, hook.url, body, opts.retries, opts.retry_delay_s)
            sends.extend(send for _ in range(1 + opts.duplicate))
        if opts.drop:
            return event_ids
        self.dispatch(sends, reorder=opts.reorder, delay_s=opts.delay_s)
        return event_ids

    def ping(self, event: str | None, triggered_at: int) -> list[str]:
        """A test delivery with empty `data` to every hook (of `event`), as Lever's settings send."""
        event_ids: list[str] = []
        sends: list[_Send] = []
        for hook in self.hooks.values():
            if event is not None and hook.event != event:
                continue
            event_id = str(uuid.uuid4())
            body = encode_body(event_id, hook.event, triggered_at, {}, hook.signature_token)
            self.fired.append(FiredEvent(event_id, hook.event, hook.id, hook.url, body))
            event_ids.append(event_id)
            sends.append(_Send(event_id, hook.event, hook.url, body))
        self.schedule(sends, 0.0)
        return event_ids

    def redeliver(self, event_id: str, delay_s: float = 0.0) -> bool:
        """Deliver a fired event's very body again; False when no delivered event has that id."""
        for fired in self.fired:
            if fired.event_id == event_id and fired.url is not None:
                self.schedule([_Send(fired.event_id, fired.event, fired.url, fired.body)], delay_s)
                return True
        return False

    async def deliver(self, send: _Send) -> None:
        """POST one delivery; one not answered 2xx is tried again, each wait twice the one before."""
        for attempt in range(1 + send.retries):
            if attempt:
                await asyncio.sleep(send.retry_delay_s * 2 ** (attempt - 1))
            headers = {"Content-Type": "application/json", "User-Agent": "Lever-Webhooks"}
            status, error = await self.post(send.url, send.body, headers)
            self.deliveries.append(Delivery(send.event_id, send.event, send.url, status, error))
            if status is not None and 200 <= status < 300:
                return
