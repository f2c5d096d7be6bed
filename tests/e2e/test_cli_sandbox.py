"""`intrro-gateway sandbox [--ats greenhouse|lever]`: the option, its default, and the app it serves."""

from __future__ import annotations

import httpx
import pytest

from intrro_gateway.entrypoints.cli._parser import build_parser
from intrro_gateway.entrypoints.cli.commands.sandbox import _app, describe, describe_lever


def test_the_ats_defaults_to_greenhouse() -> None:
    args = build_parser().parse_args(["sandbox", "--port", "0"])

    assert args.ats == "greenhouse"


def test_lever_is_chosen_with_ats_lever() -> None:
    args = build_parser().parse_args(["sandbox", "--ats", "lever"])

    assert args.ats == "lever"


def test_another_ats_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["sandbox", "--ats", "workday"])

    assert exited.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("ats", "path", "auth"),
    [("lever", "/v1/stages", ("lever-sandbox-key", "")), ("greenhouse", "/v3/jobs", None)],
)
async def test_each_choice_serves_its_own_stand_in(
    ats: str, path: str, auth: tuple[str, str] | None
) -> None:
    transport = httpx.ASGITransport(app=_app(ats))
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as client:
        seed = await client.get("/_sandbox/seed")
        answered = await client.get(path, auth=auth) if auth else await client.get(path)

    assert seed.status_code == 200
    if ats == "lever":
        assert answered.status_code == 200 and answered.json()["data"][0]["id"] == "lead-new"
    else:
        assert answered.status_code == 401  # Harvest wants a bearer token: it is the Greenhouse one


def test_the_banners_say_how_to_use_each() -> None:
    assert "API key lever-sandbox-key" in describe_lever("http://127.0.0.1:1")
    assert "/v1" in describe_lever("http://127.0.0.1:1")
    assert "client id sandbox-client" in describe("http://127.0.0.1:1")
