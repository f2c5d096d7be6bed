"""The console: the company admin's and the operator's pages under `/console` (Jinja2 templates and
one stylesheet installed with the package; plain forms, no JavaScript needed)."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from intrro_gateway.entrypoints.http.console import pages
from intrro_gateway.entrypoints.http.console.session import SessionCodec

__all__ = ["console_routes", "install"]


def console_routes() -> list[BaseRoute]:
    """Every page of the console, and its static files."""
    t = "/tenants/{tenant}"
    get, post = ["GET"], ["POST"]
    return [
        Mount(
            "/console",
            routes=[
                Route("/", pages.home, methods=get),
                Route("/sign-in", pages.sign_in_form, methods=get),
                Route("/sign-in", pages.sign_in, methods=post),
                Route("/sign-out", pages.sign_out, methods=post),
                Route("/tenants", pages.tenants_list, methods=get),
                Route("/tenants", pages.create_tenant, methods=post),
                Route(t, pages.tenant_settings, methods=get),
                Route(f"{t}/callback", pages.change_callback, methods=post),
                Route(f"{t}/rotate", pages.rotate_secret, methods=post),
                Route(f"{t}/integration", pages.integration, methods=get),
                Route(f"{t}/integration/ats", pages.choose_ats, methods=post),
                Route(f"{t}/integration/connect", pages.connect, methods=post),
                Route(f"{t}/integration/check", pages.check_again, methods=post),
                Route(f"{t}/jobs", pages.jobs, methods=get),
                Route(f"{t}/jobs/import", pages.import_now, methods=post),
                Route(f"{t}/pipeline", pages.pipeline, methods=get),
                Route(f"{t}/introductions/{{introduction_id}}", pages.introduction, methods=get),
                Route(f"{t}/deliveries", pages.deliveries, methods=get),
                Route(f"{t}/deliveries/replay", pages.replay_since, methods=post),
                Route(f"{t}/deliveries/{{id}}/replay", pages.replay, methods=post),
                Mount(
                    "/static",
                    app=StaticFiles(directory=str(Path(__file__).parent / "static")),
                    name="console_static",
                ),
            ],
        )
    ]


def install(app: Starlette, secret_keys: list[str], *, secure: bool) -> None:
    """Give the app what the console keeps per process: the session codec and running imports."""
    app.state.console_sessions = SessionCodec(secret_keys, secure=secure)
    app.state.console_imports = {}
