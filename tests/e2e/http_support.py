"""Building the gateway app for the HTTP end-to-end tests: a real container on a database of the
test's own, the Harvest and Intrro outbound ports replaced by the fakes, the worker off unless asked."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import sqlite3
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from dependency_injector import providers
from starlette.testclient import TestClient

from intrro_gateway.adapters.system import SystemClock
from intrro_gateway.entrypoints.container import Container, build_container
from intrro_gateway.entrypoints.http import create_app
from intrro_gateway.entrypoints.settings import GatewaySettings, load_settings
from intrro_gateway.services import access
from tests.fakes.ats import FakeAtsClient
from tests.fakes.referral_platform import FakeReferralPlatform

TOKEN = "test-token-0123456789abcdef"
OTHER_TOKEN = "second-token-0123456789abcdef"
INTRRO_SECRET = "whsec_" + base64.b64encode(b"intrro-secret-for-tests-0001").decode()
WEBHOOK_SECRET = "greenhouse-webhook-secret-0001"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "greenhouse_webhooks"


def gateway_settings(tmp_path: Path, database_url: str, **env: str) -> GatewaySettings:
    """Development settings for a test: its own database, short deadlines, the worker off."""
    environ = {
        "GATEWAY_DATABASE_URL": database_url,
        "GATEWAY_SECRET_KEYS": Fernet.generate_key().decode(),
        "GATEWAY_API_TOKENS": f"{TOKEN},{OTHER_TOKEN}",
        "GATEWAY_RUN_WORKER": "false",
        "GATEWAY_AUTO_MIGRATE": "true",
        "GATEWAY_REQUEST_DEADLINE": "3s",
        "GATEWAY_PUBLIC_URL": "https://gateway.test",
        **env,
    }
    return load_settings(tmp_path / ".env", environ, generate=False)


@dataclass
class Gateway:
    """A container and its fakes, ready to be served by `client()`."""

    settings: GatewaySettings
    container: Container
    ats: FakeAtsClient
    platform: FakeReferralPlatform

    def client(self) -> TestClient:
        """A test client on a new app of this container (use it as a context manager)."""
        return TestClient(create_app(self.container), raise_server_exceptions=False)


def gateway(settings: GatewaySettings) -> Gateway:
    """A container on the settings, with the ATS and the referral platform faked."""
    container = build_container(settings)
    ats = FakeAtsClient(SystemClock())
    platform = FakeReferralPlatform()
    container.greenhouse_client.override(providers.Object(ats))
    container.intrro_platform.override(providers.Object(platform))
    return Gateway(settings=settings, container=container, ats=ats, platform=platform)


def create_tenant(client: TestClient, tenant: str = "acme", **fields: Any) -> dict[str, Any]:
    """Create a tenant with the test secrets through the API."""
    body = {
        "intrro_callback_url": "https://intrro.test/hooks",
        "intrro_secret": INTRRO_SECRET,
        "greenhouse_webhook_secret": WEBHOOK_SECRET,
        **fields,
    }
    response = client.put(f"/api/tenants/{tenant}", json=body, headers=AUTH)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def greenhouse_body(name: str) -> bytes:
    """A documented Greenhouse web hook body, as the fixtures hold it."""
    return (FIXTURES / f"{name}.json").read_bytes()


def greenhouse_headers(
    body: bytes, secret: str = WEBHOOK_SECRET, event_id: str | None = None
) -> dict[str, str]:
    """The headers Greenhouse sends: `Signature: sha256 <hex>` and, when given, the event id."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    headers = {"Signature": f"sha256 {digest}", "Content-Type": "application/json"}
    if event_id is not None:
        headers["Greenhouse-Event-ID"] = event_id
    return headers


def intrro_event(type_: str, data: Mapping[str, Any]) -> bytes:
    """An Intrro event envelope."""
    envelope = {"type": type_, "timestamp": "2026-11-24T09:00:00Z", "data": dict(data)}
    return json.dumps(envelope).encode()


def intrro_headers(
    body: bytes, message_id: str, secret: str = INTRRO_SECRET, at: float | None = None
) -> dict[str, str]:
    """Standard Webhooks headers for the body, signed now (or at `at`, a Unix time)."""
    timestamp = str(int(time.time() if at is None else at))
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    signature = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return {
        "webhook-id": message_id,
        "webhook-timestamp": timestamp,
        "webhook-signature": f"v1,{signature}",
        "Content-Type": "application/json",
    }


def accepted(introduction_id: str = "intro-1", **overrides: Any) -> dict[str, Any]:
    """The `data` of a valid `introduction.accepted` event."""
    data: dict[str, Any] = {
        "introduction_id": introduction_id,
        "candidate": {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "emails": ["ada@example.com"],
            "phones": [],
            "linkedin_url": None,
            "social_profiles": [],
            "websites": [],
            "current_company": None,
            "current_title": None,
            "location": None,
        },
        "referrer": {"name": "Grace Hopper", "email": "grace@example.com", "employee_id": None},
        "job_ids": ["4001"],
        "message": None,
        "accepted_at": "2026-11-24T08:59:00Z",
    }
    data.update(overrides)
    return data


def inbox_rows(settings: GatewaySettings) -> list[tuple[str, str, str, str | None]]:
    """(tenant, source, kind, ordering key) of every inbox row of a SQLite database, by arrival."""
    path = settings.database_url.split(":///", 1)[1]
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT tenant_id, source, kind, ordering_key FROM inbox ORDER BY seq"
        ).fetchall()
    return [(str(a), str(b), str(c), d) for a, b, c, d in rows]


def issue_token(settings: GatewaySettings, tenant: str | None, name: str = "test") -> str:
    """A stored API token made as `intrro-gateway token create` makes it (on a container of its own,
    on the same database); returns its value."""

    async def make() -> str:
        container = build_container(settings)
        await container.init_resources()  # type: ignore[misc]
        try:
            issued = await access.create_token(container.deps(), name, tenant)
        finally:
            await container.shutdown_resources()  # type: ignore[misc]
        return issued.value

    return asyncio.run(make())
