"""The Harvest client's transport: tokens, 401s, 429s, 5xx, timeouts, rate limits, error envelopes."""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime

import httpx
import pytest
from stamina.instrumentation import RetryDetails

from intrro_gateway.adapters.greenhouse.harvest import HarvestSettings
from intrro_gateway.adapters.greenhouse.harvest._http import scope_for
from intrro_gateway.adapters.http_retry import Retry
from intrro_gateway.ports.ats import (
    AtsAuthError,
    AtsNotFoundError,
    AtsPermissionError,
    AtsRateLimitedError,
    AtsRejectedError,
    AtsUnavailableError,
)
from tests.integration.greenhouse.harvest_fake import FakeHarvest
from tests.integration.greenhouse.harvest_support import context, make_client, new_fake


def _seed_sources(fake: FakeHarvest) -> None:
    fake.add("sources", name="Intrro", type={"id": 1, "name": "Prospecting"})


def _fail_first(fake: FakeHarvest, path: str, answers: list[httpx.Response | Exception]) -> None:
    """Answer the first requests to `path` with these responses (or raise these errors)."""

    def hook(request: httpx.Request) -> httpx.Response | None:
        if request.url.path != path or not answers:
            return None
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    fake.before.append(hook)


def _retry_after_forms(fake: FakeHarvest) -> dict[str, str]:
    at = fake.clock.now() + timedelta(seconds=7)
    return {
        "seconds": "7",
        "epoch": str(int(at.timestamp())),
        "http-date": format_datetime(at, usegmt=True),
    }


@pytest.mark.parametrize("form", ["seconds", "epoch", "http-date"])
async def test_a_429_is_waited_out_for_the_time_its_retry_after_names_in_each_form(
    form: str,
) -> None:
    fake = new_fake()
    _seed_sources(fake)
    value = _retry_after_forms(fake)[form]
    _fail_first(fake, "/v3/sources", [httpx.Response(429, headers={"Retry-After": value})])
    client = make_client(fake)

    sources = await client.list_sources(context())

    assert [s.name for s in sources] == ["Intrro"]
    assert sum(fake.clock.slept) == pytest.approx(7, abs=1)
    assert len(fake.api_requests("GET", "/v3/sources")) == 2


async def test_a_429_without_retry_after_waits_for_the_rate_limit_reset() -> None:
    fake = new_fake()
    _seed_sources(fake)
    reset = str(int((fake.clock.now() + timedelta(seconds=12)).timestamp()))
    _fail_first(fake, "/v3/sources", [httpx.Response(429, headers={"X-RateLimit-Reset": reset})])

    await make_client(fake).list_sources(context())

    assert sum(fake.clock.slept) == pytest.approx(12, abs=1)


async def test_a_429_asking_for_longer_than_the_client_waits_becomes_a_rate_limited_error() -> None:
    fake = new_fake()
    _fail_first(fake, "/v3/sources", [httpx.Response(429, headers={"Retry-After": "3600"})])

    with pytest.raises(AtsRateLimitedError) as caught:
        await make_client(fake).list_sources(context())

    assert caught.value.retry_after == 120.0  # capped
    assert caught.value.status == 429


async def test_a_retry_after_of_garbage_falls_back_to_the_default_window() -> None:
    fake = new_fake()
    _seed_sources(fake)
    _fail_first(fake, "/v3/sources", [httpx.Response(429, headers={"Retry-After": "soon"})])
    settings = HarvestSettings(default_retry_after=30.0)

    await make_client(fake, settings).list_sources(context())

    assert sum(fake.clock.slept) == pytest.approx(30, abs=1)


async def test_a_read_is_retried_after_a_5xx_and_then_succeeds() -> None:
    fake = new_fake()
    _seed_sources(fake)
    _fail_first(
        fake, "/v3/sources", [httpx.Response(502), httpx.Response(500, json={"message": "oops"})]
    )

    sources = await make_client(fake).list_sources(context())

    assert len(sources) == 1
    assert len(fake.api_requests("GET", "/v3/sources")) == 3


async def test_a_read_is_retried_after_a_timeout() -> None:
    fake = new_fake()
    _seed_sources(fake)
    request = httpx.Request("GET", "https://harvest.test/v3/sources")
    _fail_first(fake, "/v3/sources", [httpx.ReadTimeout("slow", request=request)])

    assert len(await make_client(fake).list_sources(context())) == 1


async def test_a_read_that_keeps_failing_becomes_an_unavailable_error_with_its_status() -> None:
    fake = new_fake()
    _fail_first(fake, "/v3/sources", [httpx.Response(503) for _ in range(10)])

    with pytest.raises(AtsUnavailableError) as caught:
        await make_client(fake, HarvestSettings(read_attempts=3)).list_sources(context())

    assert caught.value.status == 503
    assert len(fake.api_requests("GET", "/v3/sources")) == 3


