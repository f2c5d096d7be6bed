"""One Harvest v3 call done right: token, rate limit, retries, pagination and error translation.

The request loop and its retries are the adapters' shared one (adapters/http_retry.py, on stamina);
Greenhouse's side of it is here: the allowance, the token, the 429's wait and the error's words.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import httpx

from intrro_gateway.adapters.greenhouse.harvest._parsing import (
    cursor_of,
    format_timestamp,
    parse_error_body,
    parse_next_link,
    parse_reset,
)
from intrro_gateway.adapters.greenhouse.harvest._ratelimit import RateLimiter
from intrro_gateway.adapters.greenhouse.harvest._readings import DATE_FILTER_FORMS, unwrap_list
from intrro_gateway.adapters.greenhouse.harvest._settings import HarvestSettings
from intrro_gateway.adapters.greenhouse.harvest._tokens import TokenCache
from intrro_gateway.adapters.http_retry import (
    CallLimits,
    answer_json,
    error_for_status,
    send_with_retries,
)
from intrro_gateway.adapters.retry_after import parse_retry_after
from intrro_gateway.ports.ats import AtsContext, AtsError, AtsRejectedError, AtsUnavailableError
from intrro_gateway.ports.clock import Clock

Params = Mapping[str, str | int]
_RESOURCE = re.compile(r"^/v3/([a-z_]+)(?:/([^/]+))?(?:/([a-z_]+))?")


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
    ) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self._settings = settings
        self.tokens = tokens
        self.limiter = limiter
        self._clock = clock
        self._limits = CallLimits.of(settings)

    # -- reads ---------------------------------------------------------------------------------

    async def get(self, ctx: AtsContext, path: str, params: Params | None = None) -> Any:
        """One GET, retried on 5xx and timeouts; the decoded JSON body."""
        response = await self._call(ctx, "GET", path, params=params, write=False)
        return answer_json(response)

    async def list_all(
        self, ctx: AtsContext, path: str, params: Params | None = None
    ) -> list[Mapping[str, Any]]:
        """Every record of a list, following `Link: rel="next"` with the cursor alone."""
        return [record async for page in self.pages(ctx, path, params) for record in page]

    async def pages(
        self, ctx: AtsContext, path: str, params: Params | None = None
    ) -> AsyncIterator[list[Mapping[str, Any]]]:
        """`list_all` a page at a time, so a caller keeps only what it needs of each."""
        resource = path.rsplit("/", 1)[-1]
        query: Params | None = {**(params or {}), "per_page": self._settings.per_page}
        url = path
        seen: set[str] = set()
        for _ in range(self._settings.max_pages):
            response = await self._call(ctx, "GET", url, params=query, write=False)
            yield [
                r for r in unwrap_list(answer_json(response), resource) if isinstance(r, Mapping)
            ]
            link = parse_next_link(response.headers.get("link"))
            if link is None:
                return
            cursor = cursor_of(link)
            if cursor is not None:
                if cursor in seen:  # a cursor that repeats would never end
                    return
                seen.add(cursor)
                url, query = path, {"cursor": cursor}
            elif link.startswith(self._base + "/"):
                url, query = link[len(self._base) :], None
            else:
                return
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
        return answer_json(response)

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
        return await send_with_retries(
            self._http,
            self,
            ctx,
            method,
            self._base + path,
            path,
            limits=self._limits,
            params=params,
            json=json,
            write=write,
        )

    # -- Greenhouse's side of the shared request loop (adapters/http_retry.py) ------------------

    async def before_send(self, ctx: AtsContext) -> dict[str, str]:
        """Wait for the tenant's allowance (shared by every process when a budget is wired)."""
        await self.limiter.acquire(ctx.tenant_id, priority=ctx.priority)
        token = await self.tokens.get(ctx.credentials)
        return {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    async def answered(self, ctx: AtsContext, response: httpx.Response) -> None:
        """Keep what the `X-RateLimit-*` headers said."""
        headers = {k.lower(): v for k, v in response.headers.items()}
        await self.limiter.record(ctx.tenant_id, headers)

    async def refused(self, ctx: AtsContext, headers: Mapping[str, str]) -> bool:
        """A token revoked or expired early: forget it; a fresh one is worth one try."""
        token = headers["Authorization"].removeprefix("Bearer ")
        await self.tokens.forget(ctx.credentials, token)
        return True

    async def rate_limited(
        self, ctx: AtsContext, response: httpx.Response, seen: int
    ) -> tuple[float, bool]:
        """Hold the tenant's calls (every process's) for the time Greenhouse named; a wait past
        `max_rate_limit_wait` goes back to the caller instead."""
        wait = self._retry_after(response)
        await self.limiter.hold(ctx.tenant_id, wait)
        return wait, wait <= self._settings.max_rate_limit_wait

    def translate(self, response: httpx.Response, method: str, path: str) -> AtsError:
        """The port's error for a 4xx answer, with Greenhouse's message and errors."""
        return translate_error(response, method, path)

    def _retry_after(self, response: httpx.Response) -> float:
        now = self._clock.now()
        wait = parse_retry_after(response.headers.get("retry-after"), now)
        if wait is None:
            reset = parse_reset(response.headers.get("x-ratelimit-reset"), now)
            wait = (reset - now).total_seconds() if reset else self._settings.default_retry_after
        return min(max(wait, 0.0), self._settings.retry_after_cap)


def translate_error(response: httpx.Response, method: str, path: str) -> AtsError:
    """The port's error for a 4xx answer, with Greenhouse's message and errors."""
    status = response.status_code
    detail = parse_error_body(answer_json(response), f"HTTP {status}")
    return error_for_status(
        status,
        f"{method} {path}: {detail.message}",
        scope=scope_for(method, path),
        errors=detail.errors or (detail.message,),
    )
