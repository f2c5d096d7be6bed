"""An app factory for ASGI servers: `uvicorn --factory entrypoints.http.asgi:app_from_environment`."""

from __future__ import annotations

from starlette.applications import Starlette

from intrro_gateway.entrypoints.container import build_container
from intrro_gateway.entrypoints.http.app import create_app
from intrro_gateway.entrypoints.logging import configure_logging
from intrro_gateway.entrypoints.settings import load_settings


def app_from_environment() -> Starlette:
    """Load the settings, configure logging, and build the app on a fresh container."""
    settings = load_settings()
    configure_logging(settings.log_format, settings.log_level, secrets=settings.secret_values())
    return create_app(build_container(settings))
