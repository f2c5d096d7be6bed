"""`connect`, `sync-jobs`, `reconcile` and `deliveries` through `main([...])`, against the Greenhouse
sandbox served on a loopback port."""

# ruff: noqa: F811 - the shared fixtures are imported by name, and tests take them as parameters

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from intrro_gateway.adapters.sql.engine import create_engine
from intrro_gateway.adapters.sql.queue import SqlWorkQueue
from intrro_gateway.entrypoints.cli import CliError, main
from intrro_gateway.entrypoints.cli._report import GRANTED, MISSING, UNVERIFIED
from intrro_gateway.entrypoints.cli.commands.connect import SECRET_VARIABLE, read_client_secret
from intrro_gateway.entrypoints.container import build_container
from intrro_gateway.entrypoints.settings import load_settings
from intrro_gateway.ports.unit_of_work import InboundDelivery
from intrro_gateway.sandboxes.greenhouse import DeliveryOptions, SandboxControl
from intrro_gateway.services.errors import NotFoundError
from intrro_gateway.services.ingress import record_delivery
from intrro_gateway.services.inspection import introduction_view
from tests.e2e.http_support import accepted
from tests.e2e.test_cli_support import (  # noqa: F401 - fixtures
    ADMIN,
    LIMITED_SECRET,
    MISSING_SCOPE,
    SANDBOX_ID,
    SANDBOX_SECRET,
    Env,
    Sandbox,
    _reset_logging,
    env,
    free_port,
    sandbox,
    sandbox_state,
)

Capsys = pytest.CaptureFixture[str]


def connect(env: Env, client_id: str = SANDBOX_ID, secret: str = SANDBOX_SECRET, **kw: str) -> int:
    env.set(CONNECT_CLIENT_SECRET=secret)
    email = kw.get("email", ADMIN)
    return main(["connect", "acme", "--client-id", client_id, "--user-email", email])


def rows(out: str, mark: str) -> list[str]:
    """The report's lines carrying a mark."""
    return [line for line in out.splitlines() if line.startswith(f"│ {mark} ")]


def open_job_count(sandbox: Sandbox) -> int:
    jobs = sandbox.state.table("jobs").values()
    return sum(1 for job in jobs if job["status"] == "open" and not job["is_template"])


@pytest.fixture
def tenant(env: Env, capsys: Capsys) -> str:
    assert main(["tenant", "create", "acme"]) == 0
    capsys.readouterr()
    return "acme"


def test_connect_prints_a_checked_line_per_item_and_exits_0_when_all_is_in_place(
    env: Env, sandbox: Sandbox, tenant: str, capsys: Capsys
) -> None:
    code = connect(env)

    out = capsys.readouterr().out
    assert code == 0
    assert [line for line in rows(out, MISSING) if "optional" not in line] == []
    user = rows(out, GRANTED)[0]
    assert "User" in user and ADMIN in user and "Site Admin" in user
    assert any("Scope harvest:jobs:list" in line for line in rows(out, GRANTED))
    assert any("Scope harvest:notes:create " in line for line in rows(out, GRANTED))
    assert any("Intrro source" in line for line in rows(out, GRANTED))
    hooks = rows(out, UNVERIFIED)
    assert any("https://gateway.test/webhooks/greenhouse/acme" in line for line in hooks)
    assert any("Web hook secret key" in line for line in hooks)
    assert any("candidate_stage_change" in line for line in hooks)
    assert "Connected: everything required is in place." in out


def test_connect_marks_what_is_missing_and_exits_1(
    env: Env, sandbox: Sandbox, tenant: str, capsys: Capsys
) -> None:
    code = connect(env, "limited", LIMITED_SECRET)

    out = capsys.readouterr().out
    assert code == 1
    missing = [line for line in rows(out, MISSING) if "optional" not in line]
    assert len(missing) == 1
    assert f"Scope {MISSING_SCOPE}" in missing[0] and "missing, required" in missing[0]
    assert "Not ready" in out and f"lacks the required scope {MISSING_SCOPE}" in out
    assert main(["tenant", "show", "acme"]) == 0
    shown = capsys.readouterr().out
    assert "│ connected " in shown and "│ connection ok           │ no" in shown


