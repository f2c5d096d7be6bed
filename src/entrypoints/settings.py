"""The gateway's configuration: read once at start-up from `GATEWAY_*` variables and a `.env` file,
by pydantic-settings (`GatewayEnvironment`), into the typed `GatewaySettings` the app is wired from.

The process environment wins over `.env`. Durations are written `500ms`, `30s`, `15m`, `6h`, `7d` (a bare
number is seconds); booleans `true`/`false`.

    ENV                        development (default) | production
    DATABASE_URL               sqlite+aiosqlite:///./intrro-gateway.db; postgresql+psycopg://… in production
    SECRET_KEYS                Fernet keys, comma-separated, newest first (generated into .env in development)
    API_TOKENS                 bearer tokens, comma-separated, 16+ characters (generated in development)
    LOG_FORMAT / LOG_LEVEL     console (development) | json (production); info
    PUBLIC_URL                 http://127.0.0.1:8000, the base of the web hook URLs in reports
    GREENHOUSE_BASE_URL        https://harvest.greenhouse.io; development: the sandbox, http://127.0.0.1:8001
    GREENHOUSE_AUTH_URL        https://auth.greenhouse.io; development: the sandbox
    SANDBOX_PORT               8001, where `serve` runs the bundled sandbox in development
    GREENHOUSE_TIMEOUT         20s, how long one Harvest call may take before it counts as timed out
    LEVER_BASE_URL             https://api.lever.co; development: the Lever sandbox, http://127.0.0.1:8002
    LEVER_SANDBOX_PORT         8002, where `serve` runs the bundled Lever sandbox in development
    RUN_WORKER                 true: `serve` runs the worker and the scheduler in-process
    AUTO_MIGRATE               true in development: migrate the schema when the app starts
    REQUEST_DEADLINE           10s, after which an ingress answers 503
    MAX_BODY_BYTES             1048576 (1 MiB): larger bodies answer 413
    CALLBACK_ALLOWED_HOSTS     none: in production, hosts (names, addresses, networks) a callback URL may
                               reach although they are loopback, link-local, private or multicast
    LEASE, BACKOFF_BASE, BACKOFF_CAP, RETRY_HORIZON, MAX_ATTEMPTS, POLL_INTERVAL, BATCH_SIZE,
    DEFER_DELAY, DEFER_WINDOW, LOCK_TTL, SECRET_GRACE, BODY_RETENTION, RECONCILE_INTERVAL,
    RECONCILE_OVERLAP (10m), JOBS_SYNC_INTERVAL, CONNECTION_CHECK_INTERVAL, SOURCE_NAME, TAG_NAME,
    EXPORT_ATTEMPTS_AFTER_WRITE
                               the services' timings and names (`services.settings.ServiceSettings`)
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal, TypeVar
from urllib.parse import unquote, urlsplit

from cryptography.fernet import Fernet
from pydantic import BeforeValidator, ValidationError
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings.sources.utils import parse_env_vars

from intrro_gateway.domain.destinations import DestinationPolicy
from intrro_gateway.services.settings import ServiceSettings

T = TypeVar("T")

PRODUCTION_GREENHOUSE_BASE_URL = "https://harvest.greenhouse.io"
PRODUCTION_GREENHOUSE_AUTH_URL = "https://auth.greenhouse.io"
PRODUCTION_LEVER_BASE_URL = "https://api.lever.co"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./intrro-gateway.db"

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class SettingsError(Exception):
    """Raised when a setting is missing or malformed; the message is one line naming it."""


class Secret:
    """A configuration value that never shows in `repr` or `str`."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and hmac.compare_digest(
            self._value.encode(), other._value.encode()
        )

    def __hash__(self) -> int:
        return hash(self._value)


def parse_duration(text: str) -> timedelta:
    """A duration such as `90`, `90s`, `500ms`, `15m`, `6h` or `7d` (bare numbers are seconds)."""
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a duration such as 30s, 500ms, 15m, 6h or 7d")
    seconds = float(match.group(1)) * _UNITS[match.group(2) or "s"]
    try:
        return timedelta(seconds=seconds)
    except OverflowError:
        raise ValueError(f"{text!r} is longer than a duration can be") from None


def parse_bool(text: str) -> bool:
    """A boolean written as true/false, yes/no, on/off or 1/0."""
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"{text!r} is not a boolean (true or false)")


