"""Events go to Intrro signed by Standard Webhooks; each answer maps to done, retry or refused."""

from __future__ import annotations

import ipaddress
import json
from datetime import UTC, datetime

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from intrro_gateway.adapters.intrro import IntrroPlatform
from intrro_gateway.domain.destinations import DestinationPolicy, IpAddress
from intrro_gateway.ports.referral_platform import (
    OutboundMessage,
    PushFailedError,
    PushRefusedError,
    PushTarget,
    ReferralPlatform,
)
from tests.fakes.clock import FakeClock
from tests.integration.intrro._events import SECRET

NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
TARGET = PushTarget(url="https://intrro.example/callbacks/acme", secret=SECRET)
MESSAGE = OutboundMessage(
    message_id="out-42",
    type="application.status_changed",
    timestamp=datetime(2026, 11, 24, 4, 58, tzinfo=UTC),
    data={"introduction_id": "intro-1", "status": "interviewing", "name": "Zoë"},
)


def platform_answering(handler: httpx.MockTransport) -> IntrroPlatform:
    return IntrroPlatform(httpx.AsyncClient(transport=handler), clock=FakeClock(NOW))


def answering(status: int, headers: dict[str, str] | None = None) -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(status, headers=headers))


async def test_the_platform_is_a_referral_platform() -> None:
    port: ReferralPlatform = platform_answering(answering(204))
    await port.push(TARGET, MESSAGE)


async def test_the_envelope_is_posted_signed_so_that_the_library_verifies_it() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    await platform_answering(httpx.MockTransport(handler)).push(TARGET, MESSAGE)
    [request] = seen
    assert request.method == "POST"
    assert str(request.url) == TARGET.url
    assert request.headers["content-type"] == "application/json"
    assert request.headers["webhook-id"] == "out-42"
    assert request.headers["webhook-timestamp"] == str(int(NOW.timestamp()))
    body = request.content
    assert json.loads(body) == {
        "type": "application.status_changed",
        "timestamp": "2026-11-24T04:58:00Z",
        "data": MESSAGE.data,
    }
    # The library checks the timestamp against the real clock, so sign a copy stamped now.
    assert (
        Webhook(SECRET).sign("out-42", NOW, body.decode()) == request.headers["webhook-signature"]
    )


async def test_a_push_signed_now_verifies_with_the_library_verify() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(202)

    platform = IntrroPlatform(httpx.AsyncClient(transport=httpx.MockTransport(handler)))
    await platform.push(TARGET, MESSAGE)
    [request] = seen
    verified = Webhook(SECRET).verify(request.content, dict(request.headers))
    assert verified["data"] == MESSAGE.data


@pytest.mark.parametrize("status", [200, 201, 202, 204])
async def test_any_2xx_is_delivered(status: int) -> None:
    await platform_answering(answering(status)).push(TARGET, MESSAGE)


@pytest.mark.parametrize("status", [400, 404, 410])
async def test_400_404_and_410_are_refused_for_good(status: int) -> None:
    with pytest.raises(PushRefusedError) as caught:
        await platform_answering(answering(status)).push(TARGET, MESSAGE)
    assert caught.value.status == status


@pytest.mark.parametrize("status", [408, 409, 425, 429, 500, 502, 503, 504, 401, 403, 302])
async def test_other_answers_are_failures_worth_retrying(status: int) -> None:
    with pytest.raises(PushFailedError) as caught:
        await platform_answering(answering(status)).push(TARGET, MESSAGE)
    assert caught.value.status == status
    assert caught.value.retry_after is None


async def test_retry_after_in_seconds_is_passed_on() -> None:
    with pytest.raises(PushFailedError) as caught:
        await platform_answering(answering(429, {"Retry-After": "120"})).push(TARGET, MESSAGE)
    assert caught.value.retry_after == 120.0


async def test_retry_after_as_an_http_date_is_measured_from_now() -> None:
    headers = {"Retry-After": "Tue, 24 Nov 2026 05:01:30 GMT"}
    with pytest.raises(PushFailedError) as caught:
        await platform_answering(answering(503, headers)).push(TARGET, MESSAGE)
    assert caught.value.retry_after == 90.0


async def test_a_timeout_is_a_failure() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("no answer", request=request)

    with pytest.raises(PushFailedError) as caught:
        await platform_answering(httpx.MockTransport(handler)).push(TARGET, MESSAGE)
    assert caught.value.status is None


async def test_a_connection_error_is_a_failure() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(PushFailedError):
        await platform_answering(httpx.MockTransport(handler)).push(TARGET, MESSAGE)


async def test_the_timeout_is_set_on_each_request() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    await IntrroPlatform(client, timeout_s=2.5).push(TARGET, MESSAGE)
    assert seen[0].extensions["timeout"] == httpx.Timeout(2.5).as_dict()


@pytest.mark.parametrize("secret", ["whsec_", "whsec_é", ""])
async def test_a_target_secret_that_cannot_sign_fails_without_sending(secret: str) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    platform = platform_answering(httpx.MockTransport(handler))
    with pytest.raises(PushFailedError, match="secret"):
        await platform.push(PushTarget(url=TARGET.url, secret=secret), MESSAGE)
    assert seen == []


# -- where a push may go --------------------------------------------------------------------------


def _production_platform(
    resolved: list[str], allowed: tuple[str, ...] = ()
) -> tuple[IntrroPlatform, list[httpx.Request]]:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(204)

    async def resolve(host: str, port: int) -> list[IpAddress]:
        return [ipaddress.ip_address(a) for a in resolved]

    platform = IntrroPlatform(
        httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        clock=FakeClock(NOW),
        policy=DestinationPolicy.of(enforced=True, allowed_hosts=allowed),
        resolve=resolve,
    )
    return platform, sent


@pytest.mark.parametrize("address", ["127.0.0.1", "169.254.169.254", "10.0.0.8", "::1"])
async def test_in_production_a_name_resolving_to_a_non_public_address_fails_like_a_network_error(
    address: str,
) -> None:
    platform, sent = _production_platform(["93.184.216.34", address])

    with pytest.raises(PushFailedError, match="non-public"):
        await platform.push(TARGET, MESSAGE)
    assert sent == []


@pytest.mark.parametrize(
    "url", ["http://intrro.example/hooks", "https://127.0.0.1/hooks", "https://localhost/x"]
)
async def test_in_production_a_callback_url_saved_before_the_rule_is_judged_again_when_sent(
    url: str,
) -> None:
    platform, sent = _production_platform(["93.184.216.34"])

    with pytest.raises(PushFailedError, match="callback URL"):
        await platform.push(PushTarget(url=url, secret=SECRET), MESSAGE)
    assert sent == []


async def test_in_production_a_public_or_allowed_destination_is_sent_to() -> None:
    public, sent_public = _production_platform(["93.184.216.34"])
    allowed, sent_allowed = _production_platform(["10.0.0.8"], allowed=("intrro.example",))

    await public.push(TARGET, MESSAGE)
    await allowed.push(TARGET, MESSAGE)

    assert len(sent_public) == len(sent_allowed) == 1


@pytest.mark.parametrize("status", [301, 302, 307, 308])
async def test_a_redirect_from_intrro_is_not_followed_and_is_retried(status: int) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, headers={"Location": "http://169.254.169.254/"})

    with pytest.raises(PushFailedError, match=str(status)):
        await platform_answering(httpx.MockTransport(handler)).push(TARGET, MESSAGE)
    assert len(seen) == 1