def test_connect_marks_a_missing_source_with_the_steps_to_add_it(
    env: Env, sandbox: Sandbox, tenant: str, capsys: Capsys
) -> None:
    source = sandbox.state.seed.intrro_source_id
    del sandbox.state.table("sources")[source]

    assert connect(env) == 1

    out = capsys.readouterr().out
    assert any("Intrro source" in line for line in rows(out, MISSING))
    assert "Add a source named Intrro" in out


def test_connect_with_a_user_who_is_no_site_admin_exits_1(
    env: Env, sandbox: Sandbox, tenant: str, capsys: Capsys
) -> None:
    assert connect(env, email="rita.recruiter@sandbox.example") == 1

    user = rows(capsys.readouterr().out, MISSING)[0]
    assert "User" in user and "not a Site Admin" in user


def test_a_refused_credential_exits_2_and_stores_nothing(
    env: Env, sandbox: Sandbox, tenant: str, capsys: Capsys
) -> None:
    assert connect(env, secret="not-the-secret") == 2

    captured = capsys.readouterr()
    assert "refused the credential" in captured.err and "nothing was stored" in captured.err
    assert "not-the-secret" not in captured.out + captured.err
    assert main(["tenant", "show", "acme"]) == 0
    assert "│ connected               │ no" in capsys.readouterr().out


def test_connect_without_a_secret_and_without_a_terminal_exits_2(
    env: Env, tenant: str, capsys: Capsys
) -> None:
    code = main(["connect", "acme", "--client-id", "x", "--user-email", ADMIN])

    assert code == 2
    assert SECRET_VARIABLE in capsys.readouterr().err


def test_the_client_secret_is_never_an_argument(capsys: Capsys) -> None:
    code = main(["connect", "acme", "--client-id", "x", "--user-email", ADMIN, "--client-secret"])

    assert code == 2
    assert "unrecognized arguments: --client-secret" in capsys.readouterr().err


def test_the_client_secret_comes_from_the_environment_first_then_a_hidden_prompt() -> None:
    asked: list[str] = []

    def prompt(question: str) -> str:
        asked.append(question)
        return " typed-secret \n"

    from_env = read_client_secret({SECRET_VARIABLE: "env-secret"}, prompt, interactive=True)
    prompted = read_client_secret({}, prompt, interactive=True)

    assert from_env == "env-secret"
    assert prompted == "typed-secret"
    assert len(asked) == 1
    with pytest.raises(CliError) as refused:
        read_client_secret({}, lambda _: "", interactive=True)
    assert refused.value.code == 2


def test_connect_to_an_unreachable_greenhouse_fails_with_one_line(
    env: Env, tenant: str, capsys: Capsys
) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    env.set(GREENHOUSE_BASE_URL=nowhere, GREENHOUSE_AUTH_URL=nowhere)

    assert connect(env) == 1

    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("intrro-gateway: the ATS could not be reached")


def test_connect_of_an_unknown_tenant_fails(env: Env, sandbox: Sandbox, capsys: Capsys) -> None:
    assert connect(env) == 1

    assert "tenant 'acme' not found" in capsys.readouterr().err


def test_sync_jobs_imports_every_job_and_prints_the_totals(
    env: Env, sandbox: Sandbox, tenant: str, capsys: Capsys
) -> None:
    assert connect(env) == 0  # an ok connection imports the jobs once already
    capsys.readouterr()
    sandbox.state.table("jobs")[sandbox.state.seed.open_job_ids[0]]["name"] = "Renamed Engineer"
    sandbox.state.touch(sandbox.state.table("jobs")[sandbox.state.seed.open_job_ids[0]])

    assert main(["sync-jobs", "acme"]) == 0

    out = capsys.readouterr().out
    assert f"Imported {open_job_count(sandbox)} jobs for acme: 1 changed, 0 deleted." in out


