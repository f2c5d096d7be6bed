"""One Lever Data API call done right: auth, pacing, retries, pagination and error translation.

Lever answers `{"data": …}`, pages with `{"hasNext": bool, "next": "<opaque>"}` (sent back as
`offset`), limits each key to 10 calls a second (bursts of 20) and names no wait on a 429.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import httpx

from intrro_gateway.adapters.backoff import jittered_backoff
from intrro_gateway.adapters.http_limits import bounded_request
from intrro_gateway.adapters.json_limits import loads_bounded
from intrro_gateway.adapters.lever.api._auth import auth_for
from intrro_gateway.adapters.lever.api._settings import LeverSettings
from intrro_gateway.adapters.retry_after import parse_retry_after
from intrro_gateway.ports.ats import (
    AtsAuthError,
    AtsContext,
    AtsError,
    AtsNotFoundError,
    AtsOutcomeUnknownError,
    AtsPermissionError,
    AtsRateLimitedError,
    AtsRejectedError,
    AtsUnavailableError,
)
from intrro_gateway.ports.clock import Clock

Sleep = Callable[[float], Awaitable[None]]
Params = Sequence[tuple[str, str | int]]
_ID_SEGMENT = re.compile(r"^[0-9a-fA-F-]{8,}$|^[a-z]+-[a-z-]+$")
_NEVER_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
)


def endpoint_of(method: str, path: str) -> str:
    """The endpoint a call uses, ids replaced: `POST /opportunities/:id/notes`."""
    parts = [":id" if _ID_SEGMENT.match(p) else p for p in path.strip("/").split("/") if p]
    return f"{method} /" + "/".join(parts)


class LeverHttp:
    """Makes Lever calls for a tenant; translates every failure into the port's errors."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        settings: LeverSettings,
        clock: Clock,
        sleep: Sleep,
        rng: random.Random,
    ) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        if not self._base.endswith("/v1"):
            self._base += "/v1"
        self._settings = settings
        self._clock = clock
        self._sleep = sleep
        self._rng = rng
        self._timeout = httpx.Timeout(settings.timeout, connect=settings.connect_timeout)
        self._next_slot: dict[str, float] = {}
        self._blocked_until: dict[str, float] = {}

    # -- reads ---------------------------------------------------------------------------------

    async def get(self, ctx: AtsContext, path: str, params: Params = ()) -> Any:
        """One GET, retried on 5xx and timeouts; the `data` of the answer."""
        response = await self._call(ctx, "GET", path, params=params, write=False)
        return _data(_json(response))

    async def list_all(
        self, ctx: AtsContext, path: str, params: Params = (), *, sized: bool = True
    ) -> list[Mapping[str, Any]]:
        """Every record of a list, following `next` while `hasNext`; `sized=False` for the lists
        that take no `limit` (sources, tags)."""
        out: list[Mapping[str, Any]] = []
        offset: str | None = None
        seen: set[str] = set()
        for _ in range(self._settings.max_pages):
            query = [*params, *((("limit", self._settings.page_size),) if sized else ())]
            if offset is not None:
                query.append(("offset", offset))
            response = await self._call(ctx, "GET", path, params=query, write=False)
            body = _json(response)
            rows = body.get("data") if isinstance(body, Mapping) else None
            out.extend(r for r in rows or () if isinstance(r, Mapping))
            following = body.get("next") if isinstance(body, Mapping) else None
            if not (isinstance(body, Mapping) and body.get("hasNext") is True):
                return out
            if not isinstance(following, str) or not following or following in seen:
                return out  # a page that promises more without a fresh token would never end
            seen.add(following)
            offset = following
        raise AtsUnavailableError(f"{path}: more than {self._settings.max_pages} pages")

    # -- writes --------------------------------------------------------------------------------

    async def write(
        self,
        ctx: AtsContext,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        params: Params = (),
    ) -> Any:
        """One write, sent once; AtsOutcomeUnknownError when it may or may not have been applied.

        Answers the whole body: a create says `deduped` beside `data`.
        """
        response = await self._call(ctx, method, path, params=params, json=body, write=True)
        return _json(response)

    # -- the call ------------------------------------------------------------------------------

    async def _call(
        self,
        ctx: AtsContext,
        method: str,
        path: str,
        *,
        params: Params = (),
        json: Mapping[str, Any] | None = None,
        write: bool,
    ) -> httpx.Response:
        auth = auth_for(ctx.credentials)
        attempts = rate_limited = 0
        while True:
            await self._pace(ctx)
            try:
                response = await bounded_request(
                    self._http,
                    method,
                    self._base + path,
                    params=list(params),
                    json=json,
                    headers={"Authorization": await auth.header(), "Accept": "application/json"},
                    timeout=self._timeout,
                    deadline_s=self._settings.deadline,
                    max_bytes=self._settings.max_answer_bytes,
                )
            except _NEVER_SENT as exc:
                attempts += 1
                if attempts >= self._settings.read_attempts:
                    raise AtsUnavailableError(f"{method} {path}: {exc!r}") from exc
                await self._sleep(self._backoff(attempts))
                continue
            except httpx.TransportError as exc:
                if write:
                    raise AtsOutcomeUnknownError(f"{method} {path}: {exc!r}") from exc
                attempts += 1
                if attempts >= self._settings.read_attempts:
                    raise AtsUnavailableError(f"{method} {path}: {exc!r}") from exc
                await self._sleep(self._backoff(attempts))
                continue
            status = response.status_code
            if status == 401 and auth.invalidate():
                continue
            if status == 429:
                wait = self._retry_after(response, rate_limited + 1)
                self._blocked_until[ctx.tenant_id] = _now() + wait
                rate_limited += 1
                if rate_limited >= self._settings.rate_limit_attempts:
                    raise AtsRateLimitedError(
                        f"{method} {path}: rate limited", status=429, retry_after=wait
                    )
                continue
            if status >= 500:
                if write:
                    raise AtsOutcomeUnknownError(f"{method} {path}: HTTP {status}", status=status)
                attempts += 1
                if attempts >= self._settings.read_attempts:
                    raise AtsUnavailableError(f"{method} {path}: HTTP {status}", status=status)
                await self._sleep(self._backoff(attempts))
                continue
            if status >= 400:
                raise translate_error(response, method, path)
            if status >= 300:  # redirects are never followed: nothing read, a write's fate unknown
                message = f"{method} {path}: HTTP {status}, a redirect (never followed)"
                if write:
                    raise AtsOutcomeUnknownError(message, status=status)
                raise AtsUnavailableError(message, status=status)
            return response

    async def _pace(self, ctx: AtsContext) -> None:
        """Space one tenant's calls to Lever's steady rate, and wait out a 429."""
        key = ctx.tenant_id
        now = _now()
        slot = max(now, self._next_slot.get(key, 0.0), self._blocked_until.get(key, 0.0))
        self._next_slot[key] = slot + self._settings.min_interval
        if slot > now:
            await self._sleep(slot - now)

    def _retry_after(self, response: httpx.Response, attempt: int) -> float:
        wait = parse_retry_after(response.headers.get("retry-after"), self._clock.now())
        if wait is None:
            wait = self._settings.default_retry_after * 2 ** (attempt - 1)
        return min(max(wait, 0.0), self._settings.retry_after_cap)

    def _backoff(self, attempt: int) -> float:
        return jittered_backoff(
            attempt, base=self._settings.backoff_base, cap=self._settings.backoff_cap, rng=self._rng
        )


def _now() -> float:
    return asyncio.get_running_loop().time()


def translate_error(response: httpx.Response, method: str, path: str) -> AtsError:
    """The port's error for a 4xx answer, with Lever's `code` and `message` when it gives them."""
    status = response.status_code
    body = _json(response)
    detail = f"HTTP {status}"
    if isinstance(body, Mapping):
        parts = [str(body[k]) for k in ("code", "message") if isinstance(body.get(k), str)]
        detail = ": ".join(parts) or detail
    message = f"{method} {path}: {detail}"
    if status == 401:
        return AtsAuthError(message, status=status)
    if status == 403:
        return AtsPermissionError(message, status=status, scope=endpoint_of(method, path))
    if status == 404:
        return AtsNotFoundError(message, status=status)
    return AtsRejectedError(message, status=status, errors=(detail,))


def _data(body: Any) -> Any:
    return body.get("data") if isinstance(body, Mapping) else None


def _json(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return loads_bounded(response.content)
    except ValueError:  # malformed, or nested past the limit
        return None
