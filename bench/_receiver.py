"""A recording Intrro receiver in its own process, for `bench/latency.py`: the time of each receipt.

    python bench/_receiver.py <port> <secret>

Every signed event POSTed to any path is verified and answered 204; the wall-clock time it arrived
(`time.time()`, comparable across processes of one machine) is kept with its `webhook-id`, type and
application id. `GET /received` answers them all as JSON.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import uvicorn
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


def app_for(secret: str) -> Starlette:
    """The recording app."""
    webhook = Webhook(secret)
    received: list[dict[str, Any]] = []

    async def receive(request: Request) -> Response:
        at = time.time()
        body = await request.body()
        try:
            webhook.verify(body, dict(request.headers), json_parse=False)
            document = json.loads(body)
        except (WebhookVerificationError, ValueError):
            return JSONResponse({"error": "bad signature or body"}, 401)
        data = document.get("data") or {}
        received.append(
            {
                "id": request.headers["webhook-id"],
                "type": document.get("type"),
                "application_id": data.get("application_id"),
                "at": at,
            }
        )
        return Response(status_code=204)

    async def listing(_: Request) -> Response:
        return JSONResponse(received)

    return Starlette(
        routes=[
            Route("/received", listing, methods=["GET"]),
            Route("/{path:path}", receive, methods=["POST"]),
        ]
    )


if __name__ == "__main__":
    port, secret = int(sys.argv[1]), sys.argv[2]
    uvicorn.run(app_for(secret), host="127.0.0.1", port=port, log_level="warning")
