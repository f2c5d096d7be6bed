"""Harvest answering 3xx: never followed, never taken as success (a write answered 302 is not done)."""

from __future__ import annotations

import httpx
import pytest

from intrro_gateway.ports.ats import AtsError, AtsUnavailableError, NewApplication
from tests.integration.greenhouse.harvest_support import context, make_client, new_fake

MOVED = {"Location": "http://169.254.169.254/latest/meta-data"}


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_a_write_answered_with_a_redirect_is_an_error_not_a_success(status: int) -> None:
    fake = new_fake()
    job = fake.add("jobs", name="Engineer", status="open")
    candidate = fake.add("candidates", first_name="Ada", email_addresses=[])

    def moved(request: httpx.Request) -> httpx.Response | None:
        if request.method == "POST" and request.url.path == "/v3/applications":
            return httpx.Response(status, headers=MOVED)
        return None

    fake.before.append(moved)

    with pytest.raises(AtsError):
        await make_client(fake).add_application(
            context(), str(candidate["id"]), NewApplication(job_id=str(job["id"]))
        )
    assert fake.tables.get("applications", []) == []
    assert all("169.254" not in str(r.url) for r in fake.requests)


async def test_a_read_answered_with_a_redirect_is_unavailable() -> None:
    fake = new_fake()
    fake.before.append(
        lambda request: (
            httpx.Response(302, headers=MOVED) if request.url.path.startswith("/v3/") else None
        )
    )

    with pytest.raises(AtsUnavailableError, match="redirect"):
        await make_client(fake).list_sources(context())


async def test_the_token_endpoint_answering_a_redirect_gives_no_token() -> None:
    fake = new_fake()
    fake.before.append(lambda request: httpx.Response(302, headers=MOVED))

    with pytest.raises(AtsUnavailableError, match="302"):
        await make_client(fake).list_sources(context())
