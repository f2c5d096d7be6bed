"""The web hook half of a sandbox's control API, the same for every sandbox: default delivery options,
what was fired and delivered, releasing held deliveries and waiting for them all; over HTTP too
(`/_sandbox/options`, `/_sandbox/flush`, `/_sandbox/deliveries`).

What a recruiter does (each action firing its ATS's web hooks) is each sandbox's own `SandboxControl`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Generic, Protocol, TypeVar

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from intrro_gateway.sandboxes._common.bodies import parse_json_object
from intrro_gateway.sandboxes._common.delivery import DeliveryQueue
from intrro_gateway.sandboxes._common.errors import SandboxError

StateT = TypeVar("StateT", bound="_HasWebhooks")
OptionsT = TypeVar("OptionsT")
FiredT = TypeVar("FiredT")
DeliveryT = TypeVar("DeliveryT")

Handler = Callable[[Request, dict[str, Any]], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


class Dispatcher(Protocol[OptionsT, FiredT, DeliveryT]):
    """What the controls need of a sandbox's web hook dispatcher."""

    options: OptionsT
    fired: list[FiredT]
    deliveries: list[DeliveryT]

    def release(self) -> None:
        """Send the held deliveries."""

    async def flush(self) -> None:
        """Wait until every pending delivery has finished."""


class _HasWebhooks(Protocol):
    @property
    def webhooks(self) -> DeliveryQueue[Any]:
        """The sandbox's web hook dispatcher."""
        ...


class WebhookControls(Generic[StateT, OptionsT, FiredT, DeliveryT]):
    """The controls over a sandbox's web hook deliveries (`webhooks`: its dispatcher, typed by the
    sandbox's control), delivering through `webhook_client` when given."""

    def __init__(self, state: StateT, webhook_client: httpx.AsyncClient | None = None) -> None:
        self.state = state
        if webhook_client is not None:
            state.webhooks.client = webhook_client

    @property
    def webhooks(self) -> Dispatcher[OptionsT, FiredT, DeliveryT]:
        """The sandbox's web hook dispatcher."""
        raise NotImplementedError

    def set_delivery_options(self, options: OptionsT) -> None:
        """Apply these delivery options to every later firing that brings none of its own."""
        self.webhooks.options = options

    @property
    def deliveries(self) -> list[DeliveryT]:
        """Every delivery made so far."""
        return self.webhooks.deliveries

    @property
    def fired(self) -> list[FiredT]:
        """Every event fired so far, delivered or not."""
        return self.webhooks.fired

    def release(self) -> None:
        """Send the deliveries held by `reorder`, newest first."""
        self.webhooks.release()

    async def flush(self) -> None:
        """Release held deliveries and wait until every pending delivery has finished."""
        await self.webhooks.flush()


def guarded(handler: Handler, refused: Callable[[SandboxError | ValueError], Response]) -> Endpoint:
    """A control endpoint: the JSON object a POST brings (none for other methods) handed to `handler`;
    a SandboxError or ValueError it raises answered by `refused`."""

    async def endpoint(request: Request) -> Response:
        try:
            body = parse_json_object(await request.body()) if request.method == "POST" else {}
            return await handler(request, body)
        except (SandboxError, ValueError) as exc:
            return refused(exc)

    return endpoint


def delivery_routes(
    control: Callable[[Request], WebhookControls[Any, OptionsT, Any, Any]],
    options_from_json: Callable[[Mapping[str, Any]], OptionsT],
    refused: Callable[[SandboxError | ValueError], Response],
) -> list[Route]:
    """`POST /_sandbox/options` (default delivery options), `POST /_sandbox/flush` (wait for every
    delivery; answers how many were made) and `GET /_sandbox/deliveries` (each one made)."""

    async def set_options(request: Request, body: dict[str, Any]) -> Response:
        control(request).set_delivery_options(options_from_json(body))
        return JSONResponse({"ok": True})

    async def flush(request: Request, body: dict[str, Any]) -> Response:
        controls = control(request)
        await controls.flush()
        return JSONResponse({"deliveries": len(controls.deliveries)})

    async def deliveries(request: Request, body: dict[str, Any]) -> Response:
        return JSONResponse([dataclasses.asdict(d) for d in control(request).deliveries])

    return [
        Route("/_sandbox/options", guarded(set_options, refused), methods=["POST"]),
        Route("/_sandbox/flush", guarded(flush, refused), methods=["POST"]),
        Route("/_sandbox/deliveries", guarded(deliveries, refused), methods=["GET"]),
    ]
