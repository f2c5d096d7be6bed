"""What a standalone `worker` serves on a port of its own: `/healthz` and `/metrics`.

`/healthz` answers 200 while the worker's loop keeps polling (its last poll is younger than
`stale_after`), else 503, so a supervisor restarts a worker stuck on something; `/metrics` is the same
Prometheus text as the gateway's (pushes counted by this process, queue depths read now).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import structlog
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from intrro_gateway.entrypoints.metrics import GatewayMetrics, QueueDepthProbe

log = structlog.get_logger(__name__)


def create_worker_health_app(
    metrics: GatewayMetrics,
    queue_depths: QueueDepthProbe,
    last_poll: Callable[[], datetime | None],
    *,
    stale_after: float,
) -> Starlette:
    """The app; `last_poll` gives when the worker's loop last polled (None before it started)."""

    async def healthz(request: Request) -> Response:
        polled = last_poll()
        age = None if polled is None else (datetime.now(UTC) - polled).total_seconds()
        if age is not None and age > stale_after:
            return JSONResponse({"status": "stale", "last_poll_s": round(age, 3)}, 503)
        return JSONResponse({"status": "ok", "last_poll_s": None if age is None else round(age, 3)})

    async def metrics_endpoint(request: Request) -> Response:
        try:
            text = await metrics.render(queue_depths)
        except Exception as exc:
            log.warning("queue_depth_unavailable", error=type(exc).__name__)
            text = await metrics.render(None)
        return Response(text, media_type=CONTENT_TYPE_LATEST)

    return Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", metrics_endpoint, methods=["GET"]),
        ]
    )
