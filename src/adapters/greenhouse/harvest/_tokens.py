"""OAuth 2.0 client-credentials tokens, one per credential and acting user, cached until near expiry."""

from __future__ import annotations

import asyncio
import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import structlog

from intrro_gateway.adapters.greenhouse.harvest import _fields as f
from intrro_gateway.adapters.greenhouse.harvest._parsing import (
    parse_error_body,
    parse_timestamp,
)
from intrro_gateway.adapters.greenhouse.harvest._readings import (
    TOKEN_EXPIRY_ABSOLUTE,
    TOKEN_EXPIRY_RELATIVE,
)
from intrro_gateway.adapters.greenhouse.harvest._settings import HarvestSettings
from intrro_gateway.adapters.http_limits import bounded_request
from intrro_gateway.adapters.http_retry import (
    TRANSIENT,
    Retry,
    answer_json,
    backoff_of,
    with_retries,
)
from intrro_gateway.adapters.retry_after import parse_retry_after
from intrro_gateway.domain.tenant import AtsCredentials
from intrro_gateway.ports.ats import AtsAuthError, AtsRateLimitedError, AtsUnavailableError
from intrro_gateway.ports.ats_budget import AtsTokenStore
from intrro_gateway.ports.clock import Clock
from intrro_gateway.ports.unit_of_work import StorageError

log = structlog.get_logger(__name__)

TokenKey = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class Token:
    """A bearer token and when the client stops using it."""

    value: str
    expires_at: datetime


def token_key(credentials: AtsCredentials) -> TokenKey:
    """The cache key: client id, a digest of the secret (a rotated secret mints anew), acting user."""
    digest = hashlib.sha256(credentials.client_secret.encode()).hexdigest()[:16]
    return credentials.client_id, digest, credentials.user_id or ""


def token_expiry(body: Mapping[str, Any], now: datetime, settings: HarvestSettings) -> datetime:
    """When a token expires: `expires_at` preferred, then `expires_in`, then the default lifetime."""
    absolute = parse_timestamp(body.get(TOKEN_EXPIRY_ABSOLUTE))
    if absolute is not None:
        return absolute
    relative = body.get(TOKEN_EXPIRY_RELATIVE)
    seconds = f.integer(relative)
    if seconds is None and isinstance(relative, float) and math.isfinite(relative):
        seconds = int(relative)
    if seconds is not None and 0 < seconds < 10**8:
        return now + timedelta(seconds=seconds)
    return now + timedelta(seconds=settings.default_token_lifetime)


