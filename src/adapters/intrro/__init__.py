"""Intrro: Standard Webhooks events in, signed status events out."""
