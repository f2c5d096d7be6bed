"""How a tenant connects Greenhouse: a Harvest v3 OAuth client credential; the admin creates the web hooks."""

from __future__ import annotations

from collections.abc import Mapping

from intrro_gateway.domain.tenant import AtsCredentials
from intrro_gateway.ports.ats import AtsClient, AtsContext
from intrro_gateway.ports.ats_registry import AtsConnector, WebhookSetup


class GreenhouseConnector(AtsConnector):
    """Client id and secret in; nothing created in Greenhouse (Harvest cannot manage web hooks)."""

    credential_fields = ("client_id", "client_secret")

    def credentials(self, fields: Mapping[str, str]) -> AtsCredentials:
        """The OAuth client credential."""
        return AtsCredentials(client_id=fields["client_id"], client_secret=fields["client_secret"])

    async def setup_webhooks(self, client: AtsClient, ctx: AtsContext, url: str) -> WebhookSetup:
        """None: the company admin creates the web hooks, signed with the tenant's secret."""
        return WebhookSetup()

    async def remove_webhooks(self, client: AtsClient, ctx: AtsContext, url: str) -> int:
        """None: Harvest cannot manage web hooks; the admin removes them in Greenhouse."""
        return 0
