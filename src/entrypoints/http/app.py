"""`create_app(container)`: the Starlette app, its routes, and a lifespan that runs the worker."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import AsyncIterator
from typing import Any

import structlog
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from intrro_gateway.entrypoints.http import api, console, docs, health, ingress
from intrro_gateway.entrypoints.http import operations as ops
from intrro_gateway.entrypoints.http.deadline import RequestDeadlineMiddleware
from intrro_gateway.entrypoints.http.middleware import (
    BearerAuthMiddleware,
    RequestContextMiddleware,
)
from intrro_gateway.entrypoints.http.openapi import Operation
from intrro_gateway.entrypoints.http.problems import EXCEPTION_HANDLERS
from intrro_gateway.entrypoints.http.runtime import Runtime
from intrro_gateway.entrypoints.settings import GatewaySettings

log = structlog.get_logger(__name__)

_STOP_GRACE_S = 10.0


class DocumentedRoute(Route):
    """A route with what the OpenAPI document says of it."""

    def __init__(self, path: str, endpoint: Any, method: str, operation: Operation) -> None:
        super().__init__(path, endpoint, methods=[method])
        self.operation = operation


def routes() -> list[Route]:
    """Every route of the API, as the contract names them, each with its documented operation (the
    console's pages come beside them)."""
    t = "/api/tenants/{tenant}"
    r = DocumentedRoute
    return [
        r("/webhooks/{ats}/{tenant}", ingress.ats_webhook, "POST", ops.ATS_WEBHOOK),
        r("/events/intrro/{tenant}", ingress.intrro_event, "POST", ops.INTRRO_EVENT),
        r(t, api.get_tenant, "GET", ops.GET_TENANT),
        r(t, api.put_tenant, "PUT", ops.PUT_TENANT),
        r(t, api.delete_tenant, "DELETE", ops.DELETE_TENANT),
        r(f"{t}/secrets/rotate", api.rotate_secret, "POST", ops.ROTATE_SECRET),
        r(f"{t}/connections/{{ats}}", api.connect, "POST", ops.CONNECT),
        r(f"{t}/connections/{{ats}}", api.connection_status, "GET", ops.CONNECTION_STATUS),
        r(f"{t}/connections/{{ats}}", api.disconnect, "DELETE", ops.DISCONNECT),
        r(f"{t}/sync/jobs", api.sync_jobs, "POST", ops.SYNC_JOBS),
        r(f"{t}/jobs", api.list_jobs, "GET", ops.LIST_JOBS),
        r(
            f"{t}/introductions/{{introduction_id}}",
            api.get_introduction,
            "GET",
            ops.GET_INTRODUCTION,
        ),
        r(f"{t}/pipeline", api.pipeline, "GET", ops.PIPELINE),
        r(f"{t}/deliveries", api.deliveries, "GET", ops.DELIVERIES),
        r(f"{t}/deliveries/{{id}}/replay", api.replay, "POST", ops.REPLAY),
        r("/healthz", health.healthz, "GET", ops.HEALTHZ),
        r("/readyz", health.readyz, "GET", ops.READYZ),
        r("/metrics", health.metrics, "GET", ops.METRICS),
        r("/openapi.json", docs.openapi_json, "GET", ops.OPENAPI_JSON),
        r("/docs", docs.docs_page, "GET", ops.DOCS_PAGE),
        r("/docs/{asset}", docs.docs_asset, "GET", ops.DOCS_ASSET),
    ]


async def _resolve(value: Any) -> Any:
    """A provider's value, awaited when the provider runs in async mode."""
    return await value if inspect.isawaitable(value) else value


def create_app(container: Any, *, run_worker: bool | None = None) -> Starlette:
    """The gateway's app on this container; `run_worker` (default: the setting) runs the worker
    and the scheduler in-process while the app lives."""
    settings: GatewaySettings = container.settings()
    metrics = container.metrics()
    in_process = settings.run_worker if run_worker is None else run_worker

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if settings.auto_migrate:
            upgrade = container.migrate()
            keys = [key.reveal() for key in settings.secret_keys]
            await asyncio.to_thread(upgrade, settings.database_url, secret_keys=keys)
        await _resolve(container.init_resources())
        runtime = Runtime(
            settings=settings,
            deps=await _resolve(container.deps()),
            bus=await _resolve(container.bus()),
            metrics=metrics,
            readiness=await _resolve(container.readiness()),
            queue_depths=await _resolve(container.queue_depths()),
        )
        app.state.runtime = runtime
        for notice in settings.notices:
            log.warning("settings_generated", notice=notice)
        stop = asyncio.Event()
        tasks: list[asyncio.Task[None]] = []
        worker = None
        if in_process:
            worker = await _resolve(container.worker())
            scheduler = await _resolve(container.scheduler())
            tasks = [
                asyncio.create_task(worker.run(stop), name="worker"),
                asyncio.create_task(scheduler.run(stop), name="scheduler"),
            ]
        log.info(
            "gateway_started",
            env=settings.env,
            database=settings.database_display,
            worker=in_process,
        )
        try:
            yield
        finally:
            stop.set()
            await _stop(tasks)
            if worker is not None:
                try:
                    released = await worker.release()
                except Exception as exc:  # leases then simply expire; say why they were kept
                    log.warning("leases_not_released", error=repr(exc))
                else:
                    log.info("leases_released", count=released)
            await runtime.stop_background()
            await _resolve(container.shutdown_resources())
            log.info("gateway_stopped")

    app = Starlette(
        routes=[*routes(), *console.console_routes()],
        middleware=[
            # Outermost, so that a request's clock starts before anything else runs.
            Middleware(
                RequestDeadlineMiddleware, deadline_s=settings.request_deadline.total_seconds()
            ),
            Middleware(RequestContextMiddleware, metrics=metrics),
            Middleware(
                BearerAuthMiddleware, tokens=[token.reveal() for token in settings.api_tokens]
            ),
        ],
        exception_handlers=dict(EXCEPTION_HANDLERS),
        lifespan=lifespan,
    )
    console.install(
        app,
        [key.reveal() for key in settings.secret_keys],
        secure=settings.public_url.startswith("https://"),
    )
    return app


async def _stop(tasks: list[asyncio.Task[None]]) -> None:
    """Let the worker and scheduler finish their current item, then cancel what is left."""
    if not tasks:
        return
    _, pending = await asyncio.wait(tasks, timeout=_STOP_GRACE_S)
    for task in pending:
        task.cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    for task, result in zip(tasks, results, strict=True):
        if isinstance(result, Exception):
            log.error("background_loop_failed", loop=task.get_name(), error=repr(result))
