"""The OAuth side: `POST /token` (client credentials), `POST /introspect`, bearer checks for Harvest."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from intrro_gateway.sandboxes._common.auth import parse_basic as parse_basic
from intrro_gateway.sandboxes.greenhouse._clock import format_seconds
from intrro_gateway.sandboxes.greenhouse._http import json_response, sandbox_state
from intrro_gateway.sandboxes.greenhouse.state import Credential, IssuedToken, SandboxState


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a Harvest request acts as: the credential and the token's user."""

    credential: Credential
    user_id: int
    site_admin: bool


def parse_form(body: bytes) -> dict[str, str] | None:
    """An `application/x-www-form-urlencoded` body; None when it is not valid."""
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body))
    except (UnicodeDecodeError, ValueError):
        return None
    return dict(pairs)


def _oauth_error(error: str, description: str, status_code: int = 400) -> Response:
    return json_response({"error": error, "error_description": description}, status_code)


def _client(state: SandboxState, request: Request) -> Credential | None:
    pair = parse_basic(request.headers.get("authorization"))
    if pair is None:
        return None
    credential = state.credentials.get(pair[0])
    if credential is None or credential.revoked:
        return None
    if not hmac.compare_digest(credential.client_secret.encode(), pair[1].encode()):
        return None
    return credential


async def token_endpoint(request: Request) -> Response:
    """`POST /token`: `grant_type=client_credentials` with optional `sub`, Basic client auth."""
    state = sandbox_state(request)
    pair = parse_basic(request.headers.get("authorization"))
    # The allowance is per client; requests without client credentials share one per address.
    caller = request.client.host if request.client else "unknown"
    key = pair[0] if pair else f"address:{caller}"
    decision = state.limiter.hit("token", key, state.token_rate_limit, state.clock.epoch())
    if not decision.allowed:
        response = json_response({"error": "rate_limited"}, 429)
    else:
        response = await _token(state, request)
    response.headers.update(decision.headers())
    return response


async def _token(state: SandboxState, request: Request) -> Response:
    credential = _client(state, request)
    if credential is None:
        return _oauth_error("invalid_client", "Client authentication failed", 401)
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return _oauth_error("invalid_request", "Use application/x-www-form-urlencoded")
    form = parse_form(await request.body())
    if form is None:
        return _oauth_error("invalid_request", "Malformed form body")
    if form.get("grant_type") != "client_credentials":
        return _oauth_error("unsupported_grant_type", "Only client_credentials is supported")
    unknown = set(form) - {"grant_type", "sub"}
    if unknown:
        return _oauth_error("invalid_request", f"Unknown parameters: {', '.join(sorted(unknown))}")
    sub = credential.service_user_id
    if "sub" in form:
        raw = form["sub"]
        user = state.tables["users"].get(int(raw)) if raw.isascii() and raw.isdigit() else None
        if user is None or user["deactivated"] or user["_service_account"]:
            return _oauth_error("invalid_grant", f"sub {raw!r} is not a user of this organization")
        sub = int(raw)
    token = state.issue_token(credential.client_id, sub)
    return json_response(
        {
            "token_type": "Bearer",
            "access_token": token.token,
            "expires_at": format_seconds(token.expires_at),
        }
    )


def _live_token(state: SandboxState, raw: str | None) -> IssuedToken | None:
    token = state.tokens.get(raw) if raw else None
    if token is None or token.expires_at <= state.clock.now():
        return None
    credential = state.credentials.get(token.client_id)
    if credential is None or credential.revoked:
        return None
    return token


async def introspect_endpoint(request: Request) -> Response:
    """`POST /introspect`: `{active, client_id, sub, scope}` for a token of the calling client."""
    state = sandbox_state(request)
    credential = _client(state, request)
    if credential is None:
        return _oauth_error("invalid_client", "Client authentication failed", 401)
    if not credential.introspection:
        return json_response({"message": "Resource not found"}, 404)
    form = parse_form(await request.body()) or {}
    token = _live_token(state, form.get("token"))
    if token is None or token.client_id != credential.client_id:
        return json_response({"active": False})
    user = state.tables["users"].get(token.sub)
    return json_response(
        {
            "active": True,
            "client_id": credential.client_id,
            "sub": str(token.sub),
            "scope": " ".join(sorted(credential.scopes)),
            "exp": int(token.expires_at.timestamp()),
            "https://auth.greenhouse.io/claims": {
                "organization": {"id": state.ORGANIZATION_ID, "name": state.ORGANIZATION_NAME},
                "user_role": "site_admin" if user and user["site_admin"] else "basic",
            },
        }
    )


def authenticate(state: SandboxState, request: Request) -> Principal | None:
    """The principal behind a `Bearer` token, or None when it is missing, unknown or expired."""
    header = request.headers.get("authorization", "")
    raw = header[7:].strip() if header.startswith("Bearer ") else None
    token = _live_token(state, raw)
    if token is None:
        return None
    user = state.tables["users"].get(token.sub)
    if user is None or user["deactivated"]:
        return None
    credential = state.credentials[token.client_id]
    return Principal(credential=credential, user_id=token.sub, site_admin=bool(user["site_admin"]))
