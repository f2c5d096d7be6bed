"""`intrro-gateway schemas` (jsonschema_rs comes with schemathesis): docs/schemas/ is current (CI fails otherwise), and the files describe the
events as the gateway reads and writes them."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema_rs

from intrro_gateway.entrypoints.cli import main
from tests.integration.intrro._events import accepted, updated, withdrawn

DOCS = Path(__file__).resolve().parents[3] / "docs" / "schemas"


def test_the_checked_in_schemas_are_current() -> None:
    assert main(["schemas", "--check", "--out", str(DOCS)]) == 0, (
        "docs/schemas/ is stale: run `intrro-gateway schemas`"
    )


def test_the_command_writes_every_schema_and_then_finds_the_folder_current(tmp_path: Path) -> None:
    assert main(["schemas", "--check", "--out", str(tmp_path)]) == 1

    assert main(["schemas", "--out", str(tmp_path)]) == 0

    assert {p.relative_to(tmp_path).as_posix() for p in tmp_path.glob("*/*.json")} == {
        p.relative_to(DOCS).as_posix() for p in DOCS.glob("*/*.json")
    }
    assert main(["schemas", "--check", "--out", str(tmp_path)]) == 0


def test_a_changed_or_stray_file_is_not_current(tmp_path: Path) -> None:
    main(["schemas", "--out", str(tmp_path)])
    (tmp_path / "in" / "introduction.accepted.json").write_text("{}\n")
    assert main(["schemas", "--check", "--out", str(tmp_path)]) == 1

    main(["schemas", "--out", str(tmp_path)])
    (tmp_path / "out" / "retired.event.json").write_text("{}\n")
    assert main(["schemas", "--check", "--out", str(tmp_path)]) == 1


def test_the_inbound_schemas_take_the_events_the_gateway_reads() -> None:
    for event in (accepted(), updated(), withdrawn()):
        schema = json.loads((DOCS / "in" / f"{event['type']}.json").read_text())
        assert jsonschema_rs.meta.is_valid(schema)
        jsonschema_rs.Draft202012Validator(schema).validate(event)


def test_the_inbound_schemas_refuse_what_the_gateway_refuses() -> None:
    event = accepted()
    event["data"]["job_ids"] = []
    schema = json.loads((DOCS / "in" / "introduction.accepted.json").read_text())
    assert not jsonschema_rs.Draft202012Validator(schema).is_valid(event)
