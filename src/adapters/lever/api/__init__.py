"""Lever Data API v1 client: the ATS port on an API key (HTTP Basic), `next` pages and endpoint
permissions; plus the web hooks Lever's API makes."""

from __future__ import annotations

from intrro_gateway.adapters.lever.api._auth import API_KEY
from intrro_gateway.adapters.lever.api._client import LeverAtsClient
from intrro_gateway.adapters.lever.api._hooks import LeverHook, ensure_hooks, remove_hook
from intrro_gateway.adapters.lever.api._permissions import WEBHOOK_ENDPOINTS, permission_steps
from intrro_gateway.adapters.lever.api._settings import LeverSettings

__all__ = [
    "API_KEY",
    "WEBHOOK_ENDPOINTS",
    "LeverAtsClient",
    "LeverHook",
    "LeverSettings",
    "ensure_hooks",
    "permission_steps",
    "remove_hook",
]
