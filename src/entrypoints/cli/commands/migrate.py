"""`intrro-gateway migrate`: an empty or older database to the newest schema."""

from __future__ import annotations

import argparse

from intrro_gateway.adapters.sql.migrate import current_revision, head_revision, upgrade
from intrro_gateway.entrypoints.cli._base import (
    CliError,
    console,
    one_shot_log_level,
    settings_for_command,
)
from intrro_gateway.ports.unit_of_work import StorageError


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the command."""
    parser = commands.add_parser(
        "migrate",
        help="bring the database to the newest schema",
        description="Bring an empty or older database (GATEWAY_DATABASE_URL) to the newest schema.",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Migrate, saying from which revision to which."""
    settings = settings_for_command(log_level=one_shot_log_level(args))
    head = head_revision()
    try:
        before = current_revision(settings.database_url)
        if before != head:
            upgrade(settings.database_url, secret_keys=[k.reveal() for k in settings.secret_keys])
    except StorageError as exc:
        raise CliError(
            f"cannot migrate the database at {settings.database_display}: {exc}"
        ) from None
    out = console()
    if before == head:
        out.print(
            f"The database at {settings.database_display} is already at the newest schema ({head})."
        )
    else:
        out.print(
            f"Migrated the database at {settings.database_display} from {before or 'an empty schema'} "
            f"to {head}."
        )
    return 0
