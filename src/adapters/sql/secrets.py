"""Secrets at rest: Fernet encryption under a list of keys, newest first, so keys can rotate; every
secret bound to its tenant and kind.

Fernet has no associated data, so the binding travels inside the encrypted plaintext:
`{"v": 1, "t": <tenant id>, "k": <kind>, "s": <secret>}`. Opening checks both against the row being
read, so a ciphertext copied into another tenant's row (or into another kind's column) is refused
instead of serving there. Rows written before the binding are re-encrypted by migration 0006.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from intrro_gateway.ports.unit_of_work import StoredSecretError

__all__ = [
    "SECRET_KINDS",
    "InvalidSecretKeyError",
    "MisboundSecretError",
    "SecretCipher",
    "UndecryptableSecretError",
]

_VERSION = 1

# The kind each secret column of `tenants` is bound to: a previous secret shares its current one's.
SECRET_KINDS = {
    "intrro_secret": "intrro",
    "intrro_secret_previous": "intrro",
    "webhook_secret": "ats_webhook",
    "webhook_secret_previous": "ats_webhook",
    "ats_credentials": "ats_credentials",
    "webhook_tokens": "ats_webhook_tokens",
}


class InvalidSecretKeyError(ValueError):
    """Raised when no key is given or a key is not a Fernet key (32 url-safe base64 bytes)."""


class UndecryptableSecretError(StoredSecretError, ValueError):
    """Raised when a stored secret was encrypted under none of the configured keys."""


class MisboundSecretError(StoredSecretError, ValueError):
    """Raised when a stored secret decrypts but belongs to another tenant or kind (copied, tampered
    with, or written before the binding)."""


class SecretCipher:
    """Encrypts with the newest key; decrypts with any of them; binds each secret to (tenant, kind)."""

    def __init__(
        self, keys: Sequence[str], *, on_open: Callable[[Sequence[str]], None] | None = None
    ) -> None:
        self._on_open = on_open
        if not keys:
            raise InvalidSecretKeyError("at least one Fernet key is needed")
        fernets: list[Fernet] = []
        for position, key in enumerate(keys):
            try:
                fernets.append(Fernet(key.strip().encode()))
            except (ValueError, TypeError) as exc:
                raise InvalidSecretKeyError(
                    f"secret key #{position + 1} is not a Fernet key"
                ) from exc
        self._fernet = MultiFernet(fernets)

    def notice(self, values: Sequence[str]) -> None:
        """Tell the `on_open` hook (the log redaction) of secret values just opened, so that no log
        line can show them."""
        if self._on_open is not None and values:
            self._on_open(values)

    def seal(self, plain: str, *, tenant_id: str, kind: str) -> str:
        """The secret, bound to its tenant and kind, encrypted under the newest key."""
        bound = json.dumps({"v": _VERSION, "t": tenant_id, "k": kind, "s": plain})
        return self.encrypt(bound)

    def open(self, token: str, *, tenant_id: str, kind: str) -> str:
        """The secret in plain text; MisboundSecretError unless it was sealed for this tenant and
        kind, UndecryptableSecretError when no configured key opens it."""
        try:
            bound = json.loads(self.decrypt(token))
        except ValueError as exc:
            if isinstance(exc, StoredSecretError):
                raise
            raise MisboundSecretError("a stored secret carries no tenant binding") from None
        if (
            not isinstance(bound, dict)
            or bound.get("v") != _VERSION
            or not isinstance(bound.get("s"), str)
        ):
            raise MisboundSecretError("a stored secret carries no tenant binding")
        if bound.get("t") != tenant_id or bound.get("k") != kind:
            raise MisboundSecretError(
                f"a stored {kind} secret of tenant {tenant_id!r} was sealed for another tenant "
                "or kind: refused"
            )
        secret: str = bound["s"]
        return secret

    def reseal(self, token: str, *, tenant_id: str, kind: str) -> str:
        """The same bound secret under the newest key, its binding checked on the way."""
        return self.seal(
            self.open(token, tenant_id=tenant_id, kind=kind), tenant_id=tenant_id, kind=kind
        )

    def encrypt(self, plain: str) -> str:
        """Text encrypted under the newest key, unbound (the migrations' and `seal`'s building block)."""
        return self._fernet.encrypt(plain.encode("utf-8", "surrogatepass")).decode()

    def decrypt(self, token: str) -> str:
        """Unbound text back; UndecryptableSecretError when no configured key opens it."""
        try:
            return self._fernet.decrypt(token.encode()).decode("utf-8", "surrogatepass")
        except InvalidToken as exc:
            raise UndecryptableSecretError(
                "a stored secret matches none of the configured keys"
            ) from exc

    def __repr__(self) -> str:
        return "SecretCipher(keys=**********)"
