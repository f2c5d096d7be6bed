"""One Harvest v3 call done right: token, rate limit, retries, pagination and error translation."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import httpx

from intrro_gateway.adapters.backoff import jittered_backoff
from intrro_gateway.adapters.greenhouse.harvest._parsing import (
    cursor_of,
    format_timestamp,
    parse_error_body,
    parse_next_link,
    parse_reset,
)
from intrro_gateway.adapters.greenhouse.harvest._ratelimit import RateLimiter, Sleep
from intrro_gateway.adapters.greenhouse.harvest._readings import DATE_FILTER_FORMS, unwrap_list
from intrro_gateway.adapters.greenhouse.harvest._settings import HarvestSettings
from intrro_gateway.adapters.greenhouse.harvest._tokens import TokenCache
from intrro_gateway.adapters.http_limits import bounded_request
from intrro_gateway.adapters.json_limits import loads_bounded
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

Params = Mapping[str, str | int]
_RESOURCE = re.compile(r"^/v3/([a-z_]+)(?:/([^/]+))?(?:/([a-z_]+))?")
_NEVER_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
)


def scope_for(method: str, path: str) -> str | None:
    """The v3 scope a call needs: `harvest:<resource>:<list|create|update|destroy|action>`."""
    match = _RESOURCE.match(path)
    if match is None:
        return None
    resource, ident, action = match.groups()
    if action:
        return f"harvest:{resource}:{action}"
    verb = {"GET": "list", "POST": "create", "PATCH": "update", "PUT": "update"}.get(method)
    verb = "destroy" if method == "DELETE" else verb
    if ident and method == "GET":
        verb = "list"
    return f"harvest:{resource}:{verb}" if verb else None


class HarvestHttp:
    """Makes Harvest v3 calls for a tenant; translates every failure into the port's errors."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        settings: HarvestSettings,
        tokens: TokenCache,
        limiter: RateLimiter,
        clock: Clock,
        sleep: Sleep,
        rng: random.Random,
    ) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self._settings = settings
        self.tokens = tokens
        self.limiter = limiter
        self._clock = clock
        self._sleep = sleep
        self._rng = rng
        self._timeout = httpx.Timeout(settings.timeout, connect=settings.connect_timeout)

    # -- reads ---------------------------------------------------------------------------------

    async def get(self, ctx: AtsContext, path: str, params: Params | None = None) -> Any:
        """One GET, retried on 5xx and timeouts; the decoded JSON body."""
        response = await self._call(ctx, "GET", path, params=params, write=False)
        return _json(response)

    async def list_all(
        self, ctx: AtsContext, path: str, params: Params | None = None
    ) -> list[Mapping[str, Any]]:
        """Every record of a list, following `Link: rel="next"` with the cursor alone."""
        resource = path.rsplit("/", 1)[-1]
        query: Params | None = {**(params or {}), "per_page": self._settings.per_page}
        url = path
        seen: set[str] = set()
        out: list[Mapping[str, Any]] = []
        for _ in range(self._settings.max_pages):
            response = await self._call(ctx, "GET", url, params=query, write=False)
            out.extend(r for r in unwrap_list(_json(response), resource) if isinstance(r, Mapping))
            link = parse_next_link(response.headers.get("link"))
            if link is None:
                return out
            cursor = cursor_of(link)
            if cursor is not None:
                if cursor in seen:  # a cursor that repeats would never end
                    return out
                seen.add(cursor)
                url, query = path, {"cursor": cursor}
            elif link.startswith(self._base + "/"):
                url, query = link[len(self._base) :], None
            else:
                return out
        raise AtsUnavailableError(f"{path}: more than {self._settings.max_pages} pages")

    async def list_by_ids(
        self,
        ctx: AtsContext,
        path: str,
        key: str,
        ids: Sequence[str],
        params: Params | None = None,
    ) -> list[Mapping[str, Any]]:
        """A list filtered by `key=<ids>`, in chunks of at most 50 ids."""
        unique = list(dict.fromkeys(ids))
        out: list[Mapping[str, Any]] = []
        size = self._settings.ids_chunk
        for start in range(0, len(unique), size):
            chunk = ",".join(unique[start : start + size])
            out.extend(await self.list_all(ctx, path, {**(params or {}), key: chunk}))
        return out

    async def list_since(
        self,
        ctx: AtsContext,
        path: str,
        field: str,
        since: datetime,
        params: Params | None = None,
    ) -> list[Mapping[str, Any]]:
        """A list filtered by `field >= since`: the documented pipe form, else the bracket form."""
        stamp = format_timestamp(since)
        failure: AtsRejectedError | None = None
        for form in DATE_FILTER_FORMS:
            dated = {field: f"gte|{stamp}"} if form == "pipe" else {f"{field}[gte]": stamp}
            try:
                return await self.list_all(ctx, path, {**(params or {}), **dated})
            except AtsRejectedError as exc:
                failure = exc
        raise failure or AtsRejectedError(f"{path}: no date filter form accepted")

    # -- writes --------------------------------------------------------------------------------

    async def write(
        self, ctx: AtsContext, method: str, path: str, body: Mapping[str, Any] | None = None
    ) -> Any:
        """One write, sent once; AtsOutcomeUnknownError when it may or may not have been applied."""
        response = await self._call(ctx, method, path, json=body, write=True)
        return _json(response)

    # -- the call ------------------------------------------------------------------------------

    async def _call(
        self,
        ctx: AtsContext,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: Mapping[str, Any] | None = None,
        write: bool,
    ) -> httpx.Response:
        attempts = rate_limited = 0
        refreshed = False
        while True:
            await self.limiter.acquire(ctx.tenant_id, priority=ctx.priority)
            token = await self.tokens.get(ctx.credentials)
            try:
                response = await bounded_request(
                    self._http,
                    method,
                    self._base + path,
                    params=params,
                    json=json,
                    headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
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
            headers = {k.lower(): v for k, v in response.headers.items()}
            await self.limiter.record(ctx.tenant_id, headers)
            status = response.status_code
            if status == 401 and not refreshed:
                # A token revoked or expired early: one fresh token, one retry.
                await self.tokens.forget(ctx.credentials, token)
                refreshed = True
                continue
            if status == 429:
                wait = self._retry_after(response)
                await self.limiter.hold(ctx.tenant_id, wait)
                rate_limited += 1
                if (
                    rate_limited >= self._settings.rate_limit_attempts
                    or wait > self._settings.max_rate_limit_wait
                ):
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
            if status >= 300:
                raise redirect_error(method, path, status, write=write)
            return response

    def _retry_after(self, response: httpx.Response) -> float:
        now = self._clock.now()
        wait = parse_retry_after(response.headers.get("retry-after"), now)
        if wait is None:
            reset = parse_reset(response.headers.get("x-ratelimit-reset"), now)
            wait = (reset - now).total_seconds() if reset else self._settings.default_retry_after
        return min(max(wait, 0.0), self._settings.retry_after_cap)

    def _backoff(self, attempt: int) -> float:
        return jittered_backoff(
            attempt, base=self._settings.backoff_base, cap=self._settings.backoff_cap, rng=self._rng
        )


def redirect_error(method: str, path: str, status: int, *, write: bool) -> AtsError:
    """A 3xx answer: redirects are never followed, so nothing was read, and a write may or may not
    have been applied (a proxy or a moved host answered); never taken as success."""
    message = f"{method} {path}: HTTP {status}, a redirect (never followed)"
    if write:
        return AtsOutcomeUnknownError(message, status=status)
    return AtsUnavailableError(message, status=status)


def translate_error(response: httpx.Response, method: str, path: str) -> AtsError:
    """The port's error for a 4xx answer, with Greenhouse's message and errors."""
    status = response.status_code
    detail = parse_error_body(_json(response), f"HTTP {status}")
    message = f"{method} {path}: {detail.message}"
    if status == 401:
        return AtsAuthError(message, status=status)
    if status == 403:
        return AtsPermissionError(message, status=status, scope=scope_for(method, path))
    if status == 404:
        return AtsNotFoundError(message, status=status)
    return AtsRejectedError(message, status=status, errors=detail.errors or (detail.message,))


def _json(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return loads_bounded(response.content)
    except ValueError:  # malformed, or nested past the limit
        return None
