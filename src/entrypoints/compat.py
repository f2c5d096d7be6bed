"""Names the API and the CLI accept from before the gateway spoke more than one ATS.

The services speak of the `ats_webhook` secret; Greenhouse-era callers say `greenhouse_webhook`
(rotate's `which`) and `greenhouse_webhook_secret` (a tenant's PUT body, and the name a Greenhouse
tenant's generated secret is shown under). They keep working, here and only here.
"""

from __future__ import annotations

from collections.abc import Mapping

from intrro_gateway.domain.tenant import SECRET_ATS_WEBHOOK, SECRET_KINDS
from intrro_gateway.services import tenants

WEBHOOK_SECRET_FIELD = tenants.WEBHOOK_SECRET_FIELD
LEGACY_ATS = "greenhouse"
LEGACY_SECRET_KIND = "greenhouse_webhook"  # noqa: S105 - a name, not a secret
LEGACY_WEBHOOK_SECRET_FIELD = f"{LEGACY_SECRET_KIND}_secret"

SECRET_KIND_ALIASES: Mapping[str, str] = {LEGACY_SECRET_KIND: SECRET_ATS_WEBHOOK}
ACCEPTED_SECRET_KINDS = (*SECRET_KINDS, *SECRET_KIND_ALIASES)


def secret_kind(given: str) -> str:
    """The secret kind a caller's name means (an alias becomes its kind; others pass unchanged)."""
    return SECRET_KIND_ALIASES.get(given, given)


def shown_secret_names(ats: str, generated: Mapping[str, str]) -> dict[str, str]:
    """Generated secrets under the names shown to the caller: a Greenhouse tenant's web hook secret
    keeps its Greenhouse-era name."""
    if ats != LEGACY_ATS:
        return dict(generated)
    return {
        (LEGACY_WEBHOOK_SECRET_FIELD if name == WEBHOOK_SECRET_FIELD else name): value
        for name, value in generated.items()
    }
