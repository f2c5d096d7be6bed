"""Harvest v3 request handling: bearer auth, per-credential rate limit, scopes, and the list routes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from intrro_gateway.sandboxes.greenhouse._auth import Principal, authenticate
from intrro_gateway.sandboxes.greenhouse._http import (
    error_response,
    forbidden,
    json_response,
    query_error,
    sandbox_state,
    unauthorized,
)
from intrro_gateway.sandboxes.greenhouse._listing import ListSpec, list_page
from intrro_gateway.sandboxes.greenhouse._query import QueryError
from intrro_gateway.sandboxes.greenhouse._resources import SPECS
from intrro_gateway.sandboxes.greenhouse._scopes import list_scope
from intrro_gateway.sandboxes.greenhouse.errors import SandboxError

HarvestHandler = Callable[[Request, Principal], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


def harvest_endpoint(
    scope: str, *, list_call: bool = False
) -> Callable[[HarvestHandler], Endpoint]:
    """Wrap a handler with Greenhouse's checks: 401, then 429, then 403 (scope, site admin)."""

    def wrap(handler: HarvestHandler) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            state = sandbox_state(request)
            principal = authenticate(state, request)
            if principal is None:
                return unauthorized()
            decision = state.limiter.hit(
                "harvest",
                principal.credential.client_id,
                state.harvest_rate_limit,
                state.clock.epoch(),
            )
            if not decision.allowed:
                state.rate_limited += 1
                response = json_response({"message": "Too Many Requests"}, 429)
            elif scope not in principal.credential.scopes:
                response = forbidden(f"The credential is missing the scope {scope}")
            elif list_call and not principal.site_admin:
                response = forbidden("List endpoints require a Site Admin")
            else:
                try:
                    response = await handler(request, principal)
                except SandboxError as exc:
                    response = error_response(exc)
            response.headers.update(decision.headers())
            return response

        return endpoint

    return wrap


def _list_handler(spec: ListSpec) -> HarvestHandler:
    async def handler(request: Request, principal: Principal) -> Response:
        state = sandbox_state(request)
        try:
            page, _, _ = list_page(
                spec, state.table(spec.resource), list(request.query_params.multi_items())
            )
        except QueryError as exc:
            return query_error(str(exc))
        link = ""
        if page.next_cursor is not None:
            next_url = request.url.replace(query=urlencode({"cursor": page.next_cursor}))
            link = f'<{next_url}>; rel="next"'
        return json_response(page.records, headers={"Link": link})

    return handler


def list_routes() -> list[Route]:
    """`GET /v3/<resource>` for every resource the sandbox serves (and no `/{id}` routes)."""
    return [
        Route(
            f"/v3/{resource}",
            harvest_endpoint(list_scope(resource), list_call=True)(_list_handler(spec)),
            methods=["GET"],
        )
        for resource, spec in SPECS.items()
    ]