class TokenCache:
    """Mints tokens at `{auth_url}/token` and keeps each until shortly before it expires."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        auth_url: str,
        settings: HarvestSettings,
        clock: Clock,
        store: AtsTokenStore | None = None,
    ) -> None:
        self._http = http
        self._store = store
        self._url = auth_url.rstrip("/") + "/token"
        self._introspect_url = auth_url.rstrip("/") + "/introspect"
        self._settings = settings
        self._clock = clock
        self._timeout = httpx.Timeout(settings.timeout, connect=settings.connect_timeout)
        self._tokens: dict[TokenKey, Token] = {}
        self._locks: dict[TokenKey, asyncio.Lock] = {}
        self.minted = 0  # how many tokens this cache asked for (for tests and metrics)

    async def get(self, credentials: AtsCredentials) -> str:
        """A valid token for the credential and its acting user, minted when none is cached."""
        key = token_key(credentials)
        cached = self._fresh(key)
        if cached is not None:
            return cached
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            cached = self._fresh(key)
            if cached is not None:
                return cached
            shared = await self._load(key)
            if shared is not None:
                self._tokens[key] = shared
                return shared.value
            token = await self._mint(credentials)
            self._tokens[key] = token
            await self._save(key, token)
            return token.value

    async def refresh(self, credentials: AtsCredentials) -> str:
        """A newly minted token, whatever is cached (the credential is checked now)."""
        key = token_key(credentials)
        self._tokens.pop(key, None)
        async with self._locks.setdefault(key, asyncio.Lock()):
            token = await self._mint(credentials)
            self._tokens[key] = token
            await self._save(key, token)
            return token.value

    async def introspect(self, credentials: AtsCredentials, token: str) -> frozenset[str] | None:
        """The scopes `{auth_url}/introspect` says the token has; None when it does not answer."""
        try:
            response = await bounded_request(
                self._http,
                "POST",
                self._introspect_url,
                deadline_s=self._settings.deadline,
                max_bytes=self._settings.max_answer_bytes,
                data={"token": token, "token_type_hint": "access_token"},
                auth=(credentials.client_id, credentials.client_secret),
                timeout=self._timeout,
            )
        except httpx.TransportError:
            return None
        body = answer_json(response)
        if response.status_code != 200 or not isinstance(body, Mapping):
            return None
        if f.flag(body.get("active")) is False:
            return None
        raw = body.get("scope", body.get("scopes"))
        if isinstance(raw, str):
            return frozenset(raw.replace(",", " ").split())
        if isinstance(raw, list):
            return frozenset(s.strip() for s in raw if isinstance(s, str) and s.strip())
        return None

    async def forget(self, credentials: AtsCredentials, value: str) -> None:
        """Forget a token Greenhouse refused, here and in the shared store."""
        self.invalidate(credentials, value)
        if self._store is not None:
            try:
                await self._store.discard(_store_key(token_key(credentials)), value)
            except StorageError as exc:
                log.warning("ats_token_store.unavailable", error=str(exc))

    async def _load(self, key: TokenKey) -> Token | None:
        """A token another process minted, when still fresh enough to use."""
        if self._store is None:
            return None
        try:
            found = await self._store.load(_store_key(key), now=self._clock.now())
        except StorageError as exc:
            log.warning("ats_token_store.unavailable", error=str(exc))
            return None
        if found is None:
            return None
        token = Token(value=found[0], expires_at=found[1])
        margin = timedelta(seconds=self._settings.token_refresh_margin)
        return token if self._clock.now() + margin < token.expires_at else None

    async def _save(self, key: TokenKey, token: Token) -> None:
        if self._store is None:
            return
        try:
            await self._store.save(_store_key(key), token.value, token.expires_at)
        except StorageError as exc:
            log.warning("ats_token_store.unavailable", error=str(exc))

    def invalidate(self, credentials: AtsCredentials, value: str) -> None:
        """Forget a token Greenhouse refused (only if it is still the cached one)."""
        key = token_key(credentials)
        current = self._tokens.get(key)
        if current is not None and current.value == value:
            del self._tokens[key]

    def _fresh(self, key: TokenKey) -> str | None:
        token = self._tokens.get(key)
        margin = timedelta(seconds=self._settings.token_refresh_margin)
        if token is not None and self._clock.now() + margin < token.expires_at:
            return token.value
        return None

    async def _mint(self, credentials: AtsCredentials) -> Token:
        form = {"grant_type": "client_credentials"}
        if credentials.user_id:
            form["sub"] = credentials.user_id

        async def attempt(_: Mapping[str, int]) -> httpx.Response:
            try:
                response = await bounded_request(
                    self._http,
                    "POST",
                    self._url,
                    deadline_s=self._settings.deadline,
                    max_bytes=self._settings.max_answer_bytes,
                    data=form,
                    auth=(credentials.client_id, credentials.client_secret),
                    timeout=self._timeout,
                )
            except httpx.TransportError as exc:
                error = AtsUnavailableError(f"token endpoint unreachable: {exc!r}")
                raise Retry(TRANSIENT, error) from exc
            self.minted += 1
            if response.status_code == 429:
                wait = self._retry_after(response)
                if wait > self._settings.max_rate_limit_wait:
                    raise _token_unavailable(response)  # longer than a call is worth waiting
                raise Retry(TRANSIENT, _token_unavailable(response), wait=wait)
            if response.status_code >= 500:
                raise Retry(TRANSIENT, _token_unavailable(response))
            return response

        response = await with_retries(
            attempt,
            name="greenhouse token",
            tries={TRANSIENT: self._settings.read_attempts},
            backoff=backoff_of(self._settings),
        )
        return self._read(response)

    def _read(self, response: httpx.Response) -> Token:
        body = answer_json(response)
        if response.status_code in (400, 401, 403):
            detail = parse_error_body(body, f"HTTP {response.status_code}")
            raise AtsAuthError(
                f"Greenhouse refused the credential: {detail.message}",
                status=response.status_code,
            )
        value = f.text(body.get("access_token")) if isinstance(body, Mapping) else None
        if response.status_code >= 300 or value is None or not isinstance(body, Mapping):
            raise AtsUnavailableError(
                f"token endpoint answered {response.status_code} without a token",
                status=response.status_code,
            )
        return Token(value=value, expires_at=token_expiry(body, self._clock.now(), self._settings))

    def _retry_after(self, response: httpx.Response) -> float:
        """A 429's wait: its `Retry-After`, else Greenhouse's window, capped."""
        wait = parse_retry_after(response.headers.get("retry-after"), self._clock.now())
        wait = self._settings.default_retry_after if wait is None else wait
        return min(wait, self._settings.retry_after_cap)


def _store_key(key: TokenKey) -> str:
    """The shared store's key: the ATS and a digest of the cache key (client, secret digest, user)."""
    return "greenhouse:" + hashlib.sha256("\x1f".join(key).encode()).hexdigest()[:40]


def _token_unavailable(response: httpx.Response) -> AtsUnavailableError:
    if response.status_code == 429:
        return AtsRateLimitedError("token endpoint rate limited", status=429)
    return AtsUnavailableError(
        f"token endpoint answered {response.status_code}", status=response.status_code
    )
