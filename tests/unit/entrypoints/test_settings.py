"""Settings: defaults per environment, one clear line per bad setting, secrets generated in development."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from hypothesis import given
from hypothesis import strategies as st

from intrro_gateway.entrypoints.settings import (
    PRODUCTION_GREENHOUSE_AUTH_URL,
    PRODUCTION_GREENHOUSE_BASE_URL,
    Secret,
    SettingsError,
    load_settings,
    parse_bool,
    parse_database_url,
    parse_duration,
    parse_fernet_keys,
    parse_origin,
)

KEY = Fernet.generate_key().decode()
TOKEN = "t" * 32


def production(**extra: str) -> dict[str, str]:
    return {
        "GATEWAY_ENV": "production",
        "GATEWAY_SECRET_KEYS": KEY,
        "GATEWAY_API_TOKENS": TOKEN,
        **extra,
    }


def test_production_defaults_point_at_greenhouse_and_log_json(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / ".env", production())

    assert settings.is_production
    assert settings.greenhouse_base_url == PRODUCTION_GREENHOUSE_BASE_URL
    assert settings.greenhouse_auth_url == PRODUCTION_GREENHOUSE_AUTH_URL
    assert settings.log_format == "json"
    assert settings.auto_migrate is False
    assert settings.request_deadline == timedelta(seconds=10)
    assert settings.database_url == "sqlite+aiosqlite:///./intrro-gateway.db"
    assert not (tmp_path / ".env").exists()


def test_development_defaults_to_the_bundled_sandbox_on_its_port(tmp_path: Path) -> None:
    env = {"GATEWAY_SECRET_KEYS": KEY, "GATEWAY_API_TOKENS": TOKEN, "GATEWAY_SANDBOX_PORT": "9001"}

    settings = load_settings(tmp_path / ".env", env)

    assert settings.greenhouse_base_url == "http://127.0.0.1:9001"
    assert settings.greenhouse_auth_url == "http://127.0.0.1:9001"
    assert settings.uses_sandbox
    assert settings.log_format == "console"


@pytest.mark.parametrize("missing", ["GATEWAY_SECRET_KEYS", "GATEWAY_API_TOKENS"])
def test_production_refuses_to_start_without_a_key_or_a_token(tmp_path: Path, missing: str) -> None:
    env = production()
    del env[missing]

    with pytest.raises(SettingsError) as caught:
        load_settings(tmp_path / ".env", env)

    assert missing in str(caught.value)
    assert "\n" not in str(caught.value)
    assert not (tmp_path / ".env").exists()


def test_development_generates_a_missing_key_and_token_into_dotenv_once(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("GATEWAY_LOG_FORMAT=json", encoding="utf-8")

    first = load_settings(env_file, {})
    second = load_settings(env_file, {})

    assert len(first.notices) == 2
    assert all(str(env_file.resolve()) in notice for notice in first.notices)
    assert second.notices == ()
    assert first.secret_keys == second.secret_keys
    assert first.api_tokens == second.api_tokens
    assert first.log_format == "json"
    Fernet(first.secret_keys[0].reveal())  # a usable key
    assert env_file.read_text(encoding="utf-8").startswith("GATEWAY_LOG_FORMAT=json\n")


def test_the_environment_wins_over_the_dotenv_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"GATEWAY_SECRET_KEYS={KEY}\nGATEWAY_API_TOKENS={TOKEN}\n", "utf-8")

    settings = load_settings(env_file, {"GATEWAY_API_TOKENS": "u" * 20 + ",v" + "w" * 20})

    assert [t.reveal() for t in settings.api_tokens] == ["u" * 20, "v" + "w" * 20]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GATEWAY_ENV", "staging"),
        ("GATEWAY_DATABASE_URL", "mysql://x"),
        ("GATEWAY_SECRET_KEYS", "not-a-key"),
        ("GATEWAY_API_TOKENS", "short"),
        ("GATEWAY_LOG_FORMAT", "xml"),
        ("GATEWAY_PUBLIC_URL", "ftp://x"),
        ("GATEWAY_GREENHOUSE_BASE_URL", "https://harvest.greenhouse.io/v3"),
        ("GATEWAY_LEASE", "soon"),
        ("GATEWAY_REQUEST_DEADLINE", "-1s"),
        ("GATEWAY_MAX_ATTEMPTS", "0"),
        ("GATEWAY_RUN_WORKER", "maybe"),
        ("GATEWAY_SANDBOX_PORT", "70000"),
    ],
)
def test_a_malformed_setting_stops_start_up_with_one_line_naming_it(
    tmp_path: Path, name: str, value: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(tmp_path / ".env", production(**{name: value}))

    message = str(caught.value)
    assert message.startswith(f"{name} is malformed")
    assert "\n" not in message


def test_shortened_timings_reach_the_service_settings(tmp_path: Path) -> None:
    settings = load_settings(
        tmp_path / ".env",
        production(
            GATEWAY_LEASE="2s",
            GATEWAY_BACKOFF_BASE="100ms",
            GATEWAY_BACKOFF_CAP="1m",
            GATEWAY_RETRY_HORIZON="1h",
            GATEWAY_RECONCILE_INTERVAL="5s",
            GATEWAY_JOBS_SYNC_INTERVAL="7s",
            GATEWAY_BODY_RETENTION="1d",
            GATEWAY_REQUEST_DEADLINE="1.5",
            GATEWAY_PUBLIC_URL="https://gw.example.com/",
        ),
    )

    service = settings.service
    assert service.lease == timedelta(seconds=2)
    assert service.backoff_base == timedelta(milliseconds=100)
    assert service.backoff_cap == timedelta(minutes=1)
    assert service.retry_horizon == timedelta(hours=1)
    assert service.reconcile_interval == timedelta(seconds=5)
    assert service.jobs_sync_interval == timedelta(seconds=7)
    assert service.body_retention == timedelta(days=1)
    assert service.public_url == "https://gw.example.com"
    assert settings.request_deadline == timedelta(seconds=1.5)


def test_repr_hides_secrets_and_the_database_password(tmp_path: Path) -> None:
    settings = load_settings(
        tmp_path / ".env",
        production(GATEWAY_DATABASE_URL="postgresql://gw:hunter2secret@db/gw"),
    )

    shown = repr(settings)
    assert KEY not in shown
    assert TOKEN not in shown
    assert "hunter2secret" not in shown
    assert "hunter2secret" not in settings.database_display
    assert settings.database_url == "postgresql+psycopg://gw:hunter2secret@db/gw"
    assert repr(Secret("x" * 40)) == "Secret('**********')"


@given(st.integers(min_value=0, max_value=10**6), st.sampled_from(["ms", "s", "m", "h", "d", ""]))
def test_durations_read_every_unit(amount: int, unit: str) -> None:
    factor = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "": 1}[unit]

    assert parse_duration(f"{amount}{unit}") == timedelta(seconds=amount * factor)


@given(st.text())
def test_parsers_either_read_a_value_or_raise_value_error(text: str) -> None:
    for parse in (parse_duration, parse_bool, parse_origin, parse_database_url, parse_fernet_keys):
        try:
            parse(text)
        except ValueError:
            pass


@given(st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=4))
def test_fernet_key_lists_keep_their_order(raw_keys: list[bytes]) -> None:
    import base64

    keys = [base64.urlsafe_b64encode(raw).decode() for raw in raw_keys]

    parsed = parse_fernet_keys(" , ".join(keys))

    assert [key.reveal() for key in parsed] == keys
