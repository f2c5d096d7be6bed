"""`/openapi.json` is true to the routes: every documented operation exists and every route is documented."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.routing import Route

from intrro_gateway.entrypoints.http import routes
from tests.e2e.http_support import gateway, gateway_settings


def _routes() -> set[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    for route in routes():
        assert isinstance(route, Route)
        for method in route.methods or ():
            if method != "HEAD":
                pairs.add((route.path, method.lower()))
    return pairs


def test_the_spec_and_the_routes_name_the_same_operations(tmp_path: Path) -> None:
    gw = gateway(gateway_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}"))

    with gw.client() as client:
        spec = client.get("/openapi.json").json()

    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    served = _routes()
    assert documented - served == set(), "documented but not served"
    assert served - documented == set(), "served but not documented"
    assert spec["openapi"].startswith("3.1")
    assert spec["servers"] == [{"url": "https://gateway.test"}]


def test_the_spec_marks_exactly_the_public_operations_as_needing_no_token(tmp_path: Path) -> None:
    gw = gateway(gateway_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}"))

    with gw.client() as client:
        spec = client.get("/openapi.json").json()

    public = {
        path
        for path, ops in spec["paths"].items()
        for op in ops.values()
        if op.get("security") == []
    }
    assert public == {
        "/webhooks/{ats}/{tenant}",
        "/events/intrro/{tenant}",
        "/healthz",
        "/readyz",
        "/metrics",
        "/openapi.json",
        "/docs",
        "/docs/{asset}",
    }
    assert all(not path.startswith("/api/") for path in public)


def test_every_path_parameter_of_the_spec_is_declared(tmp_path: Path) -> None:
    gw = gateway(gateway_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}"))

    with gw.client() as client:
        spec = client.get("/openapi.json").json()

    for path, ops in spec["paths"].items():
        in_template = set(re.findall(r"{(\w+)}", path))
        for method, op in ops.items():
            declared = {p["name"] for p in op["parameters"] if p["in"] == "path"}
            assert declared == in_template, (path, method)
