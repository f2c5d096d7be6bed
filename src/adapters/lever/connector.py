"""How a tenant connects Lever: an API key as the credential, and the web hooks Lever's API makes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import structlog

from intrro_gateway.adapters.lever.api import API_KEY, LeverAtsClient, ensure_hooks, remove_hook
from intrro_gateway.adapters.lever.webhooks.translator import SUBSCRIPTIONS
from intrro_gateway.domain.tenant import AtsCredentials
from intrro_gateway.ports.ats import AtsClient, AtsContext, AtsError, AtsPermissionError
from intrro_gateway.ports.ats_registry import AtsConnector, WebhookSetup

logger = structlog.get_logger(__name__)

MANUAL_STEPS: tuple[str, ...] = (
    "In Lever, as a Super Admin: Settings, then Integrations and API, then API Credentials",
    "Edit the gateway's key: tick the endpoint permissions GET /webhooks, POST /webhooks and "
    "DELETE /webhooks/:id, and save",
    "Connect again: the gateway then makes one web hook per event below at the URL below, and keeps "
    "each one's signature token (Lever shows a token only to whoever creates the web hook)",
    "Until then the gateway's periodic reconciliation reads changed opportunities, so statuses still "
    "reach Intrro, later",
)


# Lever's reference: a Super Admin switches on the web hook event groups before API-made web hooks
# send anything (the bundled sandbox sends at once).
SWITCH_ON: tuple[str, ...] = (
    "In Lever, as a Super Admin: Settings, then Integrations and API, then Webhooks: make sure the "
    "candidate and application web hook groups are switched on (Lever sends nothing for web hooks "
    "of a group that is off, even those made through the API)",
)


class LeverConnector(AtsConnector):
    """Lever's part of connecting: the API key, and one web hook per event made through the API."""

    credential_fields: tuple[str, ...] = ("api_key",)

    def credentials(self, fields: Mapping[str, str]) -> AtsCredentials:
        """The API key as the credential (kind `api_key`, the key as the secret half)."""
        return AtsCredentials(client_id=API_KEY, client_secret=fields["api_key"].strip())

    async def setup_webhooks(self, client: AtsClient, ctx: AtsContext, url: str) -> WebhookSetup:
        """Make the gateway's web hooks at `url` (replacing any there whose token it cannot know),
        their signature tokens in the answer; the manual steps when the key may not."""
        if not isinstance(client, LeverAtsClient):
            return WebhookSetup(steps=MANUAL_STEPS)  # a stand-in client (tests) makes none
        events = [event for event, _ in SUBSCRIPTIONS]
        try:
            hooks = await ensure_hooks(client.http, ctx, url, events, {})
        except AtsPermissionError as exc:
            logger.warning("lever.webhooks_not_permitted", tenant=ctx.tenant_id, scope=exc.scope)
            return WebhookSetup(
                steps=MANUAL_STEPS,
                problem=(
                    f"The key may not manage web hooks ({exc.scope or 'webhooks'}), so the gateway "
                    "made none: follow the web hook steps, or Lever's changes reach Intrro only "
                    "through the periodic reconciliation."
                ),
            )
        logger.info("lever.webhooks_made", tenant=ctx.tenant_id, count=len(hooks))
        return WebhookSetup(tokens=tuple(h.token for h in hooks), created=True, steps=SWITCH_ON)

    async def remove_webhooks(self, client: AtsClient, ctx: AtsContext, url: str) -> int:
        """Delete every web hook pointing at `url`; how many there were. Failures are logged."""
        if not isinstance(client, LeverAtsClient):
            return 0
        try:
            rows = await client.http.list_all(ctx, "/webhooks")
            hook_ids: Sequence[str] = [
                str(r["id"]) for r in rows if r.get("url") == url and isinstance(r.get("id"), str)
            ]
            for hook_id in hook_ids:
                await remove_hook(client.http, ctx, hook_id)
        except AtsError as exc:
            logger.warning("lever.webhooks_not_removed", tenant=ctx.tenant_id, error=exc.message)
            return 0
        return len(hook_ids)