async def test_tokens_are_cached_per_credential_and_acting_user() -> None:
    fake = new_fake()
    _seed_sources(fake)
    client = make_client(fake)

    await client.list_sources(context("42"))
    await client.list_sources(context("42"))
    await client.list_sources(context("43"))
    await client.list_sources(context(None))

    token_forms = [r.content.decode() for r in fake.requests if r.url.path == "/token"]
    assert token_forms == [
        "grant_type=client_credentials&sub=42",
        "grant_type=client_credentials&sub=43",
        "grant_type=client_credentials",
    ]


async def test_a_token_expiring_mid_run_is_replaced_before_it_expires() -> None:
    fake = new_fake()
    _seed_sources(fake)
    client = make_client(fake)
    await client.list_sources(context())

    fake.clock.current += timedelta(minutes=59, seconds=30)  # inside the refresh margin
    await client.list_sources(context())

    assert client.tokens.minted == 2
    assert len(fake.api_requests(path="/v3/sources")) == 2  # no 401 on the way


async def test_a_token_the_server_revoked_is_replaced_once_on_a_401() -> None:
    fake = new_fake()
    _seed_sources(fake)
    client = make_client(fake)
    await client.list_sources(context())
    fake.tokens.clear()  # expired or revoked on Greenhouse's side

    assert len(await client.list_sources(context())) == 1
    assert client.tokens.minted == 2


async def test_a_second_401_is_an_auth_error() -> None:
    fake = new_fake()
    _fail_first(fake, "/v3/sources", [httpx.Response(401), httpx.Response(401)])

    with pytest.raises(AtsAuthError):
        await make_client(fake).list_sources(context())


async def test_expires_in_is_accepted_when_expires_at_is_absent() -> None:
    fake = new_fake()
    _seed_sources(fake)
    fake.token_answer = lambda now: {"expires_in": 600}
    client = make_client(fake)
    await client.list_sources(context())

    fake.clock.current += timedelta(minutes=5)
    await client.list_sources(context())
    assert client.tokens.minted == 1
    fake.clock.current += timedelta(minutes=4, seconds=30)
    await client.list_sources(context())
    assert client.tokens.minted == 2


async def test_a_refused_credential_is_an_auth_error() -> None:
    fake = new_fake()
    _fail_first(fake, "/token", [httpx.Response(401, json={"error": "invalid_client"})])

    with pytest.raises(AtsAuthError, match="invalid_client"):
        await make_client(fake).verify_credentials(context())


async def test_verify_credentials_mints_a_fresh_token_even_when_one_is_cached() -> None:
    fake = new_fake()
    client = make_client(fake)
    await client.verify_credentials(context())
    await client.verify_credentials(context())

    assert client.tokens.minted == 2


async def test_a_403_is_a_permission_error_naming_the_scope() -> None:
    fake = new_fake()
    fake.scopes = fake.scopes - {"harvest:sources:list"}

    with pytest.raises(AtsPermissionError) as caught:
        await make_client(fake).list_sources(context())

    assert caught.value.scope == "harvest:sources:list"
    assert caught.value.status == 403


async def test_a_404_is_a_not_found_error() -> None:
    fake = new_fake()
    _fail_first(fake, "/v3/sources", [httpx.Response(404, json={"message": "Resource not found"})])

    with pytest.raises(AtsNotFoundError, match="Resource not found"):
        await make_client(fake).list_sources(context())


@pytest.mark.parametrize(
    ("body", "message", "errors"),
    [
        (
            {
                "message": "Validation error",
                "errors": [{"message": "is missing", "field": "job_id"}],
            },
            "Validation error",
            ("job_id: is missing",),
        ),
        (
            {"message": "Validation error", "errors": ["Job is closed"]},
            "Validation error",
            ("Job is closed",),
        ),
        (
            {"errors": ["Invalid query params: x"]},
            "Invalid query params: x",
            ("Invalid query params: x",),
        ),
        ({"message": "Unprocessable"}, "Unprocessable", ("Unprocessable",)),
    ],
)
async def test_a_422_in_either_envelope_is_a_rejected_error_with_greenhouses_words(
    body: object, message: str, errors: tuple[str, ...]
) -> None:
    fake = new_fake()
    _fail_first(fake, "/v3/sources", [httpx.Response(422, json=body)])

    with pytest.raises(AtsRejectedError) as caught:
        await make_client(fake).list_sources(context())

    assert message in caught.value.message
    assert caught.value.errors == errors
    assert caught.value.status == 422


