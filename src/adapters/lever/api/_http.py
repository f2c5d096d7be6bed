"""One Lever Data API call done right: auth, pacing, retries, pagination and error translation.

Lever answers `{"data": …}`, pages with `{"hasNext": bool, "next": "<opaque>"}` (sent back as
`offset`), limits each key to 10 calls a second (bursts of 20) and names no wait on a 429. The
request loop and its retries are the adapters' shared one (adapters/http_retry.py, on stamina).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import httpx

from intrro_gateway.adapters.http_retry import (
    CallLimits,
    answer_json,
    error_for_status,
    send_with_retries,
)
from intrro_gateway.adapters.lever.api._auth import LeverAuth, auth_for
from intrro_gateway.adapters.lever.api._settings import LeverSettings
from intrro_gateway.adapters.retry_after import parse_retry_after
from intrro_gateway.ports.ats import AtsContext, AtsError, AtsUnavailableError
from intrro_gateway.ports.clock import Clock

Sleep = Callable[[float], Awaitable[None]]
Params = Sequence[tuple[str, str | int]]
_ID_SEGMENT = re.compile(r"^[0-9a-fA-F-]{8,}$|^[a-z]+-[a-z-]+$")


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
    ) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        if not self._base.endswith("/v1"):
            self._base += "/v1"
        self._settings = settings
        self._clock = clock
        self._sleep = sleep
        self._limits = CallLimits.of(settings)
        self._next_slot: dict[str, float] = {}
        self._blocked_until: dict[str, float] = {}

    # -- reads ---------------------------------------------------------------------------------

    async def get(self, ctx: AtsContext, path: str, params: Params = ()) -> Any:
        """One GET, retried on 5xx and timeouts; the `data` of the answer."""
        response = await self._call(ctx, "GET", path, params=params, write=False)
        return _data(answer_json(response))

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
            body = answer_json(response)
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
        return answer_json(response)

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
        return await send_with_retries(
            self._http,
            _LeverSide(self, auth_for(ctx.credentials)),
            ctx,
            method,
            self._base + path,
            path,
            limits=self._limits,
            params=list(params),
            json=json,
            write=write,
        )

    async def pace(self, ctx: AtsContext) -> None:
        """Space one tenant's calls to Lever's steady rate, and wait out a 429."""
        key = ctx.tenant_id
        now = _now()
        slot = max(now, self._next_slot.get(key, 0.0), self._blocked_until.get(key, 0.0))
        self._next_slot[key] = slot + self._settings.min_interval
        if slot > now:
            await self._sleep(slot - now)

    def hold(self, ctx: AtsContext, response: httpx.Response, seen: int) -> float:
        """After the `seen`-th 429 of a call: the wait (Lever names none: the default, doubled for
        each 429 met), during which every call of the tenant waits."""
        wait = parse_retry_after(response.headers.get("retry-after"), self._clock.now())
        if wait is None:
            wait = self._settings.default_retry_after * 2 ** (seen - 1)
        wait = min(max(wait, 0.0), self._settings.retry_after_cap)
        self._blocked_until[ctx.tenant_id] = _now() + wait
        return wait


class _LeverSide:
    """Lever's side of the shared request loop (adapters/http_retry.py) for one call."""

    def __init__(self, http: LeverHttp, auth: LeverAuth) -> None:
        self._http = http
        self._auth = auth

    async def before_send(self, ctx: AtsContext) -> dict[str, str]:
        await self._http.pace(ctx)
        return {"Authorization": await self._auth.header(), "Accept": "application/json"}

    async def answered(self, ctx: AtsContext, response: httpx.Response) -> None:
        return None  # Lever's answers say nothing of the allowance: the pacing keeps to it

    async def refused(self, ctx: AtsContext, headers: Mapping[str, str]) -> bool:
        return self._auth.invalidate()

    async def rate_limited(
        self, ctx: AtsContext, response: httpx.Response, seen: int
    ) -> tuple[float, bool]:
        return self._http.hold(ctx, response, seen), True

    def translate(self, response: httpx.Response, method: str, path: str) -> AtsError:
        return translate_error(response, method, path)


def _now() -> float:
    return asyncio.get_running_loop().time()


def translate_error(response: httpx.Response, method: str, path: str) -> AtsError:
    """The port's error for a 4xx answer, with Lever's `code` and `message` when it gives them."""
    status = response.status_code
    body = answer_json(response)
    detail = f"HTTP {status}"
    if isinstance(body, Mapping):
        parts = [str(body[k]) for k in ("code", "message") if isinstance(body.get(k), str)]
        detail = ": ".join(parts) or detail
    return error_for_status(
        status, f"{method} {path}: {detail}", scope=endpoint_of(method, path), errors=(detail,)
    )


def _data(body: Any) -> Any:
    return body.get("data") if isinstance(body, Mapping) else None
