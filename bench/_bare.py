"""The bare endpoint for `bench/ingress.py --compare-bare`: reads the body, answers 200 `{}`.

    python bench/_bare.py <port>

Served exactly as `intrro-gateway serve` serves the gateway (`entrypoints.serving`: the same socket
set-up, uvicorn configuration and event loop), so the two differ only in what the endpoint does.
"""

from __future__ import annotations

import asyncio
import sys

import _common  # noqa: F401 - first: takes `bench/` (and its domain.py) off the import path
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from intrro_gateway.entrypoints.cli._base import run
from intrro_gateway.entrypoints.serving import Listener, bind, serve, stop_on_signals


async def receive(request: Request) -> Response:
    """Read the body and answer 200."""
    await request.body()
    return JSONResponse({})


async def main(port: int) -> None:
    """Serve until SIGTERM."""
    app = Starlette(routes=[Route("/{path:path}", receive, methods=["POST", "GET"])])
    stop = asyncio.Event()
    with stop_on_signals(stop):
        await serve([Listener("bare", app, bind("127.0.0.1", port))], stop, log_level="warning")


if __name__ == "__main__":
    run(main(int(sys.argv[1])))
