"""Adapters: the ports implemented on real technology (Greenhouse, Intrro, SQL)."""