def test_sync_jobs_on_a_terminal_shows_a_progress_bar_driven_by_the_import(
    env: Env, sandbox: Sandbox, tenant: str, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert connect(env) == 0
    capsys.readouterr()
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # rich draws live displays as on a terminal
    monkeypatch.setenv("NO_COLOR", "1")

    assert main(["sync-jobs", "acme"]) == 0

    out = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", capsys.readouterr().out)
    total = open_job_count(sandbox)
    assert "Importing jobs" in out and f"{total}/{total}" in out
    assert out.rstrip().endswith(f"Imported {total} jobs for acme: 0 changed, 0 deleted.")


def test_sync_jobs_of_a_tenant_not_connected_fails_with_what_to_do(
    env: Env, tenant: str, capsys: Capsys
) -> None:
    assert main(["sync-jobs", "acme"]) == 1

    assert "not connected to an ATS: run intrro-gateway connect" in capsys.readouterr().err


def test_reconcile_prints_checked_and_repairs_per_connected_tenant(
    env: Env, sandbox: Sandbox, tenant: str, capsys: Capsys
) -> None:
    assert main(["reconcile"]) == 0
    assert "No connected tenant to reconcile." in capsys.readouterr().out
    assert connect(env) == 0
    capsys.readouterr()

    assert main(["reconcile"]) == 0
    everyone = capsys.readouterr().out
    assert main(["reconcile", "acme"]) == 0
    one = capsys.readouterr().out

    for out in (everyone, one):
        row = next(line for line in out.splitlines() if line.startswith("│ acme"))
        assert [cell.strip() for cell in row.strip("│").split("│")] == ["acme", "0", "0", "ok"]


def test_reconcile_of_a_tenant_not_connected_fails(env: Env, tenant: str, capsys: Capsys) -> None:
    assert main(["reconcile", "acme"]) == 1
    assert main(["reconcile", "ghost"]) == 1

    err = capsys.readouterr().err
    assert "tenant 'acme' is not connected" in err and "tenant 'ghost' not found" in err


def park_every_outbound_item(env: Env) -> list[str]:
    """Claim the pending outbound items and park them dead, as a worker out of retries would."""

    async def park() -> list[str]:
        engine = create_engine(env.database_url)
        queue = SqlWorkQueue(engine)
        now = datetime.now(UTC)
        items = await queue.claim_outbox(
            worker_id="test", now=now, lease=timedelta(minutes=1), limit=10
        )
        for item in items:
            await queue.park_outbox(item.id, worker_id="test", error="gave up", now=now)
        await engine.dispose()
        return [item.id for item in items]

    return asyncio.run(park())


def listed_rows(out: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip("│").split("│")]
        for line in out.splitlines()
        if line.startswith("│ ")
    ]


def test_deliveries_lists_and_replays_a_dead_delivery(
    env: Env, sandbox: Sandbox, tenant: str, capsys: Capsys
) -> None:
    assert connect(env) == 0  # the first import announces jobs.changed: one outbound item
    assert main(["deliveries", "list", "acme", "--state", "dead"]) == 0
    assert "No deliveries for acme match." in capsys.readouterr().out
    parked = park_every_outbound_item(env)
    assert len(parked) == 1

    assert main(["deliveries", "list", "acme", "--direction", "out", "--state", "dead"]) == 0
    dead = listed_rows(capsys.readouterr().out)
    assert main(["deliveries", "replay", "acme", parked[0]]) == 0
    replayed = capsys.readouterr().out
    assert main(["deliveries", "list", "acme"]) == 0
    after = listed_rows(capsys.readouterr().out)

    assert [(row[0], row[1], row[2], row[3], row[7]) for row in dead] == [
        (parked[0], "out", "jobs.changed", "dead", "gave up")
    ]
    assert f"Delivery {parked[0]} of acme will be tried again." in replayed
    assert [(row[0], row[3]) for row in after] == [(parked[0], "pending")]


