"""The ATS registry: each ATS the gateway speaks, by its key, with the parts the use cases need.

A tenant names its ATS (`Tenant.ats`, the key of one registered ATS); every use case asks the
registry for that ATS's parts instead of holding one ATS for every tenant. The composition root
builds the registry; adding an ATS is one adapter folder and one entry.

Errors:

    UnknownAtsError   no ATS is registered under the key (an unknown key in a URL answers 404)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from intrro_gateway.domain.tenant import AtsCredentials, Tenant
from intrro_gateway.ports.ats import AtsClient, AtsContext
from intrro_gateway.ports.ats_webhooks import AtsWebhookTranslator


class UnknownAtsError(LookupError):
    """Raised when no ATS is registered under a key."""

    def __init__(self, key: str) -> None:
        super().__init__(f"no ATS {key!r}")
        self.key = key


class WebhookVerifier(Protocol):
    """Checks a web hook delivery's signature against a tenant's secrets.

    The signature may travel in a header or in the body (over other fields of the body, such as a
    token and a time); `secrets` are every secret valid now: the tenant's web hook secret (current,
    and previous during a rotation) and the signature tokens connecting stored (one per web hook,
    for an ATS that signs each web hook with its own token).
    """

    def verify(self, headers: Mapping[str, str], body: bytes, secrets: Sequence[str]) -> bool:
        """Whether the delivery is signed with one of the secrets, compared in constant time."""
        ...


@dataclass(frozen=True, slots=True)
class WebhookSetup:
    """What connecting set up for the ATS's web hooks.

    `tokens`: the signature tokens of web hooks the connector created (stored encrypted, checked with
    the tenant's web hook secret); `created`: whether the gateway made the web hooks itself; `steps`:
    what the company admin does instead (shown in the report), and `problem`, when the connector
    could have made them but was not allowed to.
    """

    tokens: tuple[str, ...] = ()
    created: bool = False
    steps: tuple[str, ...] = ()
    problem: str | None = None


class AtsConnector(Protocol):
    """How a tenant connects this ATS: the credential's fields, and what connecting sets up in it."""

    credential_fields: tuple[str, ...]
    """The secret fields a connect request carries besides `user_email`, e.g. a client id and
    secret for OAuth client credentials, or one API key."""

    def credentials(self, fields: Mapping[str, str]) -> AtsCredentials:
        """The credential from the connect request's fields (all of `credential_fields` present)."""
        ...

    async def setup_webhooks(self, client: AtsClient, ctx: AtsContext, url: str) -> WebhookSetup:
        """Create the web hooks the gateway needs at `url` where the ATS lets the credential do so
        (their signature tokens in the answer); else the steps the company admin follows."""
        ...

    async def remove_webhooks(self, client: AtsClient, ctx: AtsContext, url: str) -> int:
        """Delete the web hooks the gateway made at `url` (on disconnecting); how many. Never
        raises for an ATS failure: what cannot be removed is logged and left."""
        ...


@dataclass(frozen=True, slots=True)
class AtsParts:
    """One ATS's parts.

    `client` serves every tenant of this ATS: each call names the tenant and its credential in an
    `AtsContext`, so the client keeps tokens, caches and rate limits per tenant.
    """

    key: str
    display_name: str
    client: AtsClient
    translator: AtsWebhookTranslator
    verifier: WebhookVerifier
    connector: AtsConnector
    sandbox: Callable[[], object] | None = None
    """Makes the bundled emulator of this ATS (an ASGI app) for the demo and tests, when there is one."""


class AtsRegistry:
    """The ATSs the gateway speaks, by key."""

    def __init__(self, entries: Iterable[AtsParts]) -> None:
        self._entries: dict[str, AtsParts] = {}
        for parts in entries:
            if parts.key in self._entries:
                raise ValueError(f"ATS {parts.key!r} registered twice")
            self._entries[parts.key] = parts

    def keys(self) -> tuple[str, ...]:
        """The registered keys, in registration order (the first is the default)."""
        return tuple(self._entries)

    @property
    def default(self) -> str:
        """The key a tenant gets when it names none."""
        return next(iter(self._entries))

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def get(self, key: str) -> AtsParts:
        """The parts of the ATS `key`; raises UnknownAtsError."""
        try:
            return self._entries[key]
        except KeyError:
            raise UnknownAtsError(key) from None

    def for_tenant(self, tenant: Tenant) -> AtsParts:
        """The parts of the tenant's ATS."""
        return self.get(tenant.ats)

    def client(self, ctx: AtsContext) -> AtsClient:
        """The client of the ATS a context is for."""
        return self.get(ctx.ats).client

    def by_source(self, source: str) -> AtsParts | None:
        """The ATS whose translator stores deliveries under `source`, if any."""
        return next((p for p in self._entries.values() if p.translator.source == source), None)
