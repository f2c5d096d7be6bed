"""The adapters' one way to retry an HTTP call, on stamina, and the one request loop of the ATS clients.

stamina gives the jittered exponential back-off, the attempt count and a test mode that makes every
wait instant (`stamina.set_testing`). An attempt raises `Retry` when it failed in a way worth another
try: the kind of failure (each kind has its own number of tries), the port error to raise when no try
is left, and the wait the server named (`Retry-After`, read by `adapters/retry_after.py`), which then
replaces the back-off (stamina's backoff hook). Anything else an attempt raises ends the call at once.

`send_with_retries` is what the Harvest and Lever clients share: which answers are tried again (a
request that never left, always; a timeout or a 5xx, for reads only, since a write may have been
applied), one fresh credential after a 401, a 429 waited out through the ATS's own pacing, and the
port's error for every other answer. Each client keeps its policy: pacing, credentials, waits, words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol, TypeVar

import httpx
import stamina

from intrro_gateway.adapters.http_limits import bounded_request
from intrro_gateway.adapters.json_limits import loads_bounded
from intrro_gateway.ports.ats import (
    AtsAuthError,
    AtsContext,
    AtsError,
    AtsIncompleteWriteError,
    AtsNotFoundError,
    AtsOutcomeUnknownError,
    AtsPermissionError,
    AtsRateLimitedError,
    AtsRejectedError,
    AtsUnavailableError,
)

T = TypeVar("T")

TRANSIENT: Final = "transient"  # the request never left, timed out, or met a 5xx
RATE_LIMITED: Final = "rate limited"  # a 429
REFRESH: Final = "refresh"  # a 401: one fresh credential
# Errors before anything was sent: safe to send again, even a write.
NEVER_SENT: Final = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
)


class Retry(Exception):
    """An attempt failed in a way worth another try; `error` is raised when no try is left."""

    def __init__(self, kind: str, error: Exception, *, wait: float | None = None) -> None:
        super().__init__(kind, error)
        self.kind = kind
        self.error = error
        self.wait = wait

    def __repr__(self) -> str:  # what stamina's retry log says: the kind and the port error
        return f"Retry({self.kind!r}, {self.error!r})"


@dataclass(frozen=True, slots=True)
class Backoff:
    """stamina's back-off: `min(cap, initial * exp_base ** (n - 1) + uniform(0, jitter))`."""

    initial: float
    cap: float
    jitter: float
    exp_base: float = 2.0


async def with_retries(
    attempt: Callable[[Mapping[str, int]], Awaitable[T]],
    *,
    name: str,
    tries: Mapping[str, int],
    backoff: Backoff,
) -> T:
    """Await `attempt` until it returns, raises something other than `Retry`, or a kind of `Retry`
    has been met `tries[kind]` times (then its error is raised). `attempt` is given the count of
    failures met so far by kind."""
    met: Counter[str] = Counter()

    def backoff_hook(exc: BaseException) -> bool | float:
        if not isinstance(exc, Retry):
            return False
        met[exc.kind] += 1
        if met[exc.kind] >= tries.get(exc.kind, 1):
            return False
        return True if exc.wait is None else max(exc.wait, 0.0)

    try:
        async for each in stamina.retry_context(
            on=backoff_hook,
            attempts=max(sum(tries.values()), 1),  # the hook stops each kind sooner
            timeout=None,  # every request has its own deadline
            wait_initial=backoff.initial,
            wait_max=backoff.cap,
            wait_jitter=backoff.jitter,
            wait_exp_base=backoff.exp_base,
            name=name,
        ):
            with each:
                return await attempt(met)
    except Retry as last:
        raise last.error from last.__cause__
    raise AssertionError("unreachable")  # pragma: no cover


async def write_once(
    what: str,
    send: Callable[[], Awaitable[T]],
    reread: Callable[[], Awaitable[T | None]],
    *,
    attempts: int,
    delay: float,
) -> T:
    """Send a write; when its outcome is unknown, wait `delay` (jittered), re-read, and send again
    only if the re-read finds nothing; at most `attempts` sends, each followed by a re-read."""

    async def attempt(met: Mapping[str, int]) -> T:
        if met[TRANSIENT]:  # the last send's outcome is unknown: look before sending again
            try:
                found = await reread()
            except AtsIncompleteWriteError:
                raise  # the write is found applied: its ids travel with the error
            except AtsError as exc:
                raise AtsOutcomeUnknownError(
                    f"{what}: outcome unknown and the re-read failed: {exc.message}"
                ) from exc
            if found is not None:
                return found
        if met[TRANSIENT] >= attempts:
            raise AtsOutcomeUnknownError(f"{what}: outcome still unknown")
        try:
            return await send()
        except AtsOutcomeUnknownError as exc:
            raise Retry(TRANSIENT, exc) from exc

    return await with_retries(
        attempt,
        name=what,
        tries={TRANSIENT: attempts + 1},
        backoff=Backoff(initial=delay, cap=delay * 1.5, jitter=delay / 2, exp_base=1.0),
    )


class AtsHttpSide(Protocol):
    """What one ATS decides in `send_with_retries`: pacing, credentials, waits and words."""

    async def before_send(self, ctx: AtsContext) -> dict[str, str]:
        """Wait for the tenant's allowance; the attempt's headers (its credential)."""
        ...

    async def answered(self, ctx: AtsContext, response: httpx.Response) -> None:
        """What an answer said about the allowance."""
        ...

    async def refused(self, ctx: AtsContext, headers: Mapping[str, str]) -> bool:
        """A 401: forget the credential sent; True when a fresh one is worth a try."""
        ...

    async def rate_limited(
        self, ctx: AtsContext, response: httpx.Response, seen: int
    ) -> tuple[float, bool]:
        """The `seen`-th 429 of a call: hold the tenant's calls; the wait, and whether to wait."""
        ...

    def translate(self, response: httpx.Response, method: str, path: str) -> AtsError:
        """The port's error for a 4xx answer, in the ATS's words."""
        ...


