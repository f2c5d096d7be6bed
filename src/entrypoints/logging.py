"""Logging: structlog configured once, every record (ours, uvicorn's, libraries') in one shape, redacted."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any, Literal

import structlog
from structlog.types import EventDict, Processor, WrappedLogger

REDACTED = "[redacted]"
_SENSITIVE_KEY = re.compile(
    r"secret|token|password|authorization|api_key|apikey|client_secret", re.I
)
_EMAIL = re.compile(
    r"([A-Za-z0-9!#$%&'*+/=?^_`{|}~-])[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)"
)
# Secrets that may travel inside values: Standard Webhooks secrets, bearer tokens, Fernet tokens.
_SECRET_VALUE = re.compile(
    r"whsec_[A-Za-z0-9+/=_-]+|(?<=Bearer )[^\s\"',]+|gAAAAA[A-Za-z0-9_=-]{20,}"
)
_LIBRARY_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "httpx", "httpcore", "sqlalchemy")


def mask_text(text: str) -> str:
    """The text with e-mail addresses masked (`a***@example.com`) and embedded secrets removed."""
    masked = _EMAIL.sub(r"\1***@\2", text)
    return _SECRET_VALUE.sub(
        lambda m: "whsec_***" if m.group(0).startswith("whsec_") else "***", masked
    )


def is_sensitive_key(key: object) -> bool:
    """Whether a key names a secret, a token, a password or a credential."""
    return isinstance(key, str) and _SENSITIVE_KEY.search(key) is not None


def redact_value(value: Any) -> Any:
    """A value with every sensitive key redacted and every string masked, recursively."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, Mapping):
        return {k: REDACTED if is_sensitive_key(k) else redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [redact_value(item) for item in value]
    if isinstance(value, bytes):
        return mask_text(value.decode("utf-8", "replace"))
    if value is None or isinstance(value, bool | int | float):
        return value
    return mask_text(repr(value)) if _EMAIL.search(repr(value)) else value


def redact(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
    """structlog processor: drops secrets and masks e-mail addresses in every key and value."""
    return {
        key: REDACTED if is_sensitive_key(key) else redact_value(value)
        for key, value in event_dict.items()
    }


def shared_processors() -> list[Processor]:
    """The processors every record goes through, ours and foreign, `merge_contextvars` first."""
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        redact,
    ]


def configure_logging(
    log_format: Literal["console", "json"] = "console",
    level: str = "INFO",
    *,
    cache_loggers: bool = True,
) -> None:
    """Configure structlog and the standard library so every line has one shape; call once at start."""
    shared = shared_processors()
    renderer: Processor = (
        structlog.processors.JSONRenderer()
        if log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=cache_loggers,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in _LIBRARY_LOGGERS:
        library = logging.getLogger(name)
        library.handlers.clear()
        library.propagate = True
    # SQL statements and HTTP connection chatter only at DEBUG: they may carry personal data.
    for name in ("sqlalchemy.engine", "httpcore"):
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