def parse_origin(text: str) -> str:
    """An http(s) origin without a path, its trailing slash removed."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{text!r} is not an http(s) URL")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"{text!r} must be an origin only (scheme, host and port)")
    return f"{parts.scheme}://{parts.netloc}"


def parse_public_url(text: str) -> str:
    """An http(s) base URL, its trailing slash removed."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{text!r} is not an http(s) URL")
    return text.strip().rstrip("/")


def parse_database_url(text: str) -> str:
    """A SQLAlchemy async URL for SQLite or PostgreSQL; plain `sqlite:`/`postgresql:` get a driver."""
    url = text.strip()
    for plain, driver in (
        ("sqlite://", "sqlite+aiosqlite://"),
        ("postgresql://", "postgresql+psycopg://"),
    ):
        if url.startswith(plain):
            url = driver + url[len(plain) :]
    if not url.startswith(("sqlite+aiosqlite://", "postgresql+psycopg://")):
        raise ValueError("must start with sqlite+aiosqlite:// or postgresql+psycopg://")
    return url


def parse_fernet_keys(text: str) -> tuple[Secret, ...]:
    """Comma-separated Fernet keys, newest first."""
    keys = [part.strip() for part in text.split(",") if part.strip()]
    if not keys:
        raise ValueError("no key given")
    for index, key in enumerate(keys, start=1):
        try:
            raw = base64.urlsafe_b64decode(key.encode("ascii"))
        except (binascii.Error, UnicodeEncodeError, ValueError):
            raw = b""
        if len(raw) != 32:  # a Fernet key is 32 url-safe base64 bytes
            raise ValueError(f"key #{index} is not a Fernet key (32 url-safe base64-encoded bytes)")
    return tuple(Secret(key) for key in keys)


def parse_tokens(text: str) -> tuple[Secret, ...]:
    """Comma-separated API tokens, each at least 16 characters."""
    tokens = [part.strip() for part in text.split(",") if part.strip()]
    if not tokens:
        raise ValueError("no token given")
    for index, token in enumerate(tokens, start=1):
        if len(token) < 16:  # shorter tokens are guessable
            raise ValueError(f"token #{index} is shorter than 16 characters")
    return tuple(Secret(token) for token in tokens)


