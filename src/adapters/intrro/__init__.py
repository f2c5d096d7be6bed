"""Intrro: Standard Webhooks events in, signed status events out."""

from __future__ import annotations

from intrro_gateway.adapters.intrro.events import IntrroEventReader
from intrro_gateway.adapters.intrro.platform import IntrroPlatform
from intrro_gateway.adapters.intrro.receiver import ReceivedEvent, create_receiver_app

__all__ = ["IntrroEventReader", "IntrroPlatform", "ReceivedEvent", "create_receiver_app"]
