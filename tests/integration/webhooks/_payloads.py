"""The Greenhouse web hook fixtures, written from the examples of Greenhouse's web hook documentation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "greenhouse_webhooks"


def fixture_names() -> list[str]:
    """Every fixture's name (its file name without `.json`)."""
    return sorted(path.stem for path in FIXTURES.glob("*.json"))


def fixture_bytes(name: str) -> bytes:
    """A fixture's raw bytes, as Greenhouse would post them."""
    return (FIXTURES / f"{name}.json").read_bytes()


def fixture_json(name: str) -> Any:
    """A fixture, parsed."""
    return json.loads(fixture_bytes(name))