class ClientSettings(Protocol):
    """The settings every ATS client has (HarvestSettings, LeverSettings), in seconds."""

    @property
    def timeout(self) -> float: ...
    @property
    def connect_timeout(self) -> float: ...
    @property
    def deadline(self) -> float: ...
    @property
    def max_answer_bytes(self) -> int: ...
    @property
    def read_attempts(self) -> int: ...
    @property
    def rate_limit_attempts(self) -> int: ...
    @property
    def backoff_base(self) -> float: ...
    @property
    def backoff_cap(self) -> float: ...
    @property
    def backoff_jitter(self) -> float: ...


def backoff_of(settings: ClientSettings) -> Backoff:
    """The jittered back-off between retries of a read."""
    return Backoff(settings.backoff_base, settings.backoff_cap, settings.backoff_jitter)


@dataclass(frozen=True, slots=True)
class CallLimits:
    """How patient one client is with one call."""

    attempts: int  # a read is tried this often on 5xx and timeouts
    rate_limit_attempts: int  # 429s waited out before AtsRateLimitedError
    backoff: Backoff
    timeout: httpx.Timeout
    deadline: float
    max_bytes: int

    @classmethod
    def of(cls, settings: ClientSettings) -> CallLimits:
        """The limits a client's settings give."""
        return cls(
            attempts=settings.read_attempts,
            rate_limit_attempts=settings.rate_limit_attempts,
            backoff=backoff_of(settings),
            timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
            deadline=settings.deadline,
            max_bytes=settings.max_answer_bytes,
        )


async def send_with_retries(
    http: httpx.AsyncClient,
    side: AtsHttpSide,
    ctx: AtsContext,
    method: str,
    url: str,
    path: str,
    *,
    limits: CallLimits,
    params: Mapping[str, str | int] | Sequence[tuple[str, str | int]] | None = None,
    json: Mapping[str, Any] | None = None,
    write: bool,
) -> httpx.Response:
    """One ATS call with its retries; every failure ends as the port's error."""
    what = f"{method} {path}"

    async def attempt(met: Mapping[str, int]) -> httpx.Response:
        headers = await side.before_send(ctx)
        try:
            response = await bounded_request(
                http,
                method,
                url,
                params=params,
                json=json,
                headers=headers,
                timeout=limits.timeout,
                deadline_s=limits.deadline,
                max_bytes=limits.max_bytes,
            )
        except NEVER_SENT as exc:
            raise Retry(TRANSIENT, AtsUnavailableError(f"{what}: {exc!r}")) from exc
        except httpx.TransportError as exc:
            if write:
                raise AtsOutcomeUnknownError(f"{what}: {exc!r}") from exc
            raise Retry(TRANSIENT, AtsUnavailableError(f"{what}: {exc!r}")) from exc
        await side.answered(ctx, response)
        status = response.status_code
        if status == 401 and not met[REFRESH] and await side.refused(ctx, headers):
            raise Retry(REFRESH, side.translate(response, method, path), wait=0.0)
        if status == 429:
            wait, waiting = await side.rate_limited(ctx, response, met[RATE_LIMITED] + 1)
            error = AtsRateLimitedError(f"{what}: rate limited", status=429, retry_after=wait)
            if not waiting:
                raise error
            raise Retry(RATE_LIMITED, error, wait=0.0)  # the ATS's pacing waits, not the back-off
        if status >= 500:
            if write:
                raise AtsOutcomeUnknownError(f"{what}: HTTP {status}", status=status)
            raise Retry(TRANSIENT, AtsUnavailableError(f"{what}: HTTP {status}", status=status))
        if status >= 400:
            raise side.translate(response, method, path)
        if status >= 300:
            raise redirect_error(what, status, write=write)
        return response

    return await with_retries(
        attempt,
        name=f"{ctx.ats} {method}",
        tries={
            TRANSIENT: limits.attempts,
            RATE_LIMITED: limits.rate_limit_attempts,
            REFRESH: 2,
        },
        backoff=limits.backoff,
    )


def redirect_error(what: str, status: int, *, write: bool) -> AtsError:
    """A 3xx answer: redirects are never followed, so nothing was read, and a write may or may not
    have been applied (a proxy or a moved host answered); never taken as success."""
    message = f"{what}: HTTP {status}, a redirect (never followed)"
    if write:
        return AtsOutcomeUnknownError(message, status=status)
    return AtsUnavailableError(message, status=status)


def error_for_status(
    status: int, message: str, *, scope: str | None, errors: tuple[str, ...]
) -> AtsError:
    """The port's error for a 4xx answer: 401, 403 (naming the scope), 404, or a rejection."""
    if status == 401:
        return AtsAuthError(message, status=status)
    if status == 403:
        return AtsPermissionError(message, status=status, scope=scope)
    if status == 404:
        return AtsNotFoundError(message, status=status)
    return AtsRejectedError(message, status=status, errors=errors)


def answer_json(response: httpx.Response) -> Any:
    """The decoded body; None when empty, malformed or nested past the limit."""
    if not response.content:
        return None
    try:
        return loads_bounded(response.content)
    except ValueError:
        return None