def mask_url(url: str) -> str:
    """A URL with its password hidden, for display."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


@dataclass(frozen=True, slots=True, kw_only=True)
class GatewaySettings:
    """Every setting of the gateway, typed and validated; secrets wrapped in `Secret`."""

    env: Literal["development", "production"]
    database_url: str = field(repr=False)
    secret_keys: tuple[Secret, ...]
    api_tokens: tuple[Secret, ...]
    log_format: Literal["console", "json"]
    log_level: str
    public_url: str
    greenhouse_base_url: str
    greenhouse_auth_url: str
    greenhouse_timeout: timedelta
    sandbox_port: int
    lever_base_url: str
    lever_sandbox_port: int
    run_worker: bool
    auto_migrate: bool
    request_deadline: timedelta
    max_body_bytes: int
    service: ServiceSettings
    env_file: Path | None = None
    notices: tuple[str, ...] = ()

    @property
    def is_production(self) -> bool:
        """Whether the gateway runs in production."""
        return self.env == "production"

    @property
    def database_display(self) -> str:
        """The database URL with any password hidden."""
        return mask_url(self.database_url)

    def secret_values(self) -> tuple[str, ...]:
        """Every configured secret value (keys, tokens, the database password), for log redaction."""
        password = urlsplit(self.database_url).password
        values = [key.reveal() for key in (*self.secret_keys, *self.api_tokens)]
        return tuple(values + ([unquote(password)] if password else []))

    @property
    def uses_sandbox(self) -> bool:
        """Whether Greenhouse is the bundled sandbox on this host (development defaults)."""
        return self.greenhouse_base_url == f"http://127.0.0.1:{self.sandbox_port}"

    @property
    def uses_lever_sandbox(self) -> bool:
        """Whether Lever is the bundled Lever sandbox on this host (development defaults)."""
        return self.lever_base_url == f"http://127.0.0.1:{self.lever_sandbox_port}"


def parse_host_list(text: str) -> tuple[str, ...]:
    """Comma-separated host names, addresses or networks (`intrro.internal, 10.0.0.0/8`)."""
    hosts = tuple(part.strip() for part in text.split(",") if part.strip())
    DestinationPolicy.of(enforced=True, allowed_hosts=hosts)  # raises ValueError naming a bad one
    return hosts


def _lower_choice(*allowed: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.strip().lower()
        if value not in allowed:
            raise ValueError(f"{text!r} is not one of {', '.join(allowed)}")
        return value

    return parse


def _positive_int(text: str) -> int:
    try:
        value = int(str(text).strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise ValueError(f"{text!r} is not positive")
    return value


def _port(text: str) -> int:
    value = _positive_int(text)
    if value > 65535:
        raise ValueError(f"{value} is not a TCP port")
    return value


def _parsed(parse: Callable[[str], T]) -> BeforeValidator:
    """Read a text value with `parse` (a default, already typed, passes as it is)."""
    return BeforeValidator(lambda value: parse(value) if isinstance(value, str) else value)


Duration = Annotated[timedelta, _parsed(parse_duration)]
Flag = Annotated[bool, _parsed(parse_bool)]
Count = Annotated[int, _parsed(_positive_int)]
Text = Annotated[str, _parsed(str.strip)]
Origin = Annotated[str | None, _parsed(parse_origin)]
Secrets = Annotated[tuple[Secret, ...] | None, _parsed(parse_fernet_keys)]
Tokens = Annotated[tuple[Secret, ...] | None, _parsed(parse_tokens)]
_BASE = ServiceSettings()


class GatewayEnvironment(BaseSettings):
    """Every `GATEWAY_*` setting as pydantic-settings reads it from the environment and `.env`; a
    field left None takes a default that depends on `env` (see `load_settings`)."""

    model_config = SettingsConfigDict(
        env_prefix="GATEWAY_",
        env_ignore_empty=True,
        enable_decoding=False,
        extra="ignore",
        arbitrary_types_allowed=True,
        frozen=True,
    )

    env: Annotated[str, _parsed(_lower_choice("development", "production"))] = "development"
    database_url: Annotated[str, _parsed(parse_database_url)] = DEFAULT_DATABASE_URL
    secret_keys: Secrets = None
    api_tokens: Tokens = None
    log_format: Annotated[str | None, _parsed(_lower_choice("console", "json"))] = None
    log_level: Annotated[str, _parsed(_lower_choice("debug", "info", "warning", "error"))] = "info"
    public_url: Annotated[str, _parsed(parse_public_url)] = "http://127.0.0.1:8000"
    greenhouse_base_url: Origin = None
    greenhouse_auth_url: Origin = None
    greenhouse_timeout: Duration = timedelta(seconds=20)
    sandbox_port: Annotated[int, _parsed(_port)] = 8001
    lever_base_url: Origin = None
    lever_sandbox_port: Annotated[int, _parsed(_port)] = 8002
    run_worker: Flag = True
    auto_migrate: Annotated[bool | None, _parsed(parse_bool)] = None
    request_deadline: Duration = timedelta(seconds=10)
    max_body_bytes: Count = 1024 * 1024
    callback_allowed_hosts: Annotated[tuple[str, ...], _parsed(parse_host_list)] = ()
    lease: Duration = _BASE.lease
    backoff_base: Duration = _BASE.backoff_base
    backoff_cap: Duration = _BASE.backoff_cap
    retry_horizon: Duration = _BASE.retry_horizon
    max_attempts: Count = _BASE.max_attempts
    poll_interval: Duration = _BASE.poll_interval
    batch_size: Count = _BASE.batch_size
    defer_delay: Duration = _BASE.defer_delay
    defer_window: Duration = _BASE.defer_window
    lock_ttl: Duration = _BASE.lock_ttl
    secret_grace: Duration = _BASE.secret_grace
    body_retention: Duration = _BASE.body_retention
    reconcile_interval: Duration = _BASE.reconcile_interval
    reconcile_overlap: Duration = _BASE.reconcile_overlap
    jobs_sync_interval: Duration = _BASE.jobs_sync_interval
    connection_check_interval: Duration = _BASE.connection_check_interval
    source_name: Text = _BASE.source_name
    tag_name: Text = _BASE.tag_name
    export_attempts_after_write: Count = _BASE.export_attempts_after_write

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only what `read_environment` gathers (its environment, then `.env`), never the process
        environment behind the caller's back."""
        return (init_settings,)


