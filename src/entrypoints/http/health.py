"""Health, readiness and metrics: no token needed."""

from __future__ import annotations

import asyncio

import structlog
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from intrro_gateway.entrypoints.http.problems import problem_response
from intrro_gateway.entrypoints.http.runtime import runtime_of

log = structlog.get_logger(__name__)


async def healthz(request: Request) -> Response:
    """`GET /healthz`: the process is up."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """`GET /readyz`: the database answers within the request deadline, else 503."""
    rt = runtime_of(request)
    try:
        async with asyncio.timeout(rt.settings.request_deadline.total_seconds()):
            await rt.readiness()
    except Exception as exc:
        log.warning("not_ready", error=type(exc).__name__)
        return problem_response(request, 503, "Service Unavailable", "the database is unreachable")
    return JSONResponse({"status": "ready"})


async def metrics(request: Request) -> Response:
    """`GET /metrics`: Prometheus text format."""
    rt = runtime_of(request)
    try:
        text = await rt.metrics.render(rt.queue_depths)
    except Exception as exc:
        log.warning("queue_depth_unavailable", error=type(exc).__name__)
        text = await rt.metrics.render(None)
    return Response(text, media_type=CONTENT_TYPE_LATEST)
