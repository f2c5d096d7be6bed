"""The `intrro-gateway` command line."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    """Run the command line (placeholder until the CLI lands)."""
    args = sys.argv[1:] if argv is None else argv
    if args in ([], ["--help"], ["-h"]):
        print("usage: intrro-gateway {serve,worker,migrate,...}")
        return
    raise SystemExit(f"intrro-gateway: unknown command {args[0]!r}")
