"""The Starlette app: ingress, the API for Intrro and operators, health and metrics."""

from __future__ import annotations

from intrro_gateway.entrypoints.http.app import create_app, routes

__all__ = ["create_app", "routes"]
