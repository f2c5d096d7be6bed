"""Greenhouse's entry in the ATS registry."""

from __future__ import annotations

from collections.abc import Callable

from intrro_gateway.adapters.greenhouse.connector import GreenhouseConnector
from intrro_gateway.adapters.greenhouse.webhooks import GreenhouseWebhookTranslator
from intrro_gateway.ports.ats import AtsClient
from intrro_gateway.ports.ats_registry import AtsParts

KEY = "greenhouse"


def greenhouse_parts(client: AtsClient, sandbox: Callable[[], object] | None = None) -> AtsParts:
    """Greenhouse's parts around a Harvest v3 client (a `GreenhouseAtsClient`, or a fake in tests)."""
    translator = GreenhouseWebhookTranslator()
    return AtsParts(
        key=KEY,
        display_name="Greenhouse",
        client=client,
        translator=translator,
        verifier=translator,
        connector=GreenhouseConnector(),
        sandbox=sandbox,
    )
