"""The `intrro-gateway` command line: `main(argv)` parses, runs one command, and returns its exit code."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from intrro_gateway.adapters.sql.secrets import MisboundSecretError, UndecryptableSecretError
from intrro_gateway.entrypoints.cli._base import CliError, err_console
from intrro_gateway.entrypoints.cli._parser import build_parser
from intrro_gateway.entrypoints.serving import ServingError
from intrro_gateway.ports.ats import AtsError, AtsUnavailableError
from intrro_gateway.ports.unit_of_work import StorageError
from intrro_gateway.services.errors import InvalidInputError, NotFoundError

__all__ = ["CliError", "main"]

_INTERRUPTED = 130


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code (0 done, 1 failed, 2 usage or refused credential)."""
    parser = build_parser()
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    except SystemExit as exc:  # --help, or a usage error argparse has already printed
        return exc.code if isinstance(exc.code, int) else 2
    try:
        code: int = args.handler(args)
    except CliError as exc:
        return _fail(exc.message, exc.code)
    except ServingError as exc:
        return _fail(str(exc), 1)
    except NotFoundError as exc:
        return _fail(str(exc), 1)
    except InvalidInputError as exc:
        return _fail("; ".join(exc.errors), 2)
    except MisboundSecretError as exc:
        return _fail(f"{exc}; restore the row from a backup or set the secret again", 1)
    except UndecryptableSecretError as exc:
        return _fail(f"{exc}: check GATEWAY_SECRET_KEYS", 1)
    except StorageError as exc:
        return _fail(f"the database failed: {exc}", 1)
    except AtsUnavailableError as exc:
        return _fail(f"the ATS could not be reached: {exc}; try again later", 1)
    except AtsError as exc:
        return _fail(f"the ATS refused the request: {exc}", 1)
    except KeyboardInterrupt:
        return _fail("interrupted", _INTERRUPTED)
    return code


def _fail(message: str, code: int) -> int:
    # One line, whatever the message: library errors (database drivers) span several.
    err_console().print(f"intrro-gateway: {' '.join(message.split())}")
    return code
