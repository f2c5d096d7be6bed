"""`POST /webhooks/greenhouse/{tenant}`: every check in the contract's order, then stored once."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.e2e.http_support import (
    AUTH,
    WEBHOOK_SECRET,
    Gateway,
    create_tenant,
    gateway,
    gateway_settings,
    greenhouse_body,
    greenhouse_headers,
    inbox_rows,
)

URL = "/webhooks/greenhouse/acme"


@pytest.fixture
def gw(tmp_path: Path) -> Gateway:
    return gateway(gateway_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}"))


@pytest.fixture
def client(gw: Gateway) -> Iterator[TestClient]:
    with gw.client() as client:
        create_tenant(client, "acme")
        create_tenant(client, "globex", greenhouse_webhook_secret="globex-webhook-secret-0002")
        yield client


def test_a_signed_delivery_is_stored_and_answered_exactly_200(
    gw: Gateway, client: TestClient
) -> None:
    body = greenhouse_body("candidate_stage_change")

    response = client.post(URL, content=body, headers=greenhouse_headers(body, event_id="ev-1"))

    assert response.status_code == 200
    assert response.json() == {}
    assert inbox_rows(gw.settings) == [
        ("acme", "greenhouse", "candidate_stage_change", "application:9001")
    ]


def test_a_repeated_event_id_answers_200_and_is_stored_once(
    gw: Gateway, client: TestClient
) -> None:
    body = greenhouse_body("hire_candidate")
    headers = greenhouse_headers(body, event_id="ev-dup")

    answers = [client.post(URL, content=body, headers=headers) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert len(inbox_rows(gw.settings)) == 1


def test_without_an_event_id_the_body_hash_deduplicates(gw: Gateway, client: TestClient) -> None:
    body = greenhouse_body("reject_candidate")

    for _ in range(2):
        assert client.post(URL, content=body, headers=greenhouse_headers(body)).status_code == 200

    assert len(inbox_rows(gw.settings)) == 1


@pytest.mark.parametrize("signed", [True, False])
def test_a_ping_answers_200_signed_or_not_and_moves_the_ping_time_without_a_row(
    gw: Gateway, client: TestClient, signed: bool
) -> None:
    body = greenhouse_body("ping")
    headers = greenhouse_headers(body) if signed else {"Content-Type": "application/json"}

    response = client.post(URL, content=body, headers=headers)

    assert response.status_code == 200
    assert inbox_rows(gw.settings) == []
    status = client.get("/api/tenants/acme/connections/greenhouse", headers=AUTH).json()
    assert status["last_ping_at"] is not None


def test_fifty_distinct_unsigned_pings_store_no_row(gw: Gateway, client: TestClient) -> None:
    padding = "x" * 50_000  # anyone may send a ping: what it carries is not kept
    bodies = [
        json.dumps({"action": "ping", "payload": {"name": f"ping {n}", "pad": padding}}).encode()
        for n in range(50)
    ]

    answers = [client.post(URL, content=body) for body in bodies]

    assert {a.status_code for a in answers} == {200}
    assert inbox_rows(gw.settings) == []


def test_an_event_id_seen_again_with_another_body_is_answered_200_not_applied_and_counted(
    gw: Gateway, client: TestClient
) -> None:
    first, other = greenhouse_body("candidate_stage_change"), greenhouse_body("hire_candidate")

    answers = [
        client.post(URL, content=body, headers=greenhouse_headers(body, event_id="ev-reused"))
        for body in (first, other)
    ]

    assert [a.status_code for a in answers] == [200, 200]
    assert [row[2] for row in inbox_rows(gw.settings)] == ["candidate_stage_change"]
    metrics = client.get("/metrics").text
    assert 'outcome="conflict",source="greenhouse"} 1.0' in metrics


@pytest.mark.parametrize(
    "form",
    [
        "SHA256 {hex}",
        "sha256 {HEX}",
        "sha256  {hex}",
        "sha256={hex}",
        "sha-256 {hex}",
        "{hex}",
        " sha256 {hex}x",
        "sha256 {hex} ",
    ],
)
def test_the_signature_header_must_be_exactly_sha256_space_lower_case_hex(
    gw: Gateway, client: TestClient, form: str
) -> None:
    body = greenhouse_body("hire_candidate")
    digest = greenhouse_headers(body)["Signature"].removeprefix("sha256 ")
    headers = {"Signature": form.format(hex=digest, HEX=digest.upper())}

    response = client.post(URL, content=body, headers=headers)

    assert response.status_code == 401
    assert inbox_rows(gw.settings) == []


def test_a_bad_signature_is_refused_401_and_nothing_is_stored(
    gw: Gateway, client: TestClient
) -> None:
    body = greenhouse_body("candidate_stage_change")

    missing = client.post(URL, content=body)
    wrong = client.post(URL, content=body, headers=greenhouse_headers(body, secret="nope"))
    garbled = client.post(URL, content=body, headers={"Signature": "sha256 zz"})

    assert [missing.status_code, wrong.status_code, garbled.status_code] == [401, 401, 401]
    assert missing.headers["content-type"] == "application/problem+json"
    assert inbox_rows(gw.settings) == []


def test_a_signature_valid_for_another_tenant_is_refused_401(
    gw: Gateway, client: TestClient
) -> None:
    body = greenhouse_body("candidate_stage_change")
    signed_for_globex = greenhouse_headers(body, secret="globex-webhook-secret-0002")

    assert client.post(URL, content=body, headers=signed_for_globex).status_code == 401
    assert (
        client.post(
            "/webhooks/greenhouse/globex", content=body, headers=signed_for_globex
        ).status_code
        == 200
    )
    assert [row[0] for row in inbox_rows(gw.settings)] == ["globex"]


def test_an_unknown_tenant_is_404_before_the_signature_is_looked_at(
    gw: Gateway, client: TestClient
) -> None:
    body = greenhouse_body("candidate_stage_change")

    unknown = client.post(
        "/webhooks/greenhouse/initech", content=body, headers=greenhouse_headers(body)
    )
    not_a_slug = client.post("/webhooks/greenhouse/Not_A_Slug", content=body)

    assert unknown.status_code == 404
    assert unknown.json()["status"] == 404
    assert not_a_slug.status_code == 404
    assert inbox_rows(gw.settings) == []


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"{not json", "not JSON"),
        (b'{"payload": {}}', "no action"),
        (b'["action"]', "no action"),
        (b'{"action": ""}', "no action"),
    ],
)
def test_a_signed_body_that_is_not_json_or_has_no_action_is_400(
    gw: Gateway, client: TestClient, body: bytes, detail: str
) -> None:
    response = client.post(URL, content=body, headers=greenhouse_headers(body))

    assert response.status_code == 400
    assert detail in response.json()["detail"]
    assert inbox_rows(gw.settings) == []


def test_an_action_the_gateway_does_not_use_is_answered_ignored_and_not_stored(
    gw: Gateway, client: TestClient
) -> None:
    body = greenhouse_body("offer_created")

    response = client.post(URL, content=body, headers=greenhouse_headers(body))

    assert response.status_code == 200
    assert response.json() == {"ignored": True}
    assert inbox_rows(gw.settings) == []


def test_a_body_over_one_mebibyte_is_413_even_when_signed(gw: Gateway, client: TestClient) -> None:
    body = json.dumps({"action": "application_updated", "pad": "x" * (1024 * 1024)}).encode()

    response = client.post(URL, content=body, headers=greenhouse_headers(body))

    assert response.status_code == 413
    assert inbox_rows(gw.settings) == []


def test_an_oversized_chunked_body_without_content_length_is_cut_off_at_413(
    gw: Gateway, client: TestClient
) -> None:
    sent: list[int] = []

    def chunks() -> Iterator[bytes]:
        for index in range(64):  # 64 x 64 KiB = 4 MiB offered
            sent.append(index)
            yield b"x" * 65536

    response = client.post(URL, content=chunks(), headers=greenhouse_headers(b""))

    assert response.status_code == 413
    assert inbox_rows(gw.settings) == []
    assert "content-length" not in {k.lower() for k in response.request.headers}


def test_a_tenant_with_a_rotated_secret_accepts_the_previous_one_too(
    gw: Gateway, client: TestClient
) -> None:
    rotated = client.post(
        "/api/tenants/acme/secrets/rotate", json={"which": "greenhouse_webhook"}, headers=AUTH
    )
    new_secret = rotated.json()["secret"]
    first = greenhouse_body("hire_candidate")
    second = greenhouse_body("reject_candidate")

    old = client.post(URL, content=first, headers=greenhouse_headers(first, secret=WEBHOOK_SECRET))
    new = client.post(URL, content=second, headers=greenhouse_headers(second, secret=new_secret))

    assert (rotated.status_code, old.status_code, new.status_code) == (200, 200, 200)
    assert len(inbox_rows(gw.settings)) == 2


def test_an_unsigned_ping_is_recorded_for_web_hook_health_with_the_worker_on(
    tmp_path: Path,
) -> None:
    gw = gateway(
        gateway_settings(
            tmp_path,
            f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}",
            GATEWAY_RUN_WORKER="true",
            GATEWAY_POLL_INTERVAL="20ms",
        )
    )
    body = greenhouse_body("ping")

    with gw.client() as client:
        create_tenant(client, "acme")
        before = client.get("/api/tenants/acme/connections/greenhouse", headers=AUTH).json()
        assert client.post(URL, content=body).status_code == 200
        for _ in range(400):
            status = client.get("/api/tenants/acme/connections/greenhouse", headers=AUTH).json()
            if status["last_ping_at"] is not None:
                break
            time.sleep(0.05)

    assert before["last_ping_at"] is None
    assert status["last_ping_at"] is not None
