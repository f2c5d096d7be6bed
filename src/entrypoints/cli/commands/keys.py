"""`intrro-gateway rotate-keys`: every stored secret re-encrypted under the newest key."""

from __future__ import annotations

import argparse

from intrro_gateway.adapters.sql.maintenance import rotate_keys
from intrro_gateway.adapters.sql.secrets import MisboundSecretError, UndecryptableSecretError
from intrro_gateway.entrypoints.cli._base import (
    CliError,
    console,
    one_shot_settings,
    resolve,
    run_in_container,
)
from intrro_gateway.entrypoints.container import Container
from intrro_gateway.ports.unit_of_work import StorageError


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the command."""
    parser = commands.add_parser(
        "rotate-keys",
        help="re-encrypt stored secrets under the newest secret key",
        description=(
            "Re-encrypt every stored secret and credential under the first (newest) key of "
            "GATEWAY_SECRET_KEYS. Keep the older keys listed until this has run."
        ),
    )
    parser.set_defaults(handler=rotate)


def rotate(args: argparse.Namespace) -> int:
    """Re-encrypt and print how many secrets."""
    settings = one_shot_settings(args)

    async def go(container: Container) -> int:
        engine = await resolve(container.engine())
        cipher = await resolve(container.cipher())
        count: int = await rotate_keys(engine, cipher)
        return count

    try:
        count = run_in_container(settings, go)
    except MisboundSecretError as exc:
        raise CliError(f"{exc}; nothing was changed") from None
    except UndecryptableSecretError:
        raise CliError(
            "a stored secret matches none of the keys in GATEWAY_SECRET_KEYS: list the new key "
            "first and keep the older ones after it until rotate-keys has run; nothing was changed"
        ) from None
    except StorageError as exc:
        raise CliError(f"could not re-encrypt the secrets: {exc}") from None
    keys = len(settings.secret_keys)
    console().print(
        f"Re-encrypted {count} stored secret{'s' if count != 1 else ''} under the newest key "
        f"(of {keys} configured)."
    )
    return 0
