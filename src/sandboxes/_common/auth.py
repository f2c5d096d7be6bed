"""HTTP Basic credentials, as both sandboxes' ATSs take them (a client id and secret, an API key)."""

from __future__ import annotations

import base64
import binascii


def parse_basic(header: str | None) -> tuple[str, str] | None:
    """`Basic base64(user:password)` into (user, password); None when absent or malformed."""
    if header is None or not header.startswith("Basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None
