"""Connecting Lever from the command line against the bundled Lever sandbox on a loopback port:
`tenant create --ats lever`, then `connect --ats lever` with a key lacking one permission (the report
names it and how to grant it; the gateway made the web hooks), with a key that may not manage web
hooks (the report gives the manual steps), and disconnecting (the web hooks go)."""

# ruff: noqa: F811 - the shared fixtures are imported by name, and tests take them as parameters

from __future__ import annotations

from collections.abc import Iterator

import pytest

from intrro_gateway.entrypoints.cli import main
from intrro_gateway.entrypoints.cli._report import GRANTED, MISSING
from intrro_gateway.sandboxes.lever import (
    ALL_PERMISSIONS,
    GATEWAY_EVENTS,
    SandboxState,
    create_sandbox_app,
    seeded_state,
)
from tests.e2e.test_cli_support import ADMIN, Env, Served, _reset_logging, env  # noqa: F401

NO_NOTES = "POST /opportunities/:id/notes"
Capsys = pytest.CaptureFixture[str]


@pytest.fixture
def lever(env: Env) -> Iterator[SandboxState]:
    state = seeded_state()
    state.add_api_key("no-notes", ALL_PERMISSIONS - {NO_NOTES})
    state.add_api_key("no-hooks", ALL_PERMISSIONS - {"POST /webhooks"})
    with Served(create_sandbox_app(state)) as served:
        env.set(LEVER_BASE_URL=served.url, PUBLIC_URL="https://gateway.test")
        yield state


def connect(env: Env, capsys: Capsys, key: str) -> tuple[int, str]:
    env.set(CONNECT_API_KEY=key)
    code = main(["connect", "acme", "--ats", "lever", "--user-email", ADMIN])
    return code, capsys.readouterr().out


def test_a_lever_key_lacking_one_permission_is_reported_with_the_steps_to_grant_it(
    env: Env, lever: SandboxState, capsys: Capsys
) -> None:
    assert main(["tenant", "create", "acme", "--ats", "lever"]) == 0
    capsys.readouterr()

    code, out = connect(env, capsys, "no-notes")
    with capsys.disabled():
        print(f"\n$ intrro-gateway connect acme --ats lever --user-email {ADMIN}\n{out}")

    assert code == 1
    assert "Lever connection" in out
    crossed = [line for line in out.splitlines() if line.startswith(f"│ {MISSING} ")]
    assert [line for line in crossed if "Endpoint" in line] == [
        next(line for line in crossed if NO_NOTES in line)
    ]
    assert "missing, required" in next(line for line in crossed if NO_NOTES in line)
    assert f"lacks the required scope {NO_NOTES}" in out
    assert (
        "Tick the endpoint permission Notes: create a note (POST /opportunities/:id/notes)" in out
    )
    assert "Web hook secret key" not in out  # Lever signs with each web hook's own token
    assert f"{GRANTED} The gateway made the web hooks in Lever. One thing to check:" in out
    hooks = lever.webhooks.hooks.values()
    assert sorted(h.event for h in hooks) == sorted(GATEWAY_EVENTS)
    assert {h.url for h in hooks} == {"https://gateway.test/webhooks/lever/acme"}


def test_a_key_that_may_not_make_web_hooks_gets_the_manual_steps_and_disconnecting_removes_them(
    env: Env, lever: SandboxState, capsys: Capsys
) -> None:
    assert main(["tenant", "create", "acme", "--ats", "lever"]) == 0
    capsys.readouterr()

    code, out = connect(env, capsys, "no-hooks")
    assert code == 0  # the web hook permissions are optional: reconciliation covers meanwhile
    assert lever.webhooks.hooks == {}
    assert "may not manage web hooks (POST /webhooks)" in out
    assert f"{MISSING} Web hooks: the gateway could not make them. To fix:" in out
    assert "1. In Lever, as a Super Admin" in out

    code, out = connect(env, capsys, SandboxState.DEFAULT_API_KEY)
    assert code == 0 and len(lever.webhooks.hooks) == len(GATEWAY_EVENTS)
    code, out = connect(env, capsys, SandboxState.DEFAULT_API_KEY)  # again: made anew, not doubled
    assert code == 0 and len(lever.webhooks.hooks) == len(GATEWAY_EVENTS)
