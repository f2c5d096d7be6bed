"""Greenhouse Harvest v3 client: the ATS port on OAuth 2.0 client credentials, cursors and scopes."""

from __future__ import annotations

from intrro_gateway.adapters.greenhouse.harvest._client import GreenhouseAtsClient
from intrro_gateway.adapters.greenhouse.harvest._settings import HarvestSettings

__all__ = ["GreenhouseAtsClient", "HarvestSettings"]
