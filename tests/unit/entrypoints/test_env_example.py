"""`.env.example` lists every setting the gateway reads, each with the default it really has."""

from __future__ import annotations

import re
from pathlib import Path

from cryptography.fernet import Fernet

from intrro_gateway.entrypoints.settings import GatewayEnvironment, load_settings

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / ".env.example"
LINE = re.compile(r"^#\s?GATEWAY_([A-Z0-9_]+)=(.*)$")
REQUIRED = {
    "SECRET_KEYS",
    "API_TOKENS",
}  # no default: generated in development, given in production
EMPTY = {"CALLBACK_ALLOWED_HOSTS"}  # empty by default: nothing is allowed beyond the rule


def settings_the_parser_reads() -> set[str]:
    """Every name the settings model reads (its fields, without the `GATEWAY_` prefix)."""
    return {name.upper() for name in GatewayEnvironment.model_fields}


def example_lines() -> dict[str, str]:
    """The settings `.env.example` lists, name (without `GATEWAY_`) to value; each listed once."""
    found: dict[str, str] = {}
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = LINE.match(line)
        if match:
            assert match.group(1) not in found, f"GATEWAY_{match.group(1)} is listed twice"
            found[match.group(1)] = match.group(2)
    return found


def test_the_scanner_finds_the_settings_the_parser_reads() -> None:
    names = settings_the_parser_reads()
    assert {"ENV", "DATABASE_URL", "SECRET_KEYS", "LEASE", "TAG_NAME"} <= names
    assert len(names) >= 30


def test_every_setting_the_parser_reads_is_in_the_example_and_nothing_else() -> None:
    assert set(example_lines()) == settings_the_parser_reads()


def test_every_line_of_the_example_is_commented_out_so_copying_it_changes_nothing() -> None:
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        assert not line.startswith("GATEWAY_"), line


def test_the_example_gives_each_setting_its_development_default() -> None:
    secrets = {
        "GATEWAY_SECRET_KEYS": Fernet.generate_key().decode(),
        "GATEWAY_API_TOKENS": "t" * 32,
    }
    listed = example_lines()
    assert all(listed[name] == "" for name in REQUIRED | EMPTY)
    defaults = {
        f"GATEWAY_{name}": value for name, value in listed.items() if name not in REQUIRED | EMPTY
    }
    assert all(defaults.values()), "every setting but the required secrets shows its default"
    written = load_settings(None, {**secrets, **defaults}, generate=False)
    assert written == load_settings(None, secrets, generate=False)


def test_a_changed_value_in_the_example_would_be_noticed() -> None:
    secrets = {
        "GATEWAY_SECRET_KEYS": Fernet.generate_key().decode(),
        "GATEWAY_API_TOKENS": "t" * 32,
    }
    changed = load_settings(None, {**secrets, "GATEWAY_LEASE": "61s"}, generate=False)
    assert changed != load_settings(None, secrets, generate=False)