class _Environment(EnvSettingsSource):
    """The environment source on a given mapping (a snapshot of the process environment, or a
    test's), instead of `os.environ`."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._environ = dict(environ)
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(
            self._environ, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str
        )


def read_environment(path: Path | None, environ: Mapping[str, str]) -> GatewayEnvironment:
    """Every setting from `environ` and the `.env` file at `path` (the environment wins); raises
    SettingsError, one line naming the first bad setting."""
    from_file = DotEnvSettingsSource(GatewayEnvironment, env_file=path) if path else None
    values = {**(from_file() if from_file else {}), **_Environment(GatewayEnvironment, environ)()}
    try:
        return GatewayEnvironment(**values)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        name = str(error["loc"][0]).upper() if error["loc"] else "?"
        message = " ".join(str(error["msg"]).removeprefix("Value error, ").split())
        raise SettingsError(f"GATEWAY_{name} is malformed: {message}") from None


def _generate_missing(env_file: Path, read: GatewayEnvironment) -> list[str]:
    """Write a Fernet key and an API token into `.env` when they are missing (development only)."""
    additions: list[tuple[str, str]] = []
    if read.secret_keys is None:
        additions.append(("GATEWAY_SECRET_KEYS", Fernet.generate_key().decode("ascii")))
    if read.api_tokens is None:
        additions.append(("GATEWAY_API_TOKENS", secrets.token_urlsafe(32)))
    if not additions:
        return []
    existing = env_file.read_text(encoding="utf-8") if env_file.exists() else ""
    lines = "".join(f"{name}={value}\n" for name, value in additions)
    separator = "" if not existing or existing.endswith("\n") else "\n"
    env_file.write_text(existing + separator + lines, encoding="utf-8")
    env_file.chmod(0o600)
    return [f"generated {name} into {env_file.resolve()}" for name, _ in additions]


def _service_settings(read: GatewayEnvironment, *, production: bool) -> ServiceSettings:
    """The services' settings: every field the model reads under the same name."""
    named = {
        f.name: getattr(read, f.name) for f in fields(ServiceSettings) if hasattr(read, f.name)
    }
    policy = DestinationPolicy.of(enforced=production, allowed_hosts=read.callback_allowed_hosts)
    return ServiceSettings(**{**named, "callback_policy": policy})


def load_settings(
    env_file: str | Path | None = ".env",
    environ: Mapping[str, str] | None = None,
    *,
    generate: bool = True,
) -> GatewaySettings:
    """Read and check every setting; raises SettingsError naming the first bad one.

    `environ` defaults to a snapshot of the process environment, which wins over the `.env` file. In
    development, with `generate`, a missing secret key or API token is written into the `.env` file and
    `notices` says so.
    """
    path = Path(env_file) if env_file is not None else None
    snapshot = dict(os.environ if environ is None else environ)
    read = read_environment(path, snapshot)
    notices: list[str] = []
    if read.env == "development" and generate and path is not None:
        notices = _generate_missing(path, read)
        if notices:
            read = read_environment(path, snapshot)
    for name, value in (("SECRET_KEYS", read.secret_keys), ("API_TOKENS", read.api_tokens)):
        if value is None:
            raise SettingsError(f"GATEWAY_{name} is missing (required in {read.env})")
    production = read.env == "production"
    sandbox = f"http://127.0.0.1:{read.sandbox_port}"
    log_format = read.log_format or ("json" if production else "console")
    return GatewaySettings(
        env="production" if production else "development",
        database_url=read.database_url,
        secret_keys=read.secret_keys or (),
        api_tokens=read.api_tokens or (),
        log_format="json" if log_format == "json" else "console",
        log_level=read.log_level.upper(),
        public_url=read.public_url,
        greenhouse_base_url=read.greenhouse_base_url
        or (PRODUCTION_GREENHOUSE_BASE_URL if production else sandbox),
        greenhouse_auth_url=read.greenhouse_auth_url
        or (PRODUCTION_GREENHOUSE_AUTH_URL if production else sandbox),
        sandbox_port=read.sandbox_port,
        lever_base_url=read.lever_base_url
        or (
            PRODUCTION_LEVER_BASE_URL
            if production
            else f"http://127.0.0.1:{read.lever_sandbox_port}"
        ),
        greenhouse_timeout=read.greenhouse_timeout,
        lever_sandbox_port=read.lever_sandbox_port,
        run_worker=read.run_worker,
        auto_migrate=not production if read.auto_migrate is None else read.auto_migrate,
        request_deadline=read.request_deadline,
        max_body_bytes=read.max_body_bytes,
        service=_service_settings(read, production=production),
        env_file=path,
        notices=tuple(notices),
    )