async def test_rate_limit_headers_are_remembered_per_tenant() -> None:
    fake = new_fake()
    _seed_sources(fake)
    reset = str(int((fake.clock.now() + timedelta(seconds=30)).timestamp()))
    fake.rate_headers = lambda: {
        "X-RateLimit-Limit": "150",
        "X-RateLimit-Remaining": "149",
        "X-RateLimit-Reset": reset,
    }
    client = make_client(fake)

    await client.list_sources(context(tenant="acme"))

    window = client.rate_limiter.window("acme")
    assert (window.limit, window.remaining) == (150, 149)
    assert client.rate_limiter.window("other").remaining is None


async def test_background_reads_wait_for_the_window_when_only_the_reserve_is_left() -> None:
    fake = new_fake()
    _seed_sources(fake)
    reset = str(int((fake.clock.now() + timedelta(seconds=25)).timestamp()))
    fake.rate_headers = lambda: {
        "X-RateLimit-Limit": "10",
        "X-RateLimit-Remaining": "1",
        "X-RateLimit-Reset": reset,
    }
    client = make_client(fake)
    await client.list_sources(context())
    slept_before = sum(fake.clock.slept)

    await client.list_sources(context(priority=True))  # a person waits: uses the reserve
    assert sum(fake.clock.slept) == slept_before

    await client.list_sources(context())  # background: waits for the window to reset
    assert sum(fake.clock.slept) == pytest.approx(slept_before + 25, abs=1)


async def test_every_call_carries_a_timeout() -> None:
    fake = new_fake()
    _seed_sources(fake)
    await make_client(fake, HarvestSettings(timeout=9.0)).list_sources(context())

    for request in fake.requests:
        assert request.extensions["timeout"]["read"] == 9.0


async def test_a_rate_limited_token_endpoint_is_waited_out(
    scheduled_retries: list[RetryDetails],
) -> None:
    fake = new_fake()
    _seed_sources(fake)
    _fail_first(fake, "/token", [httpx.Response(429, headers={"Retry-After": "5"})])

    assert len(await make_client(fake).list_sources(context())) == 1
    # stamina waits the 5 seconds named (no time in its test mode), in place of its back-off
    assert [(r.name, _wait(r)) for r in scheduled_retries] == [("greenhouse token", 5.0)]
    assert len([r for r in fake.requests if r.url.path == "/token"]) == 2


async def test_a_token_endpoint_asking_for_longer_than_the_client_waits_is_not_waited_out(
    scheduled_retries: list[RetryDetails],
) -> None:
    fake = new_fake()
    _fail_first(fake, "/token", [httpx.Response(429, headers={"Retry-After": "90"})])

    with pytest.raises(AtsRateLimitedError):
        await make_client(fake).list_sources(context())
    assert scheduled_retries == []


async def test_a_failing_token_endpoint_is_tried_as_often_as_reads_are_with_the_back_off(
    scheduled_retries: list[RetryDetails],
) -> None:
    fake = new_fake()
    _fail_first(fake, "/token", [httpx.Response(503) for _ in range(10)])

    with pytest.raises(AtsUnavailableError) as caught:
        await make_client(fake, HarvestSettings(read_attempts=3)).list_sources(context())

    assert caught.value.status == 503
    assert [_wait(r) for r in scheduled_retries] == [None, None]  # the jittered back-off


def _wait(retry: RetryDetails) -> float | None:
    assert isinstance(retry.caused_by, Retry)
    return retry.caused_by.wait


async def test_a_write_that_never_left_is_sent_again_without_a_re_read() -> None:
    fake = new_fake()
    request = httpx.Request("POST", "https://harvest.test/v3/notes")
    _fail_first(fake, "/v3/notes", [httpx.ConnectError("refused", request=request)])

    await make_client(fake).add_note(context(), "7", None, "hello")

    assert len(fake.tables["notes"]) == 1
    assert fake.api_requests("GET") == []  # nothing had to be re-read


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("GET", "/v3/jobs", "harvest:jobs:list"),
        ("POST", "/v3/candidates", "harvest:candidates:create"),
        ("PATCH", "/v3/candidates/12", "harvest:candidates:update"),
        ("POST", "/v3/applications/12/move", "harvest:applications:move"),
        ("DELETE", "/v3/applications/12", "harvest:applications:destroy"),
        ("GET", "/v3/rejection_reasons/3", "harvest:rejection_reasons:list"),
        ("GET", "/token", None),
    ],
)
def test_the_scope_a_call_needs_is_named_by_its_method_and_path(
    method: str, path: str, scope: str | None
) -> None:
    assert scope_for(method, path) == scope
