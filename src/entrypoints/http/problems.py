"""RFC 9457 problem+json answers, and the one map from errors to HTTP statuses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import structlog
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from intrro_gateway.ports.unit_of_work import (
    InvalidCursorError,
    StorageUnavailableError,
    StoredSecretError,
)
from intrro_gateway.services.errors import (
    CredentialRefusedError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
)

PROBLEM_MEDIA_TYPE = "application/problem+json"

log = structlog.get_logger(__name__)


class ProblemError(Exception):
    """Raised by an endpoint to answer with a problem: a status, a title, and what went wrong."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        *,
        errors: Sequence[str] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = list(errors)
        self.headers = dict(headers or {})


def problem_response(
    request: Request,
    status: int,
    title: str,
    detail: str | None = None,
    *,
    errors: Sequence[str] = (),
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A problem+json response for the request."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body["instance"] = request.url.path
    if errors:
        body["errors"] = list(errors)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


async def _problem(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, ProblemError):  # registered for ProblemError only
        raise exc
    return problem_response(
        request, exc.status, exc.title, exc.detail, errors=exc.errors, headers=exc.headers
    )


async def _http(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):  # registered for HTTPException only
        raise exc
    title = {404: "Not Found", 405: "Method Not Allowed"}.get(exc.status_code, "HTTP error")
    return problem_response(
        request, exc.status_code, title, str(exc.detail), headers=exc.headers or None
    )


async def _not_found(request: Request, exc: Exception) -> Response:
    return problem_response(request, 404, "Not Found", str(exc))


async def _invalid(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, InvalidInputError):  # registered for InvalidInputError only
        raise exc
    return problem_response(
        request, 422, "Invalid input", "the request breaks the rules below", errors=exc.errors
    )


async def _forbidden(request: Request, exc: Exception) -> Response:
    return problem_response(request, 403, "Forbidden", str(exc))


async def _bad_cursor(request: Request, exc: Exception) -> Response:
    return problem_response(
        request, 400, "Bad Request", "the cursor is not one this listing gave", errors=["cursor"]
    )


async def _refused(request: Request, exc: Exception) -> Response:
    return problem_response(request, 422, "Credential refused", str(exc))


async def _unavailable(request: Request, exc: Exception) -> Response:
    log.warning("storage_unavailable", path=request.url.path, error=str(exc))
    return problem_response(
        request,
        503,
        "Service Unavailable",
        "the database cannot take the request now; try again",
        headers={"Retry-After": "5"},
    )


async def _secret_refused(request: Request, exc: Exception) -> Response:
    # A stored secret that no key opens, or that was sealed for another tenant or kind: the row is not
    # used (a copied secret must not verify anything); the operator has to repair it.
    log.error("stored_secret_refused", path=request.url.path, error=str(exc))
    return problem_response(
        request,
        503,
        "Service Unavailable",
        "the tenant's stored secrets cannot be used; the operator has been told",
        headers={"Retry-After": "60"},
    )


async def _timeout(request: Request, exc: Exception) -> Response:
    log.warning("request_deadline_exceeded", path=request.url.path)
    return problem_response(
        request,
        503,
        "Service Unavailable",
        "the request could not be completed within its deadline; try again",
        headers={"Retry-After": "5"},
    )


async def _internal(request: Request, exc: Exception) -> Response:
    log.error("unhandled_error", path=request.url.path, exc_info=exc)
    return problem_response(request, 500, "Internal Server Error", "an unexpected error occurred")


ExceptionHandler = Callable[[Request, Exception], Awaitable[Response]]

EXCEPTION_HANDLERS: Mapping[Any, ExceptionHandler] = {
    ProblemError: _problem,
    HTTPException: _http,
    NotFoundError: _not_found,
    InvalidInputError: _invalid,
    ForbiddenError: _forbidden,
    InvalidCursorError: _bad_cursor,
    CredentialRefusedError: _refused,
    StorageUnavailableError: _unavailable,
    StoredSecretError: _secret_refused,
    TimeoutError: _timeout,
    Exception: _internal,  # Starlette runs this one outermost, for anything not mapped above
}
