"""Logging: structlog configured once, every record (ours, uvicorn's, libraries') in one shape, redacted."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal
from urllib.parse import quote, quote_plus, unquote

import structlog
from stamina.instrumentation import RetryDetails, set_on_retry_hooks
from structlog.types import EventDict, Processor, WrappedLogger

REDACTED = "[redacted]"
_SENSITIVE_KEY = re.compile(
    r"secret|token|password|authorization|api_key|apikey|client_secret", re.I
)
# The at-sign of an address as it appears in logs: literal, percent-encoded (once or twice), or escaped.
_AT = r"(?:@|%40|%2540|\\u0040|\\x40|&#64;|&#x40;)"
# Every character an address may hold (RFC 5322 atext), so none is shown; in a URL the mask may take
# some of the path or query before the address with it, which costs context, never privacy.
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]"
_EMAIL = re.compile(
    rf"(?P<first>{_LOCAL})(?:{_LOCAL})*{_AT}(?P<domain>[A-Za-z0-9-]+(?:(?:\.|%2[Ee])[A-Za-z0-9-]+)+)",
    re.I,
)
# Secrets that may travel inside values: Standard Webhooks secrets, bearer tokens, Fernet tokens, the
# gateway's own API tokens.
_SECRET_VALUE = re.compile(
    r"whsec_[A-Za-z0-9+/=_%-]+|(?<=Bearer )[^\s\"',]+|gAAAAA[A-Za-z0-9_=-]{20,}|igw_[A-Za-z0-9_-]{16,}"
)
_LIBRARY_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "httpx", "httpcore", "sqlalchemy")
# Loggers whose INFO and DEBUG lines carry request URLs, headers or SQL parameters (personal data): only
# their warnings are kept, and those go through the same redaction as everything else.
_QUIET_LOGGERS = ("httpx", "httpcore", "sqlalchemy.engine", "hpack")
_KNOWN_MIN = 8  # shorter configured values would mask ordinary words


class _KnownSecrets:
    """The values of every configured secret and token (`register_secrets`), replaced wherever they
    show, in plain, percent-encoded or `+`-encoded form."""

    def __init__(self) -> None:
        self._pattern: re.Pattern[str] | None = None
        self._values: set[str] = set()

    def add(self, values: Iterable[str]) -> None:
        fresh: set[str] = set()
        for value in values:
            if len(value) >= _KNOWN_MIN:
                fresh |= {value, quote(value, safe=""), quote_plus(value), quote(value)}
        if fresh - self._values:  # recompiled only when a value is new
            self._values |= fresh
            ordered = sorted(self._values, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(v) for v in ordered), re.I)

    def clear(self) -> None:
        self._values.clear()
        self._pattern = None

    def mask(self, text: str) -> str:
        return text if self._pattern is None else self._pattern.sub("***", text)


_KNOWN = _KnownSecrets()


def register_secrets(values: Iterable[str]) -> None:
    """Add configured secret values (keys, tokens, passwords) that no log line may show."""
    _KNOWN.add(values)


def forget_secrets() -> None:
    """Forget the registered values (tests, or a process that loads other settings)."""
    _KNOWN.clear()


def mask_text(text: str) -> str:
    """The text with e-mail addresses masked (`a***@example.com`, also when percent-encoded, escaped or
    upper-case) and embedded or configured secrets removed."""
    masked = _KNOWN.mask(text)
    masked = _EMAIL.sub(lambda m: f"{m.group('first')[0]}***@{unquote(m.group('domain'))}", masked)
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
    shown = repr(value)
    masked = mask_text(shown)
    return masked if masked != shown else value


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
    secrets: Iterable[str] = (),
) -> None:
    """Configure structlog and the standard library so every line has one shape; call once at start.
    `secrets`: the configured secret values (keys, tokens, passwords) no line may show."""
    register_secrets(secrets)
    shared = shared_processors()
    renderer: Processor = (
        structlog.processors.JSONRenderer()
        if log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        # The level first: a line below it costs a look-up, not the chain (redaction and all).
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
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
    # Request lines (httpx logs every URL at INFO, and Harvest look-ups carry e-mail addresses in the
    # query), connection chatter and SQL parameters: warnings only, whatever the level.
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    # The adapters' in-call retries (stamina): one INFO line each, in this shape (stamina's own hooks
    # would log a warning, which a one-shot command prints beside its one line, and count into
    # prometheus-client's default registry, which /metrics does not serve).
    set_on_retry_hooks([log_retry])


def log_retry(details: RetryDetails) -> None:
    """A retry stamina scheduled: which call, the how-manieth retry, why (the adapters' `Retry` names
    the kind of failure and the port's error) and the wait."""
    structlog.get_logger("stamina").info(
        "retry.scheduled",
        call=details.name,
        retry=details.retry_num,
        cause=repr(details.caused_by),
        wait_s=round(details.wait_for, 2),
    )
