"""Lever web hooks: the signature check and the translation into the gateway's signals."""

from __future__ import annotations

from intrro_gateway.adapters.lever.webhooks.translator import LeverWebhookTranslator

__all__ = ["LeverWebhookTranslator"]
