"""Greenhouse Recruiting web hooks translated into the ATS port's neutral signals."""

from __future__ import annotations

from intrro_gateway.adapters.greenhouse.webhooks.translator import GreenhouseWebhookTranslator

__all__ = ["GreenhouseWebhookTranslator"]
