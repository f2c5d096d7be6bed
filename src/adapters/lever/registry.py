"""Lever's entry in the ATS registry."""

from __future__ import annotations

from collections.abc import Callable

from intrro_gateway.adapters.lever.connector import LeverConnector
from intrro_gateway.adapters.lever.webhooks import LeverWebhookTranslator
from intrro_gateway.ports.ats import AtsClient
from intrro_gateway.ports.ats_registry import AtsParts

KEY = "lever"


def lever_parts(client: AtsClient, sandbox: Callable[[], object] | None = None) -> AtsParts:
    """Lever's parts around a Data API client (a `LeverAtsClient`, or a stand-in in tests)."""
    translator = LeverWebhookTranslator()
    return AtsParts(
        key=KEY,
        display_name="Lever",
        client=client,
        translator=translator,
        verifier=translator,
        connector=LeverConnector(),
        sandbox=sandbox,
    )
