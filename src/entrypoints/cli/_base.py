"""What every command shares: the error that ends a command, the consoles, loading the settings,
and a container opened for the length of one command."""

from __future__ import annotations

import asyncio
import inspect
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from rich.console import Console

from intrro_gateway.adapters.sql.migrate import head_revision, is_current, upgrade
from intrro_gateway.entrypoints.container import Container, build_container
from intrro_gateway.entrypoints.logging import configure_logging
from intrro_gateway.entrypoints.serving import event_loop_factory
from intrro_gateway.entrypoints.settings import GatewaySettings, SettingsError, load_settings
from intrro_gateway.ports.unit_of_work import StorageError
from intrro_gateway.services.deps import Dependencies

T = TypeVar("T")

# Captured or piped output has no terminal width; wide enough that tables keep one line per row.
_PIPE_WIDTH = 160


class CliError(Exception):
    """Raised by a command to stop with one line on stderr and an exit code (1 unless told)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def console() -> Console:
    """A console on the current stdout: colours and live bars on a terminal only."""
    out = Console(highlight=False, soft_wrap=True, markup=False, emoji=False)
    if not out.is_terminal:
        out.width = _PIPE_WIDTH
    return out


def err_console() -> Console:
    """A console on the current stderr, for notices and errors."""
    err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False, emoji=False)
    if not err.is_terminal:
        err.width = _PIPE_WIDTH
    return err


def settings_for_command(*, log_level: str | None = None) -> GatewaySettings:
    """Load the settings (raising CliError with the one line naming a bad one) and configure logging.

    Loggers are left uncached so that `main` can run many times in one process (tests, embedding).
    """
    try:
        settings = load_settings()
    except SettingsError as exc:
        raise CliError(str(exc)) from None
    configure_logging(
        settings.log_format,
        log_level or settings.log_level,
        cache_loggers=False,
        secrets=settings.secret_values(),
    )
    for notice in settings.notices:
        err_console().print(f"intrro-gateway: {notice}")
    return settings


def one_shot_log_level(args: Any) -> str | None:
    """Commands that run once log warnings and errors only, unless `--verbose` was given."""
    return None if getattr(args, "verbose", False) else "WARNING"


def ensure_schema(settings: GatewaySettings) -> None:
    """Make sure the database is at the newest schema: migrated in development (`auto_migrate`),
    otherwise a CliError telling the operator to run `intrro-gateway migrate`."""
    try:
        if is_current(settings.database_url):
            return
        if not settings.auto_migrate:
            raise CliError(
                f"the database at {settings.database_display} is not at the newest schema "
                f"({head_revision()}): run intrro-gateway migrate"
            )
        upgrade(settings.database_url, secret_keys=[k.reveal() for k in settings.secret_keys])
    except StorageError as exc:
        raise CliError(f"cannot use the database at {settings.database_display}: {exc}") from None
    err_console().print(
        f"intrro-gateway: migrated the database at {settings.database_display} to the newest schema"
    )


async def resolve(value: Any) -> Any:
    """A provider's value, awaited when the provider answered in async mode."""
    return await value if inspect.isawaitable(value) else value


@asynccontextmanager
async def opened(settings: GatewaySettings) -> AsyncIterator[Container]:
    """A container whose resources (engine, HTTP client) are open until the block ends."""
    container = build_container(settings)
    await resolve(container.init_resources())
    try:
        yield container
    finally:
        await resolve(container.shutdown_resources())


def run(coro: Any) -> Any:
    """Run a command's coroutine to its end on a fresh event loop (uvloop's where installed)."""
    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        return runner.run(coro)


def one_shot_settings(args: Any) -> GatewaySettings:
    """The settings of a command that runs once (warnings and errors logged only, unless
    `--verbose`), with the database at the newest schema."""
    settings = settings_for_command(log_level=one_shot_log_level(args))
    ensure_schema(settings)
    return settings


def run_in_container(settings: GatewaySettings, work: Callable[[Container], Awaitable[T]]) -> T:
    """Run `work` to its end with a container opened for it alone."""

    async def go() -> T:
        async with opened(settings) as container:
            return await work(container)

    return asyncio.run(go())


def run_with_deps(settings: GatewaySettings, work: Callable[[Dependencies], Awaitable[T]]) -> T:
    """Run `work` to its end with the dependencies of a container opened for it alone."""

    async def with_deps(container: Container) -> T:
        deps: Dependencies = await resolve(container.deps())
        return await work(deps)

    return run_in_container(settings, with_deps)


def stdin_is_terminal() -> bool:
    """Whether a person is at the keyboard (prompts are possible)."""
    return sys.stdin is not None and sys.stdin.isatty()
