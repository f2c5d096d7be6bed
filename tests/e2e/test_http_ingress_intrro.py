"""`POST /events/intrro/{tenant}`: 413, 404, 401, 400, 422 in order, then stored once and 202."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.e2e.http_support import (
    Gateway,
    accepted,
    create_tenant,
    gateway,
    gateway_settings,
    inbox_rows,
    intrro_event,
    intrro_headers,
)

URL = "/events/intrro/acme"


@pytest.fixture
def gw(tmp_path: Path) -> Gateway:
    return gateway(gateway_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}"))


@pytest.fixture
def client(gw: Gateway) -> Iterator[TestClient]:
    with gw.client() as client:
        create_tenant(client, "acme")
        yield client


def test_an_accepted_introduction_is_stored_and_answered_202(
    gw: Gateway, client: TestClient
) -> None:
    body = intrro_event("introduction.accepted", accepted("intro-7"))

    response = client.post(URL, content=body, headers=intrro_headers(body, "msg-1"))

    assert response.status_code == 202
    assert response.json() == {}
    assert inbox_rows(gw.settings) == [("acme", "intrro", "introduction.accepted", "intro-7")]


def test_a_repeated_webhook_id_answers_202_and_is_stored_once(
    gw: Gateway, client: TestClient
) -> None:
    body = intrro_event("introduction.accepted", accepted())

    statuses = [
        client.post(URL, content=body, headers=intrro_headers(body, "msg-dup")).status_code
        for _ in range(3)
    ]

    assert statuses == [202, 202, 202]
    assert len(inbox_rows(gw.settings)) == 1


def test_a_signature_under_another_secret_is_401_and_nothing_is_stored(
    gw: Gateway, client: TestClient
) -> None:
    body = intrro_event("introduction.accepted", accepted())
    other = "whsec_" + "b3RoZXItc2VjcmV0LW9mLWFub3RoZXItdGVuYW50"

    wrong = client.post(URL, content=body, headers=intrro_headers(body, "m1", secret=other))
    unsigned = client.post(URL, content=body, headers={"webhook-id": "m2"})

    assert (wrong.status_code, unsigned.status_code) == (401, 401)
    assert wrong.headers["content-type"] == "application/problem+json"
    assert inbox_rows(gw.settings) == []


@pytest.mark.parametrize("skew", [-310, 310])
def test_a_timestamp_more_than_five_minutes_away_is_401(
    gw: Gateway, client: TestClient, skew: int
) -> None:
    body = intrro_event("introduction.accepted", accepted())

    response = client.post(
        URL, content=body, headers=intrro_headers(body, "m-stale", at=time.time() + skew)
    )

    assert response.status_code == 401
    assert inbox_rows(gw.settings) == []


def test_a_signed_body_that_is_not_json_is_400(gw: Gateway, client: TestClient) -> None:
    body = b"introduction.accepted, please"

    response = client.post(URL, content=body, headers=intrro_headers(body, "m-junk"))

    assert response.status_code == 400
    assert inbox_rows(gw.settings) == []


def test_an_event_breaking_the_schema_is_422_naming_each_bad_field(
    gw: Gateway, client: TestClient
) -> None:
    data = accepted(job_ids=[], referrer={"name": "Grace"})
    data["candidate"]["emails"] = []
    body = intrro_event("introduction.accepted", data)

    response = client.post(URL, content=body, headers=intrro_headers(body, "m-bad"))

    assert response.status_code == 422
    problem = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert problem["status"] == 422
    named = " ".join(problem["errors"])
    for field in ("job_ids", "emails", "referrer"):
        assert field in named
    assert inbox_rows(gw.settings) == []


def test_an_unknown_event_type_is_answered_202_ignored_and_not_stored(
    gw: Gateway, client: TestClient
) -> None:
    body = intrro_event("referrer.promoted", {"introduction_id": "intro-1"})

    response = client.post(URL, content=body, headers=intrro_headers(body, "m-unknown"))

    assert response.status_code == 202
    assert response.json() == {"ignored": True}
    assert inbox_rows(gw.settings) == []


def test_unknown_tenant_is_404_and_oversized_is_413_before_anything_else(
    gw: Gateway, client: TestClient
) -> None:
    small = intrro_event("introduction.accepted", accepted())
    big = json.dumps({"type": "x", "pad": "y" * (1024 * 1024 + 1)}).encode()

    unknown = client.post(
        "/events/intrro/initech", content=small, headers=intrro_headers(small, "a")
    )
    oversized = client.post("/events/intrro/initech", content=big)

    assert (unknown.status_code, oversized.status_code) == (404, 413)
