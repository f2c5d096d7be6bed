"""Recruiting web hook delivery: signing, event ids, and the duplicate/delay/reorder/drop options."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from intrro_gateway.sandboxes._common.delivery import DeliveryQueue

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "/": "\\/"}


@dataclass(frozen=True, slots=True)
class DeliveryOptions:
    """How one firing (or every firing, when set globally) is delivered."""

    duplicate: int = 0
    """Extra deliveries of the same body under the same `Greenhouse-Event-ID`."""
    duplicate_ids: int = 0
    """Extra deliveries of the same body, each under a new `Greenhouse-Event-ID`."""
    delay_s: float = 0.0
    """Seconds to wait before delivering."""
    reorder: bool = False
    """Hold the deliveries; `flush()` (or `release()`) sends the held batch in reverse order."""
    drop: bool = False
    """Record the event but never deliver it (what reconciliation must repair)."""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DeliveryOptions:
        """Options from the control API's JSON; raises ValueError on unknown keys or bad values."""
        unknown = set(data) - {"duplicate", "duplicate_ids", "delay_s", "reorder", "drop"}
        if unknown:
            raise ValueError(f"unknown delivery options: {sorted(unknown)}")
        try:
            options = cls(
                duplicate=int(data.get("duplicate", 0)),
                duplicate_ids=int(data.get("duplicate_ids", 0)),
                delay_s=float(data.get("delay_s", 0.0)),
                reorder=bool(data.get("reorder", False)),
                drop=bool(data.get("drop", False)),
            )
        except (TypeError, OverflowError) as exc:
            raise ValueError(f"malformed delivery options: {exc}") from exc
        if options.duplicate < 0 or options.duplicate_ids < 0 or options.delay_s < 0:
            raise ValueError("delivery options must not be negative")
        return options


@dataclass(frozen=True, slots=True)
class FiredEvent:
    """One web hook event the sandbox fired (whether or not it was delivered)."""

    event_id: str
    action: str
    body: bytes

    def json(self) -> Any:
        """The decoded body: `{"action": ..., "payload": {...}}`."""
        return json.loads(self.body)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One delivery attempt and its outcome (`status_code` is None when the request failed)."""

    event_id: str
    action: str
    status_code: int | None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class _Send:
    event_id: str
    action: str
    body: bytes


def encode_body(action: str, payload: Mapping[str, Any]) -> bytes:
    """The JSON body as Greenhouse writes it: ASCII only, with `<`, `>`, `&` and `/` escaped."""
    text = json.dumps({"action": action, "payload": payload}, ensure_ascii=True)
    for raw, escaped in _JSON_ESCAPES.items():
        text = text.replace(raw, escaped)
    return text.encode("ascii")


def sign(secret: str, body: bytes) -> str:
    """The `Signature` header value: `sha256 <hex HMAC-SHA256 of the raw body>`."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256 {digest}"


@dataclass
class WebhookDispatcher(DeliveryQueue[_Send]):
    """Fires web hooks at the configured URL in background tasks and records what happened."""

    url: str | None = None
    secret: str | None = None
    options: DeliveryOptions = field(default_factory=DeliveryOptions)
    fired: list[FiredEvent] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)

    def configure(self, url: str, secret: str) -> None:
        """Deliver later events to `url`, signed with `secret`."""
        self.url = url
        self.secret = secret

    def fire(
        self, action: str, payload: Mapping[str, Any], options: DeliveryOptions | None = None
    ) -> list[str]:
        """Record one event and schedule its delivery; returns every event id it went out under."""
        opts = options if options is not None else self.options
        body = encode_body(action, payload)
        event_ids = [str(uuid.uuid4()) for _ in range(1 + opts.duplicate_ids)]
        self.fired.extend(FiredEvent(event_id, action, body) for event_id in event_ids)
        if opts.drop or self.url is None:
            return event_ids
        sends = [
            _Send(event_id, action, body)
            for event_id in event_ids
            for _ in range(1 + opts.duplicate)
        ]
        self.dispatch(sends, reorder=opts.reorder, delay_s=opts.delay_s)
        return event_ids

    async def deliver(self, send: _Send) -> None:
        """POST one delivery to the URL configured now, signed with the secret configured now."""
        url, secret = self.url, self.secret
        if url is None or secret is None:
            return
        headers = {
            "Content-Type": "application/json",
            "Signature": sign(secret, send.body),
            "Greenhouse-Event-ID": send.event_id,
            "User-Agent": "Greenhouse-Sandbox",
        }
        status, error = await self.post(url, send.body, headers)
        self.deliveries.append(Delivery(send.event_id, send.action, status, error))
