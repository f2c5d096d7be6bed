"""`intrro-gateway schemas`: the events' JSON Schemas written to a folder (docs/schemas by default)."""

from __future__ import annotations

import argparse
from pathlib import Path

from intrro_gateway.adapters.intrro.schemas import event_schemas, rendered
from intrro_gateway.entrypoints.cli._base import console


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the command."""
    parser = commands.add_parser(
        "schemas",
        help="write the events' JSON Schemas (Intrro's in, the gateway's out)",
        description=(
            "Write one JSON Schema (draft 2020-12) per event type: in/<type>.json for the events "
            "Intrro sends the gateway, out/<type>.json for those the gateway sends Intrro. "
            "With --check, write nothing and exit 1 when the folder is not current."
        ),
    )
    parser.add_argument("--out", type=Path, default=Path("docs/schemas"), help="the folder")
    parser.add_argument("--check", action="store_true", help="only check the folder is current")
    parser.set_defaults(handler=write_schemas)


def write_schemas(args: argparse.Namespace) -> int:
    """Write (or check) each schema; a stale or stray file fails the check."""
    out: Path = args.out
    wanted = {name: rendered(schema) for name, schema in event_schemas().items()}
    present = (
        {p.relative_to(out).as_posix() for p in out.glob("*/*.json")} if out.is_dir() else set()
    )
    stale = sorted(
        name
        for name, text in wanted.items()
        if not (out / name).is_file() or (out / name).read_text(encoding="utf-8") != text
    )
    stray = sorted(present - set(wanted))
    if args.check:
        for name in [*stale, *stray]:
            console().print(f"not current: {out / name}")
        return 1 if stale or stray else 0
    for name in stale:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(wanted[name], encoding="utf-8")
    for name in stray:
        (out / name).unlink()
    console().print(f"{len(wanted)} schemas in {out} ({len(stale)} written, {len(stray)} removed)")
    return 0
