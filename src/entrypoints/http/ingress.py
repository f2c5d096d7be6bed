"""The two ingress endpoints: read the body within the limit, call the ingress use case, answer.

The policy (which checks, in which order, what is stored) is `services/ingress.py`; here only the
mapping of its outcome to the contract's status codes, and the count of each outcome.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from intrro_gateway.entrypoints.http.body import read_limited
from intrro_gateway.entrypoints.http.deadline import deadline_of
from intrro_gateway.entrypoints.http.problems import ProblemError
from intrro_gateway.entrypoints.http.runtime import Runtime, runtime_of
from intrro_gateway.services.ingress import (
    Outcome,
    Received,
    Refusal,
    receive_ats_webhook,
    receive_referral_event,
)

# A refusal's status and problem title.
_REFUSALS: dict[Refusal, tuple[int, str]] = {
    Refusal.UNKNOWN_TENANT: (404, "Not Found"),
    Refusal.UNAUTHORIZED: (401, "Unauthorized"),
    Refusal.MALFORMED: (400, "Bad Request"),
    Refusal.INVALID: (422, "Unprocessable Content"),
}


async def ats_webhook(request: Request) -> Response:
    """`POST /webhooks/{ats}/{tenant}`: 413, 404, ping, 401, 400, ignored, then stored and 200."""
    rt = runtime_of(request)
    body = await read_limited(request, rt.settings.max_body_bytes)
    async with asyncio.timeout_at(
        deadline_of(request, rt.settings.request_deadline.total_seconds())
    ):
        received = await receive_ats_webhook(
            rt.deps,
            request.path_params["ats"],
            request.path_params["tenant"],
            request.headers,
            body,
        )
    return _answer(rt, received, 200)


async def intrro_event(request: Request) -> Response:
    """`POST /events/intrro/{tenant}`: 413, 404, 401, 400, 422, ignored, then stored and 202."""
    rt = runtime_of(request)
    body = await read_limited(request, rt.settings.max_body_bytes)
    async with asyncio.timeout_at(
        deadline_of(request, rt.settings.request_deadline.total_seconds())
    ):
        received = await receive_referral_event(
            rt.deps, request.path_params["tenant"], request.headers, body
        )
    return _answer(rt, received, 202)


def _answer(rt: Runtime, received: Received, accepted: int) -> Response:
    """The contract's answer to an outcome (`accepted`: the sender's success status)."""
    if received.source is not None:
        rt.metrics.deliveries.labels(source=received.source, outcome=received.label).inc()
    if received.refusal is not None:
        status, title = _REFUSALS[received.refusal]
        raise ProblemError(status, title, received.detail, errors=received.errors)
    if received.outcome is Outcome.IGNORED:
        return JSONResponse({"ignored": True}, status_code=accepted)
    return JSONResponse({}, status_code=accepted)
