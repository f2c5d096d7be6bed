"""The adapters' shared retries (adapters/http_retry.py, on stamina): each kind of failure has its
own number of tries, a server's wait replaces the back-off, and a write is re-read before it is sent
again. stamina's test mode (tests/conftest.py) makes every wait instant."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

import pytest
from stamina.instrumentation import RetryDetails

from intrro_gateway.adapters.http_retry import (
    RATE_LIMITED,
    TRANSIENT,
    Backoff,
    Retry,
    with_retries,
    write_once,
)
from intrro_gateway.ports.ats import (
    AtsNotFoundError,
    AtsOutcomeUnknownError,
    AtsRateLimitedError,
    AtsUnavailableError,
)

BACKOFF = Backoff(initial=0.5, cap=8.0, jitter=0.5)


async def test_each_kind_of_failure_has_its_own_tries_and_a_server_wait_replaces_the_back_off(
    scheduled_retries: list[RetryDetails],
) -> None:
    failures = [
        Retry(TRANSIENT, AtsUnavailableError("503")),
        Retry(RATE_LIMITED, AtsRateLimitedError("429"), wait=7.0),
        Retry(TRANSIENT, AtsUnavailableError("503")),
        Retry(RATE_LIMITED, AtsRateLimitedError("429"), wait=7.0),
    ]

    async def attempt(met: Mapping[str, int]) -> str:
        if failures:
            raise failures.pop(0)
        return f"after {met[TRANSIENT]} transient and {met[RATE_LIMITED]} rate limited"

    done = await with_retries(
        attempt, name="t", tries={TRANSIENT: 3, RATE_LIMITED: 3}, backoff=BACKOFF
    )

    assert done == "after 2 transient and 2 rate limited"
    waits = [r.caused_by.wait for r in scheduled_retries if isinstance(r.caused_by, Retry)]
    assert waits == [None, 7.0, None, 7.0]


async def test_a_kind_met_as_often_as_it_may_be_raises_its_port_error_with_its_cause() -> None:
    calls = 0

    async def attempt(_: Mapping[str, int]) -> None:
        nonlocal calls
        calls += 1
        try:
            raise OSError("refused")
        except OSError as exc:
            raise Retry(TRANSIENT, AtsUnavailableError("unreachable")) from exc

    with pytest.raises(AtsUnavailableError, match="unreachable") as caught:
        await with_retries(attempt, name="t", tries={TRANSIENT: 4}, backoff=BACKOFF)

    assert calls == 4
    assert isinstance(caught.value.__cause__, OSError)


async def test_anything_but_a_retry_ends_the_call_at_once() -> None:
    calls = 0

    async def attempt(_: Mapping[str, int]) -> None:
        nonlocal calls
        calls += 1
        raise AtsNotFoundError("gone")

    with pytest.raises(AtsNotFoundError):
        await with_retries(attempt, name="t", tries={TRANSIENT: 4}, backoff=BACKOFF)
    assert calls == 1


def _write(
    log: list[str], *, found: str | None = None, reread_fails: bool = False
) -> tuple[Callable[[], Awaitable[str]], Callable[[], Awaitable[str | None]]]:
    """A send whose outcome is always unknown, and a re-read that finds `found` (or fails)."""

    async def send() -> str:
        log.append("send")
        raise AtsOutcomeUnknownError("timed out")

    async def reread() -> str | None:
        log.append("read")
        if reread_fails:
            raise AtsUnavailableError("down")
        return found

    return send, reread


async def test_a_write_of_unknown_outcome_is_re_read_and_not_sent_again_when_found() -> None:
    log: list[str] = []

    assert await write_once("w", *_write(log, found="found"), attempts=2, delay=1.0) == "found"
    assert log == ["send", "read"]


async def test_a_write_still_unknown_after_its_sends_and_re_reads_stays_unknown() -> None:
    log: list[str] = []

    with pytest.raises(AtsOutcomeUnknownError, match="still unknown"):
        await write_once("w", *_write(log), attempts=2, delay=1.0)
    assert log == ["send", "read", "send", "read"]


async def test_a_failed_re_read_leaves_the_outcome_unknown_without_sending_again() -> None:
    log: list[str] = []

    with pytest.raises(AtsOutcomeUnknownError, match="re-read failed: down"):
        await write_once("w", *_write(log, reread_fails=True), attempts=3, delay=0.0)
    assert log == ["send", "read"]
