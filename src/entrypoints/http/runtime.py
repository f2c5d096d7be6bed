"""What the endpoints run on, resolved from the container when the app starts."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import structlog
from starlette.requests import Request

from intrro_gateway.entrypoints.metrics import GatewayMetrics, QueueDepthProbe
from intrro_gateway.entrypoints.settings import GatewaySettings
from intrro_gateway.ports.unit_of_work import StorageError
from intrro_gateway.services.bus import MessageBus
from intrro_gateway.services.deps import Dependencies

log = structlog.get_logger(__name__)

ReadinessProbe = Callable[[], Awaitable[None]]


@dataclass(slots=True, kw_only=True)
class Runtime:
    """The dependencies, the bus, the metrics and the probes one app serves with."""

    settings: GatewaySettings
    deps: Dependencies
    bus: MessageBus
    metrics: GatewayMetrics
    readiness: ReadinessProbe
    queue_depths: QueueDepthProbe | None = None
    background: set[asyncio.Task[None]] = field(default_factory=set)

    def spawn(self, name: str, job: Coroutine[Any, Any, object]) -> None:
        """Run a job after the answer, in this process, logging how it ends."""

        async def run() -> None:
            try:
                await job
            except asyncio.CancelledError:
                raise
            except StorageError as exc:  # the database is away: routine, one line
                log.warning("background_job_failed", job=name, error=str(exc))
            except Exception:
                log.exception("background_job_failed", job=name)
            else:
                log.info("background_job_done", job=name)

        task = asyncio.create_task(run(), name=name)
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    async def stop_background(self) -> None:
        """Cancel background jobs still running and wait for them to end."""
        for task in list(self.background):
            task.cancel()
        if self.background:
            await asyncio.gather(*self.background, return_exceptions=True)


def runtime_of(request: Request) -> Runtime:
    """The runtime of the app serving the request."""
    runtime: Runtime = request.app.state.runtime
    return runtime
