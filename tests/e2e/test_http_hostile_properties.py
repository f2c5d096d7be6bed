"""Every route answered by the contract whatever comes in: hypothesis drives each HTTP route with
arbitrary bodies (binary, JSON, JSON nested far past the recursion limit), headers and query strings,
validly signed or not, with a valid token or not. No answer is a 5xx (no database is down here, so not
even 503), and a refused request (4xx) leaves the stored state exactly as it was."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from intrro_gateway.entrypoints.settings import GatewaySettings
from tests.e2e.http_support import (
    AUTH,
    INTRRO_SECRET,
    WEBHOOK_SECRET,
    gateway,
    gateway_settings,
    greenhouse_headers,
    intrro_headers,
)

# Requests per route and strategy: moderate, so that the whole suite stays within minutes (CI a bit more).
EXAMPLES = 40 if os.environ.get("CI") else 25
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TENANT_BODY = {
    "intrro_callback_url": "https://intrro.test/hooks",
    "intrro_secret": INTRRO_SECRET,
    "greenhouse_webhook_secret": WEBHOOK_SECRET,
    "ats": "greenhouse",
    "closed_job_policy": "fail",
    "stage_mapping": {"by_stage_id": {}, "by_stage_name": {}},
}
ROUTES = [
    ("POST", "/webhooks/{ats}/{tenant}"),
    ("POST", "/events/intrro/{tenant}"),
    ("GET", "/api/tenants/{tenant}"),
    ("PUT", "/api/tenants/{tenant}"),
    ("DELETE", "/api/tenants/{tenant}"),
    ("POST", "/api/tenants/{tenant}/secrets/rotate"),
    ("POST", "/api/tenants/{tenant}/connections/{ats}"),
    ("GET", "/api/tenants/{tenant}/connections/{ats}"),
    ("DELETE", "/api/tenants/{tenant}/connections/{ats}"),
    ("POST", "/api/tenants/{tenant}/sync/jobs"),
    ("GET", "/api/tenants/{tenant}/jobs"),
    ("GET", "/api/tenants/{tenant}/introductions/{introduction_id}"),
    ("GET", "/api/tenants/{tenant}/pipeline"),
    ("GET", "/api/tenants/{tenant}/deliveries"),
    ("POST", "/api/tenants/{tenant}/deliveries/{id}/replay"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/openapi.json"),
]
STORED = ("tenants", "api_tokens", "inbox", "outbox", "jobs", "introductions")

_printable = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60)
_any_text = st.text(max_size=40)


def _nested(depth: int, opener: bytes, closer: bytes) -> bytes:
    return opener * depth + closer * depth


_deep = st.builds(
    _nested,
    st.integers(min_value=60, max_value=200_000),
    st.sampled_from([b"[", b'{"a":']),
    st.sampled_from([b"]", b"}"]),
).map(lambda b: b if b.startswith(b"[") else b[: len(b) // 2] + b"1" + b[len(b) // 2 :])
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _any_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_any_text, inner, max_size=4),
    max_leaves=20,
)
_fields = st.fixed_dictionaries(
    {},
    optional={
        "action": st.sampled_from(["ping", "candidate_stage_change", "hire_candidate"]) | _any_text,
        "type": st.sampled_from(["introduction.accepted", "candidate.updated"]) | _any_text,
        "payload": _json,
        "data": _json,
        "timestamp": _any_text,
        "which": st.sampled_from(["intrro", "ats_webhook", "greenhouse_webhook"]) | _json,
        "intrro_callback_url": _any_text | _json,
        "stage_mapping": _json,
        "client_id": _json,
        "client_secret": _json,
        "user_email": _json,
        "ats": _json,
    },
)
BODIES = st.one_of(
    st.binary(max_size=300),
    _json.map(lambda doc: json.dumps(doc).encode()),
    _fields.map(lambda doc: json.dumps(doc).encode()),
    _deep,
)
QUERIES = st.dictionaries(
    st.sampled_from(["cursor", "status", "updated_after", "direction", "state"]) | _any_text,
    _any_text | _deep.map(lambda b: b.decode()[:3000]),
    max_size=4,
)
HEADERS = st.dictionaries(
    st.sampled_from(
        [
            "Signature",
            "Greenhouse-Event-ID",
            "webhook-id",
            "webhook-timestamp",
            "webhook-signature",
            "Content-Type",
            "Content-Length-Hint",
            "X-Forwarded-For",
        ]
    ),
    _printable,
    max_size=4,
)
PATH_PARAMS = st.fixed_dictionaries(
    {
        "tenant": st.sampled_from(["acme", "acme", "globex"]) | _any_text,
        "ats": st.sampled_from(["greenhouse", "lever"]) | _any_text,
        "introduction_id": _any_text,
        "id": _any_text,
    }
)
AUTHORIZATION = st.sampled_from(
    [AUTH["Authorization"], AUTH["Authorization"], None]
) | _printable.map(lambda t: f"Bearer {t}")


def _state(settings_: GatewaySettings) -> list[Any]:
    path = settings_.database_url.split(":///", 1)[1]
    with sqlite3.connect(path) as conn:
        return [
            sorted(map(repr, conn.execute(f"SELECT * FROM {table}").fetchall())) for table in STORED
        ]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, GatewaySettings]]:
    folder = tmp_path_factory.mktemp("hostile")
    gw = gateway(gateway_settings(folder, f"sqlite+aiosqlite:///{folder / 'gw.db'}"))
    with gw.client() as client:
        yield client, gw.settings


def _reset(client: TestClient) -> None:
    """The tenant the requests aim at, as it was (an earlier example may have changed or deleted it),
    and no job import of an earlier example still running (it would change the state under a check)."""
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    for _ in range(500):
        if not runtime.background:
            break
        time.sleep(0.01)
    response = client.put("/api/tenants/acme", json=TENANT_BODY, headers=AUTH)
    assert response.status_code in (200, 201), response.text


def _send(
    world: tuple[TestClient, GatewaySettings],
    method: str,
    path: str,
    *,
    body: bytes,
    headers: dict[str, str],
    query: dict[str, str],
) -> None:
    client, settings_ = world
    _reset(client)
    before = _state(settings_)
    response = client.request(method, path, content=body, headers=headers, params=query)
    assert response.status_code < 500, (method, path, response.status_code, response.text[:300])
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json"
        assert _state(settings_) == before, (method, path, response.status_code)


def _path(template: str, params: dict[str, str]) -> str:
    return template.format(**{k: quote(v, safe="") for k, v in params.items()})


@pytest.mark.parametrize(("method", "template"), ROUTES)
@PROPERTY
@given(params=PATH_PARAMS, body=BODIES, headers=HEADERS, query=QUERIES, token=AUTHORIZATION)
def test_arbitrary_requests_to_every_route_never_get_a_5xx_and_refusals_store_nothing(
    world: tuple[TestClient, GatewaySettings],
    method: str,
    template: str,
    params: dict[str, str],
    body: bytes,
    headers: dict[str, str],
    query: dict[str, str],
    token: str | None,
) -> None:
    if token is not None:
        headers = {**headers, "Authorization": token}
    _send(world, method, _path(template, params), body=body, headers=headers, query=query)


@PROPERTY
@given(body=BODIES, event_id=st.none() | _printable, query=QUERIES)
def test_validly_signed_arbitrary_web_hooks_never_get_a_5xx_and_refusals_store_nothing(
    world: tuple[TestClient, GatewaySettings],
    body: bytes,
    event_id: str | None,
    query: dict[str, str],
) -> None:
    headers = greenhouse_headers(body, event_id=event_id)
    _send(world, "POST", "/webhooks/greenhouse/acme", body=body, headers=headers, query=query)


@PROPERTY
@given(body=BODIES, message_id=_printable.filter(bool), query=QUERIES)
def test_validly_signed_arbitrary_intrro_events_never_get_a_5xx_and_refusals_store_nothing(
    world: tuple[TestClient, GatewaySettings],
    body: bytes,
    message_id: str,
    query: dict[str, str],
) -> None:
    headers = intrro_headers(body, message_id.strip() or "m")
    _send(world, "POST", "/events/intrro/acme", body=body, headers=headers, query=query)


@PROPERTY
@given(body=BODIES, method=st.sampled_from(["PUT", "POST"]), query=QUERIES)
def test_arbitrary_api_bodies_with_a_valid_token_never_get_a_5xx(
    world: tuple[TestClient, GatewaySettings],
    body: bytes,
    method: str,
    query: dict[str, str],
) -> None:
    path = "/api/tenants/acme" if method == "PUT" else "/api/tenants/acme/secrets/rotate"
    _send(world, method, path, body=body, headers=dict(AUTH), query=query)