def test_replaying_a_delivery_that_is_not_dead_changes_nothing_and_exits_1(
    env: Env, sandbox: Sandbox, tenant: str, capsys: Capsys
) -> None:
    assert connect(env) == 0
    capsys.readouterr()
    assert main(["deliveries", "list", "acme"]) == 0
    (item,) = listed_rows(capsys.readouterr().out)

    assert main(["deliveries", "replay", "acme", item[0]]) == 1
    assert main(["deliveries", "replay", "acme", "no-such-id"]) == 1

    assert "is not dead (or does not exist): nothing changed" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["deliveries", "list", "ghost"], "tenant 'ghost' not found"),
        (["deliveries", "list", "acme", "--state", "lost"], "invalid choice: 'lost'"),
        (["deliveries", "replay", "ghost", "x"], "tenant 'ghost' not found"),
    ],
)
def test_deliveries_refuse_unknown_tenants_and_states(
    env: Env, tenant: str, capsys: Capsys, argv: list[str], message: str
) -> None:
    assert main(argv) != 0

    assert message in capsys.readouterr().err


def export_an_introduction(introduction_id: str, job_id: int) -> str:
    """Store an accepted introduction in the inbox and let a worker export it; its application id."""
    candidate = dict(accepted()["candidate"], emails=[f"{introduction_id}@example.com"])
    data = accepted(introduction_id, job_ids=[str(job_id)], candidate=candidate)
    body = json.dumps(
        {"type": "introduction.accepted", "timestamp": "2026-11-24T09:00:00Z", "data": data}
    )

    async def export() -> str:
        container = build_container(load_settings(generate=False))
        deps = container.deps()
        try:
            await record_delivery(
                deps,
                InboundDelivery(
                    id=f"in-{introduction_id}",
                    tenant_id="acme",
                    source="intrro",
                    delivery_id=f"m-{introduction_id}",
                    body_hash=hashlib.sha256(body.encode()).hexdigest(),
                    body=body.encode(),
                    kind="introduction.accepted",
                    received_at=datetime.now(UTC),
                    ordering_key=f"intro:{introduction_id}",
                ),
            )
            worker = container.worker()
            for _ in range(50):
                await worker.run_once()
                with contextlib.suppress(NotFoundError):
                    view = await introduction_view(deps, "acme", introduction_id)
                    if view["applications"][0]["application_id"]:
                        return str(view["applications"][0]["application_id"])
                await asyncio.sleep(0.05)
            raise AssertionError("the introduction was not exported")
        finally:
            await container.http_client().aclose()
            await container.engine().dispose()

    return asyncio.run(export())


def test_reconcile_repairs_a_stage_change_whose_web_hook_was_lost(
    env: Env, sandbox: Sandbox, tenant: str, capsys: Capsys
) -> None:
    assert connect(env) == 0
    application = export_an_introduction("intro-lost", sandbox.state.seed.open_job_ids[5])
    SandboxControl(sandbox.state).move(int(application), options=DeliveryOptions(drop=True))
    capsys.readouterr()

    assert main(["reconcile", "acme"]) == 0
    first = capsys.readouterr().out
    assert main(["reconcile", "acme"]) == 0
    second = capsys.readouterr().out

    def row(out: str) -> list[str]:
        line = next(line for line in out.splitlines() if line.startswith("│ acme"))
        return [cell.strip() for cell in line.strip("│").split("│")]

    assert row(first)[:3] == ["acme", "1", "1"]
    assert row(first)[3].startswith("silent")
    assert row(second)[2] == "0"  # repaired once: the next pass finds nothing to repair


def test_the_web_hook_lines_are_checked_once_greenhouse_has_pinged_the_gateway(
    env: Env, sandbox: Sandbox, tenant: str, capsys: Capsys
) -> None:
    async def record_ping() -> None:
        container = build_container(load_settings(generate=False))
        try:
            async with container.deps().uow() as uow:
                found = await uow.tenants.get("acme")
                assert found is not None
                found.last_ping_at = datetime.now(UTC)
                await uow.tenants.save(found)
                await uow.commit()
        finally:
            await container.engine().dispose()

    asyncio.run(record_ping())

    assert connect(env) == 0

    out = capsys.readouterr().out
    assert rows(out, UNVERIFIED) == []
    assert any("Web hook URL" in line for line in rows(out, GRANTED))
