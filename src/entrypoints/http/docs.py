"""`/openapi.json` and `/docs`: the generated document, and Swagger UI reading it, served from the
files the `swagger-ui-bundle-v2` package installs (never from a CDN)."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from intrro_gateway.entrypoints.http.openapi import openapi_document
from intrro_gateway.entrypoints.http.problems import ProblemError
from intrro_gateway.entrypoints.http.runtime import runtime_of

ASSETS: Final = frozenset(
    {"swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png", "favicon-16x16.png"}
)

_PAGE: Final = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>intrro-gateway API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true});
  </script>
</body>
</html>
"""


def _assets_folder() -> Path:
    from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

    return Path(swagger_ui_path)


async def openapi_json(request: Request) -> Response:
    """`GET /openapi.json`: the API description, generated from the routes and models."""
    rt = runtime_of(request)
    registry = rt.deps.registry
    fields = {key: registry.get(key).connector.credential_fields for key in registry.keys()}
    routes = [route for route in request.app.routes if isinstance(route, Route)]
    return JSONResponse(openapi_document(routes, rt.settings.public_url, fields))


async def docs_page(request: Request) -> Response:
    """`GET /docs`: Swagger UI on `/openapi.json`."""
    return HTMLResponse(_PAGE)


async def docs_asset(request: Request) -> Response:
    """`GET /docs/{asset}`: one of Swagger UI's files."""
    name: str = request.path_params["asset"]
    if name not in ASSETS:
        raise ProblemError(404, "Not Found", f"no such file: {name}")
    return FileResponse(_assets_folder() / name)
