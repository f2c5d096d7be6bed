"""Logging: secrets never reach a line, e-mail addresses are masked, every record has one shape."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
import structlog
from hypothesis import given
from hypothesis import strategies as st
from structlog.testing import capture_logs

from intrro_gateway.entrypoints.logging import (
    REDACTED,
    configure_logging,
    forget_secrets,
    mask_text,
    redact,
    register_secrets,
)


@pytest.fixture(autouse=True)
def _reset_structlog() -> Iterator[None]:
    yield
    structlog.reset_defaults()
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)


def test_redaction_removes_secrets_and_masks_emails_in_captured_logs() -> None:
    configure_logging("json", cache_loggers=False)
    log = structlog.get_logger("test")

    with capture_logs(processors=[redact]) as logs:
        log.info(
            "connected",
            client_secret="cs-123456",
            api_token="tok-abcdef",
            Authorization="Bearer abcdef",
            webhook={"secret": "hook-s3cret", "url": "https://gw/webhooks"},
            user_email="Jane.Doe@example.com",
            note="reply to jane.doe@example.com or bob@corp.example.org",
            secrets_seen=["whsec_AAAAbbbbCCCC"],
        )

    [entry] = logs
    assert entry["client_secret"] == REDACTED
    assert entry["api_token"] == REDACTED
    assert entry["Authorization"] == REDACTED
    assert entry["webhook"] == {"secret": REDACTED, "url": "https://gw/webhooks"}
    assert entry["user_email"] == "J***@example.com"
    assert entry["note"] == "reply to j***@example.com or b***@corp.example.org"
    assert entry["secrets_seen"] == REDACTED
    flat = json.dumps(entry)
    for leaked in ("cs-123456", "tok-abcdef", "abcdef", "hook-s3cret", "Jane.Doe", "whsec_AAAA"):
        assert leaked not in flat


def test_secret_shaped_values_are_removed_even_under_harmless_keys() -> None:
    event = redact(None, "info", {"event": "x", "header": "Bearer abc.def", "body": "whsec_Zm9v"})

    assert event["header"] == "Bearer ***"
    assert event["body"] == "whsec_***"


def test_library_records_come_out_in_the_same_json_shape_redacted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("json", cache_loggers=False)

    logging.getLogger("uvicorn.error").warning("client %s said hi", "amy@example.com")
    structlog.get_logger("gateway").warning("ours", tenant="acme", email="amy@example.com")

    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [line["event"] for line in lines] == ["client a***@example.com said hi", "ours"]
    assert lines[1]["email"] == "a***@example.com"
    for line in lines:
        assert {"event", "level", "logger", "timestamp"} <= set(line)


def test_context_variables_are_merged_into_every_line(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("json", cache_loggers=False)

    with structlog.contextvars.bound_contextvars(tenant="acme", delivery_id="d-1"):
        logging.getLogger("httpx").warning("library line")
        structlog.get_logger("gateway").warning("our line")
    structlog.get_logger("gateway").warning("after")

    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [(line.get("tenant"), line.get("delivery_id")) for line in lines] == [
        ("acme", "d-1"),
        ("acme", "d-1"),
        (None, None),
    ]


@given(
    st.emails().filter(lambda e: "@" in e and "." in e.split("@")[1]),
    st.text(alphabet=" ,;:()<>", max_size=3),
)
def test_any_email_address_keeps_only_its_first_character_and_domain(
    email: str, around: str
) -> None:
    local, domain = email.rsplit("@", 1)

    masked = mask_text(f"{around}{email}{around}")

    assert f"{local[0]}***@{domain}" in masked
    if len(local) > 1:
        assert email not in masked


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("GET https://h/v3/candidates?email=ada%40example.com", "***@example.com"),
        ("GET https://h/v3/users?email=ADA%40EXAMPLE.COM", "***@EXAMPLE.COM"),
        ("x=Ada%2Btag%40Example.com&y", "***@Example.com&y"),
        ("twice a%2540b.example.org", "***@b.example.org"),
        ("escaped ada\\u0040example.com", "***@example.com"),
        ("UPPER ADA.LOVELACE@EXAMPLE.COM", "***@EXAMPLE.COM"),
        ("dot ada%40example%2Ecom", "***@example.com"),
    ],
)
def test_encoded_escaped_and_upper_case_addresses_are_masked(text: str, shown: str) -> None:
    masked = mask_text(text)

    assert shown in masked
    for local in ("ada", "Ada", "ADA", "Ada%2Btag", "ADA.LOVELACE", "a%25"):
        assert f"{local}@" not in masked and f"{local}%40" not in masked


def test_every_registered_secret_is_removed_in_every_encoding() -> None:
    register_secrets(["configured/secret value", "short"])
    try:
        for text in (
            "k=configured/secret value",
            "k=configured%2Fsecret%20value",
            "k=configured%2Fsecret+value",
            "k=CONFIGURED/SECRET VALUE",
        ):
            assert "***" in mask_text(text)
            assert "secret" not in mask_text(text).lower()
        assert mask_text("short") == "short"  # too short to be told from ordinary words
    finally:
        forget_secrets()


def test_httpx_request_lines_are_off_at_info_and_redacted_when_they_do_show(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("json", "DEBUG", cache_loggers=False, secrets=["api-token-0123456789"])
    httpx_log = logging.getLogger("httpx")

    httpx_log.info('HTTP Request: GET https://h/v3/users?email=ada%40example.com "HTTP/1.1 200 OK"')
    httpx_log.warning(
        "retrying https://h/v3/users?email=ada%40example.com with api-token-0123456789"
    )
    forget_secrets()

    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [line["level"] for line in lines] == ["warning"]
    assert "ada" not in lines[0]["event"] and "api-token" not in lines[0]["event"]
