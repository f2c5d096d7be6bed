"""A tiny recording Intrro: verifies each event it is sent and keeps it, for tests and the demo."""

from __future__ import annotations

from typing import Any, NamedTuple

from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from intrro_gateway.adapters.json_limits import loads_bounded


class ReceivedEvent(NamedTuple):
    """One event the receiver accepted: its `webhook-id`, `type` and `data`."""

    webhook_id: str
    type: str
    data: Any


def create_receiver_app(secret: str, *, fail_next: int = 0) -> Starlette:
    """A Starlette app recording each verified event POSTed to any path, answering 204.

    `app.state.received` is the list of `ReceivedEvent` tuples `(webhook_id, type, data)`;
    `app.state.fail_next` answers that many verified events with 503 first, without recording them.
    """
    webhook = Webhook(secret)

    async def receive(request: Request) -> Response:
        body = await request.body()
        try:
            # The library checks the timestamp against the real clock: right for a live receiver.
            webhook.verify(body, dict(request.headers), json_parse=False)
            document = loads_bounded(body)
        except (WebhookVerificationError, ValueError):
            return JSONResponse({"error": "the signature or the body does not check out"}, 401)
        if not isinstance(document, dict) or not isinstance(document.get("type"), str):
            return JSONResponse({"error": "not an event envelope"}, 400)
        state = request.app.state
        if state.fail_next > 0:
            state.fail_next -= 1
            return Response(status_code=503, headers={"retry-after": "1"})
        state.received.append(
            ReceivedEvent(request.headers["webhook-id"], document["type"], document.get("data"))
        )
        return Response(status_code=204)

    app = Starlette(routes=[Route("/{path:path}", receive, methods=["POST"])])
    app.state.received = []
    app.state.fail_next = fail_next
    return app
