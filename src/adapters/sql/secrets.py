"""Secrets at rest: Fernet encryption under a list of keys, newest first, so keys can rotate."""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

__all__ = ["InvalidSecretKeyError", "SecretCipher", "UndecryptableSecretError"]


class InvalidSecretKeyError(ValueError):
    """Raised when no key is given or a key is not a Fernet key (32 url-safe base64 bytes)."""


class UndecryptableSecretError(ValueError):
    """Raised when a stored secret was encrypted under none of the configured keys."""


class SecretCipher:
    """Encrypts with the newest key; decrypts with any of them."""

    def __init__(self, keys: Sequence[str]) -> None:
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

    def encrypt(self, plain: str) -> str:
        """The secret encrypted under the newest key."""
        return self._fernet.encrypt(plain.encode()).decode()

    def decrypt(self, token: str) -> str:
        """The secret in plain text."""
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise UndecryptableSecretError(
                "a stored secret matches none of the configured keys"
            ) from exc

    def rotate(self, token: str) -> str:
        """The same secret encrypted under the newest key."""
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken as exc:
            raise UndecryptableSecretError(
                "a stored secret matches none of the configured keys"
            ) from exc

    def __repr__(self) -> str:
        return "SecretCipher(keys=**********)"
