"""The command line's administration commands, each run through `main([...])` on a fresh SQLite
database: help, settings errors, migrate, tenant, rotate-keys."""

# ruff: noqa: F811 - the shared fixtures are imported by name, and tests take them as parameters

from __future__ import annotations

import io
import sqlite3

import pytest
from cryptography.fernet import Fernet

from intrro_gateway.adapters.sql.migrate import current_revision, head_revision
from intrro_gateway.entrypoints.cli import main
from tests.e2e.test_cli_support import Env, _reset_logging, env  # noqa: F401 - fixtures

COMMANDS = (
    "serve",
    "worker",
    "migrate",
    "tenant",
    "connect",
    "sync-jobs",
    "reconcile",
    "deliveries",
    "rotate-keys",
    "sandbox",
    "demo",
    "token",
)


def stored_secrets(env: Env) -> list[str]:
    path = env.database_url.split(":///", 1)[1]
    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT intrro_secret, webhook_secret FROM tenants").fetchone()
    return [str(value) for value in row]


def test_help_lists_every_command_one_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0

    out = capsys.readouterr().out
    lines = out.splitlines()
    for command in COMMANDS:
        assert any(line.strip().startswith(f"{command} ") for line in lines), command


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_its_own_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([command, "--help"]) == 0

    assert f"usage: intrro-gateway {command}" in capsys.readouterr().out


def test_no_command_or_an_unknown_one_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([]) == 2
    assert main(["frobnicate"]) == 2

    assert "invalid choice: 'frobnicate'" in capsys.readouterr().err


