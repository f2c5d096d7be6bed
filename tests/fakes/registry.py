"""A registry of fake ATS parts: the fake client and translator under one key (the fakes' source)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from intrro_gateway.domain.tenant import AtsCredentials
from intrro_gateway.ports.ats import AtsClient, AtsContext
from intrro_gateway.ports.ats_registry import AtsParts, AtsRegistry, WebhookSetup
from intrro_gateway.ports.ats_webhooks import AtsWebhookTranslator


@dataclass
class FakeConnector:
    """A client id and secret in; `tokens` are the signature tokens "created" on connecting."""

    credential_fields: tuple[str, ...] = ("client_id", "client_secret")
    tokens: tuple[str, ...] = ()
    setups: list[str] = field(default_factory=list)
    removals: list[str] = field(default_factory=list)

    def credentials(self, fields: Mapping[str, str]) -> AtsCredentials:
        """An API key is the secret half; a client id and secret are the two halves."""
        secret = (
            fields["api_key"] if "api_key" in self.credential_fields else fields["client_secret"]
        )
        return AtsCredentials(client_id=fields.get("client_id", ""), client_secret=secret)

    async def setup_webhooks(self, client: AtsClient, ctx: AtsContext, url: str) -> WebhookSetup:
        self.setups.append(url)
        return WebhookSetup(tokens=self.tokens, created=bool(self.tokens))

    async def remove_webhooks(self, client: AtsClient, ctx: AtsContext, url: str) -> int:
        self.removals.append(url)
        return len(self.tokens)


def fake_parts(
    client: AtsClient,
    translator: AtsWebhookTranslator,
    *,
    key: str | None = None,
    connector: FakeConnector | None = None,
) -> AtsParts:
    """One ATS's parts over fakes; the key defaults to the translator's source."""
    return AtsParts(
        key=key or translator.source,
        display_name=(key or translator.source).title(),
        client=client,
        translator=translator,
        verifier=translator,
        connector=connector or FakeConnector(),
    )


def fake_registry(
    client: AtsClient, translator: AtsWebhookTranslator, *more: AtsParts
) -> AtsRegistry:
    """A registry of the fake ATS (first, so the default) and any more parts."""
    return AtsRegistry([fake_parts(client, translator), *more])
