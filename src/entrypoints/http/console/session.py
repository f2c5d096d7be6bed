"""The console's session: one cookie, encrypted and authenticated with Fernet under a key derived from
the gateway's secret keys, `HttpOnly`, `SameSite=Strict`, scoped to `/console`.

It carries the API token the user signed in with (checked again on every request by the one token
check, so a revoked token ends the session at once) and the CSRF token every form echoes.
Fernet rather than Starlette's SessionMiddleware: the gateway already holds Fernet keys and the
`cryptography` library, Fernet also encrypts (the token inside is not readable from the cookie), and
its timestamp bounds the session's age; itsdangerous would be one more dependency that only signs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from starlette.requests import Request
from starlette.responses import Response

COOKIE = "igw_console"
MAX_AGE_S = 8 * 3600
_LABEL = b"intrro-gateway console session v1"


@dataclass(frozen=True, slots=True)
class Session:
    """What the cookie holds: the signed-in token (None before sign-in) and the CSRF token."""

    csrf: str
    token: str | None = None

    def __repr__(self) -> str:
        return f"Session(signed_in={self.token is not None})"


class SessionCodec:
    """Reads and writes the session cookie under keys derived from the secret keys (newest first)."""

    def __init__(self, secret_keys: Sequence[str], *, secure: bool) -> None:
        if not secret_keys:
            raise ValueError("the console needs at least one secret key")
        self._fernet = MultiFernet([Fernet(_derive(key)) for key in secret_keys])
        self._secure = secure

    def read(self, request: Request) -> Session | None:
        """The request's session, or None (none, tampered with, or older than `MAX_AGE_S`)."""
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            doc = json.loads(self._fernet.decrypt(raw.encode("ascii"), ttl=MAX_AGE_S))
        except (InvalidToken, ValueError, UnicodeEncodeError):
            return None
        if not isinstance(doc, dict) or not isinstance(doc.get("c"), str):
            return None
        token = doc.get("t")
        return Session(csrf=doc["c"], token=token if isinstance(token, str) else None)

    def write(self, response: Response, session: Session) -> None:
        """Set the cookie on the response."""
        value = self._fernet.encrypt(json.dumps({"c": session.csrf, "t": session.token}).encode())
        response.set_cookie(
            COOKIE,
            value.decode("ascii"),
            max_age=MAX_AGE_S,
            path="/console",
            httponly=True,
            samesite="strict",
            secure=self._secure,
        )


def new_session(token: str | None = None) -> Session:
    """A fresh session with a new CSRF token (a new one at every sign-in and sign-out)."""
    return Session(csrf=secrets.token_urlsafe(32), token=token)


def csrf_matches(session: Session | None, given: object) -> bool:
    """Whether a form's CSRF field equals the session's, compared in constant time."""
    if session is None or not isinstance(given, str) or not given:
        return False
    return hmac.compare_digest(session.csrf.encode(), given.encode("utf-8", "surrogatepass"))


def _derive(secret_key: str) -> bytes:
    """A Fernet key for sessions only, derived from a secret key: the keys that encrypt secrets at
    rest never encrypt a cookie themselves."""
    digest = hmac.new(secret_key.encode("ascii"), _LABEL, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest)