def test_a_malformed_setting_stops_the_command_with_one_line_naming_it(
    env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    env.set(LOG_FORMAT="xml")

    assert main(["migrate"]) == 1

    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "GATEWAY_LOG_FORMAT is malformed" in err


def test_development_generates_a_missing_key_into_env_and_says_where(
    env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    env.unset("SECRET_KEYS")

    assert main(["migrate"]) == 0

    assert "GATEWAY_SECRET_KEYS=" in (env.folder / ".env").read_text()
    assert f"generated GATEWAY_SECRET_KEYS into {env.folder / '.env'}" in capsys.readouterr().err


def test_migrate_brings_an_empty_database_to_the_newest_schema_once(
    env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    first = capsys.readouterr().out
    assert main(["migrate"]) == 0
    second = capsys.readouterr().out

    assert current_revision(env.database_url) == head_revision()
    assert f"from an empty schema to {head_revision()}" in first
    assert "already at the newest schema" in second


def test_production_refuses_an_unmigrated_database_with_one_clear_line(
    env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    env.set(ENV="production")

    assert main(["tenant", "show", "acme"]) == 1

    err = capsys.readouterr().err.strip()
    assert err.endswith("run intrro-gateway migrate")
    assert err.count("\n") == 0
    assert current_revision(env.database_url) is None


def test_development_migrates_an_unmigrated_database_before_a_command(
    env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tenant", "create", "acme"]) == 0

    assert current_revision(env.database_url) == head_revision()
    assert "migrated the database" in capsys.readouterr().err


def test_tenant_create_shows_the_generated_secrets_once(
    env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "tenant",
            "create",
            "acme",
            "--callback-url",
            "https://intrro.test/hooks",
            "--stage",
            "Take Home=interviewing",
            "--stage",
            "id:77=offer",
            "--closed-job-policy",
            "prospect",
        ]
    )
    created = capsys.readouterr().out
    assert main(["tenant", "show", "acme"]) == 0
    shown = capsys.readouterr().out

    assert code == 0
    secrets = [
        line.split()[-2]
        for line in created.splitlines()
        if line.startswith(("│ intrro_secret ", "│ greenhouse_webhook_secret "))
    ]
    assert len(secrets) == 2
    assert any(s.startswith("whsec_") for s in secrets)
    for secret in secrets:
        assert secret not in shown
        assert secret not in stored_secrets(env)  # encrypted at rest
    for text in (created, shown):
        assert "https://intrro.test/hooks" in text
        assert "https://gateway.test/webhooks/greenhouse/acme" in text
        assert "id:77=offer" in text
        assert "take home=interviewing" in text
        assert "prospect" in text
    assert "connected" in shown and "last ping at" in shown


def test_tenant_create_refuses_an_existing_tenant_and_bad_input(
    env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tenant", "create", "acme"]) == 0
    capsys.readouterr()

    assert main(["tenant", "create", "acme"]) == 1
    assert "tenant 'acme' already exists" in capsys.readouterr().err
    assert main(["tenant", "create", "Not A Slug"]) == 2
    assert "must be a slug" in capsys.readouterr().err
    assert main(["tenant", "create", "beta", "--stage", "Onsite=hired"]) == 2
    assert "applied, interviewing or offer" in capsys.readouterr().err
    assert main(["tenant", "create", "beta", "--stage", "Onsite"]) == 2
    assert main(["tenant", "create", "beta", "--callback-url", "ftp://x"]) == 2
    assert "intrro_callback_url" in capsys.readouterr().err


def test_tenant_show_and_delete_of_an_unknown_tenant_fail(
    env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tenant", "show", "ghost"]) == 1
    assert "tenant 'ghost' not found" in capsys.readouterr().err
    assert main(["tenant", "delete", "ghost", "--yes"]) == 1
    assert "tenant 'ghost' not found" in capsys.readouterr().err


def test_tenant_delete_removes_the_tenant_once_confirmed(
    env: Env, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["tenant", "create", "acme"]) == 0

    assert main(["tenant", "delete", "acme"]) == 2  # no terminal, no --yes: nothing deleted
    assert "--yes" in capsys.readouterr().err
    assert main(["tenant", "show", "acme"]) == 0
    assert main(["tenant", "delete", "acme", "--yes"]) == 0
    assert "Deleted tenant acme" in capsys.readouterr().out
    assert main(["tenant", "show", "acme"]) == 1


def test_tenant_delete_asks_at_a_terminal_and_keeps_the_tenant_on_no(
    env: Env, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert main(["tenant", "create", "acme"]) == 0
    monkeypatch.setattr("sys.stdin", Terminal("n\n"))

    assert main(["tenant", "delete", "acme"]) == 1

    assert "Nothing deleted" in capsys.readouterr().out
    assert main(["tenant", "show", "acme"]) == 0


def test_rotate_keys_re_encrypts_every_secret_under_the_newest_key(
    env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    old = env.keys[0]
    new = Fernet.generate_key().decode()
    assert main(["tenant", "create", "acme"]) == 0
    assert main(["tenant", "create", "beta"]) == 0
    before = stored_secrets(env)
    capsys.readouterr()

    env.set(SECRET_KEYS=f"{new},{old}")
    assert main(["rotate-keys"]) == 0
    assert "Re-encrypted 4 stored secrets under the newest key" in capsys.readouterr().out

    after = stored_secrets(env)
    assert after != before
    assert all(Fernet(new.encode()).decrypt(token.encode()) for token in after)
    env.set(SECRET_KEYS=new)  # the old key can go now
    assert main(["tenant", "show", "acme"]) == 0


def test_rotate_keys_changes_nothing_when_a_secret_matches_no_key(
    env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tenant", "create", "acme"]) == 0
    before = stored_secrets(env)
    capsys.readouterr()

    env.set(SECRET_KEYS=Fernet.generate_key().decode())
    assert main(["rotate-keys"]) == 1

    assert "matches none of the keys" in capsys.readouterr().err
    assert stored_secrets(env) == before


def test_the_module_entry_point_exits_with_the_commands_code(env: Env) -> None:
    import subprocess
    import sys

    shown = subprocess.run(
        [sys.executable, "-m", "intrro_gateway.entrypoints.cli", "--help"],
        capture_output=True,
        text=True,
    )
    failed = subprocess.run(
        [sys.executable, "-m", "intrro_gateway.entrypoints.cli", "tenant", "show", "ghost"],
        capture_output=True,
        text=True,
    )

    assert shown.returncode == 0 and "usage: intrro-gateway" in shown.stdout
    assert failed.returncode == 1
    assert failed.stderr.strip().endswith("intrro-gateway: tenant 'ghost' not found")


@pytest.mark.postgres
def test_the_commands_work_on_postgresql(
    env: Env, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    env.set(DATABASE_URL=postgres_url, ENV="production", AUTO_MIGRATE="false")

    assert main(["tenant", "create", "acme"]) == 1  # production: not migrated yet
    assert main(["migrate"]) == 0
    assert main(["tenant", "create", "acme", "--callback-url", "https://intrro.test/h"]) == 0
    env.set(SECRET_KEYS=f"{Fernet.generate_key().decode()},{env.keys[0]}")
    assert main(["rotate-keys"]) == 0
    assert main(["deliveries", "list", "acme"]) == 0
    assert main(["tenant", "delete", "acme", "--yes"]) == 0

    out = capsys.readouterr().out
    assert "Re-encrypted 2 stored secrets" in out
    assert "No deliveries for acme match." in out
    assert current_revision(postgres_url) == head_revision()


def test_token_create_list_revoke_shows_the_value_once_and_stores_only_a_digest(
    env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tenant", "create", "acme"]) == 0
    capsys.readouterr()

    assert main(["token", "create", "--tenant", "acme"]) == 0
    created = capsys.readouterr().out
    assert main(["token", "create", "--name", "night shift"]) == 0
    capsys.readouterr()
    assert main(["token", "list"]) == 0
    listed = capsys.readouterr().out

    value = created.strip().splitlines()[-1]
    token_id = created.split()[2]
    assert value.startswith("igw_")
    assert value not in listed
    assert "tenant acme" in listed and "acme admin" in listed
    assert "operator" in listed and "night shift" in listed
    path = env.database_url.split(":///", 1)[1]
    with sqlite3.connect(path) as conn:
        dump = "\n".join(conn.iterdump())
    assert value not in dump
    assert main(["token", "revoke", token_id]) == 0
    assert main(["token", "revoke", token_id]) == 1
    assert f"no active token '{token_id}'" in capsys.readouterr().err


def test_token_create_for_an_unknown_tenant_fails_and_stores_nothing(
    env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token", "create", "--tenant", "ghost"]) == 1
    assert "tenant 'ghost' not found" in capsys.readouterr().err
    assert main(["token", "list"]) == 0
    assert "0 tokens" in capsys.readouterr().out
