"""`intrro-gateway demo`: the whole flow on real loopback sockets, checked at the Intrro receiver."""

# ruff: noqa: F811 - the shared fixtures are imported by name, and tests take them as parameters

from __future__ import annotations

import asyncio
import io
import re

import httpx
import pytest
from rich.console import Console

from intrro_gateway.entrypoints.cli import main
from intrro_gateway.entrypoints.demo import DemoFailedError, DemoOptions, DemoResult, run_demo
from intrro_gateway.entrypoints.demo._timeline import (
    GATEWAY_TO_GREENHOUSE,
    GATEWAY_TO_INTRRO,
    GREENHOUSE_TO_GATEWAY,
    INTRRO_TO_GATEWAY,
    Entry,
)
from intrro_gateway.entrypoints.logging import configure_logging
from tests.e2e.test_cli_support import Env, _reset_logging, env  # noqa: F401 - fixtures

STATUS = "application.status_changed"


def play(options: DemoOptions) -> tuple[DemoResult | DemoFailedError, str]:
    configure_logging("console", "WARNING", cache_loggers=False)
    buffer = io.StringIO()
    out = Console(file=buffer, width=200, highlight=False, markup=False, emoji=False)
    try:
        result: DemoResult | DemoFailedError = asyncio.run(run_demo(options, out))
    except DemoFailedError as exc:
        result = exc
    return result, buffer.getvalue()


def first(lines: list[Entry], flow: str, what: str, after: float = -1.0) -> Entry:
    return next(e for e in lines if e.flow == flow and e.what.startswith(what) and e.at >= after)


def test_the_demo_delivers_every_push_and_prints_its_timeline_from_what_the_receiver_got(
    env: Env,
) -> None:
    result, printed = play(DemoOptions(quiet=True))

    assert isinstance(result, DemoResult), result
    story = result.story
    hired, rejected = story.jobs
    kinds = [e.type for e in result.received]
    assert kinds[0] == "jobs.changed"
    assert kinds.count("introduction.exported") == 1
    statuses = [(e.data["job_id"], e.data["status"]) for e in result.received if e.type == STATUS]
    assert [s for j, s in statuses if j == hired] == ["interviewing", "offer", "hired"]
    assert [s for j, s in statuses if j == rejected] == ["rejected"]
    pushed = [e for e in result.timeline if e.flow == GATEWAY_TO_INTRRO]
    assert [(e.what, e.status) for e in pushed] == [(kind, "204") for kind in kinds]
    for event, entry in zip(result.received, pushed, strict=True):
        assert f"seq {event.data['sequence']}" in entry.detail
        assert entry.detail[:60] in printed  # long details fold onto a second line
    accepted = first(result.timeline, INTRRO_TO_GATEWAY, "introduction.accepted")
    created = first(result.timeline, GATEWAY_TO_GREENHOUSE, "POST /v3/candidates", accepted.at)
    exported = first(result.timeline, GATEWAY_TO_INTRRO, "introduction.exported", created.at)
    moved = first(result.timeline, GREENHOUSE_TO_GATEWAY, "candidate_stage_change", exported.at)
    first(result.timeline, GATEWAY_TO_INTRRO, STATUS, moved.at)
    assert accepted.status == "202" and created.status == "201"
    assert "Timeline" in printed and f"Summary: introduction {story.introduction_id}" in printed
    assert "1: applied → 2: interviewing → 3: offer → 4: hired" in printed
    assert "1: applied → 5: rejected" in printed


def test_the_demo_fails_with_a_clear_message_when_the_receiver_gets_no_push(env: Env) -> None:
    result, printed = play(DemoOptions(quiet=True, wait_s=1.5, receiver_fail_next=10**6))

    assert isinstance(result, DemoFailedError)
    assert str(result) == (
        "the Intrro receiver did not get jobs.changed within 1.5 s; it got: nothing"
    )
    assert "Timeline" in printed
    assert "Summary" not in printed
    refused = [line for line in printed.splitlines() if GATEWAY_TO_INTRRO in line]
    assert refused and all(line.rstrip(" │").endswith("503") for line in refused)


def test_the_demo_command_exits_0_and_prints_the_steps_unless_quiet(
    env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo"]) == 0
    loud = capsys.readouterr().out

    assert "Intrro heard: job" in loud
    assert "Timeline" in loud and "Summary" in loud
    assert loud.rstrip().endswith("Demo complete: every push reached the Intrro receiver.")


def test_pushes_the_receiver_refused_at_first_are_retried_and_the_demo_still_succeeds(
    env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--quiet", "--receiver-fails", "2"]) == 0

    pushes = [line for line in capsys.readouterr().out.splitlines() if GATEWAY_TO_INTRRO in line]
    answers = [line.rstrip(" │").split()[-1] for line in pushes]
    assert answers[:3] == ["503", "503", "204"]
    assert answers.count("204") == 6


def test_the_demo_command_exits_1_with_the_missing_push_named(
    env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--quiet", "--wait", "1", "--receiver-fails", "1000"]) == 1

    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "intrro-gateway: the demo failed: the Intrro receiver did not get jobs.changed "
        "within 1 s; it got: nothing"
    ]


def test_the_demo_against_lever_reaches_hired_with_levers_own_flows(env: Env) -> None:
    result, printed = play(DemoOptions(ats="lever", quiet=True))

    assert isinstance(result, DemoResult), result
    hired, rejected = result.story.jobs
    statuses = [(e.data["job_id"], e.data["status"]) for e in result.received if e.type == STATUS]
    assert [s for j, s in statuses if j == hired] == ["interviewing", "offer", "hired"]
    assert [s for j, s in statuses if j == rejected] == ["rejected"]
    exported = next(e for e in result.received if e.type == "introduction.exported")
    assert exported.data["ats"] == "lever" and exported.data["referral_credit"] == "follower"
    flows = {e.flow for e in result.timeline}
    assert {"Lever → gateway", "gateway → Lever", "recruiter in Lever"} <= flows
    assert "Lever web hooks received" in printed and "Lever API calls" in printed


def test_demo_console_keeps_the_gateway_up_and_its_url_and_token_sign_in_to_the_tenant(
    env: Env,
) -> None:
    seen: dict[str, object] = {}

    async def hold(url: str, token: str) -> None:
        async with httpx.AsyncClient(timeout=10.0) as http:
            form = await http.get(url)
            csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
            target = re.search(r'name="next" value="([^"]+)"', form.text)
            assert csrf and target, form.text
            signed_in = await http.post(
                url.split("?")[0],
                data={"token": token, "csrf": csrf[1], "next": target[1]},
                follow_redirects=True,
            )
        seen["status"] = signed_in.status_code
        seen["page"] = signed_in.text

    result, _ = play(DemoOptions(quiet=True, console=hold))

    assert isinstance(result, DemoResult), result
    assert seen["status"] == 200
    page = str(seen["page"])
    assert "Pipeline of demo-co" in page
    assert "hired" in page
