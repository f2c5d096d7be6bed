"""Reconciliation against the Greenhouse sandbox: a stage change whose web hook was lost is repaired by a
pass and pushed to Intrro exactly once; with web hooks flowing a pass pushes nothing; repairs while no web
hook arrives flag the tenant's web hooks as silent, shown in the connection status. Each pass costs a few
requests, counted at the sandbox, whatever the number of linked applications."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from intrro_gateway.domain.commands import Reconcile
from intrro_gateway.sandboxes.greenhouse import (
    DeliveryOptions,
    RateLimit,
    SandboxState,
    seeded_state,
)
from intrro_gateway.sandboxes.greenhouse.state import LoggedRequest
from intrro_gateway.services.handlers.reconcile import ReconcileResult
from tests.e2e.http_support import accepted, intrro_event, intrro_headers
from tests.e2e.test_ops_support import (
    AUTH,
    OpsGateway,
    describe,
    ops_gateway,
    requests_since,
    sandbox_clock_caught_up,
    webhooks_to,
)

ID, SECRET = SandboxState.DEFAULT_CLIENT_ID, SandboxState.DEFAULT_CLIENT_SECRET
HOOK_SECRET = "ops-reconcile-webhook-secret"
MOST_REQUESTS_PER_PASS = 4  # applications changed since, their stage rows, rejection details, token
DROP = DeliveryOptions(drop=True)


def free_job(sandbox: SandboxState, n: int = 0) -> int:
    """The n-th open job that has no application yet."""
    busy = {app["job_id"] for app in sandbox.table("applications").values()}
    return [j for j in sandbox.seed.open_job_ids if j not in busy][n]


async def connected(gw: OpsGateway, *, webhooks: bool = True) -> None:
    """Tenant acme, connected to the sandbox, its web hooks (when asked) pointed at the gateway."""
    await sandbox_clock_caught_up(gw.sandbox)
    await gw.create_tenant("acme", HOOK_SECRET)
    assert (await gw.connect("acme", ID, SECRET)).json()["ok"] is True
    if webhooks:
        webhooks_to(gw, ID, "acme", HOOK_SECRET)
    await gw.settle()


async def introduce(gw: OpsGateway, introduction_id: str, job_id: int) -> int:
    """Post an accepted introduction to one job, let the worker export it; the application's id."""
    candidate = dict(accepted()["candidate"], emails=[f"{introduction_id}@example.com"])
    data = accepted(introduction_id, job_ids=[str(job_id)], candidate=candidate)
    body = intrro_event("introduction.accepted", data)
    answer = await gw.client.post(
        "/events/intrro/acme", content=body, headers=intrro_headers(body, f"m-{introduction_id}")
    )
    assert answer.status_code == 202, answer.text
    await gw.settle()
    [exported] = [
        m
        for m in gw.platform.of_type("introduction.exported")
        if m.data["introduction_id"] == introduction_id
    ]
    return int(exported.data["applications"][0]["application_id"])


async def reconcile_pass(gw: OpsGateway) -> tuple[ReconcileResult, list[LoggedRequest]]:
    """One pass for acme, and the requests it made; then the worker pushes what it queued."""
    mark = len(gw.sandbox.requests)
    result = await gw.bus.handle(Reconcile(tenant_id="acme"))
    made = requests_since(gw.sandbox, mark)
    await gw.settle()
    assert isinstance(result, ReconcileResult)
    return result, made


def status_changes(gw: OpsGateway, application_id: int) -> list[dict[str, Any]]:
    """The `application.status_changed` events Intrro received for the application."""
    return [
        m.data
        for m in gw.platform.of_type("application.status_changed")
        if m.data["application_id"] == str(application_id)
    ]


async def test_a_stage_change_whose_web_hook_was_dropped_is_repaired_and_pushed_exactly_once(
    tmp_path: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    async with ops_gateway(tmp_path, sqlite_url, {ID: seeded_state()}) as gw:
        await connected(gw)
        application = await introduce(gw, "intro-1", free_job(gw.sandbox))
        before = status_changes(gw, application)

        gw.control.move(application, options=DROP)
        await gw.settle()
        unrepaired = status_changes(gw, application)
        first, first_requests = await reconcile_pass(gw)
        repaired = status_changes(gw, application)
        second, second_requests = await reconcile_pass(gw)
        after_second = status_changes(gw, application)
        status = await gw.status("acme")

    with capsys.disabled():
        print(
            f"\nHarvest requests per reconciliation pass (1 linked application): "
            f"repairing {len(first_requests)}, nothing to repair {len(second_requests)}"
            f"\n{describe(first_requests)}"
        )
    assert before == [] and unrepaired == []
    assert (first.checked, first.repairs) == (1, 1)
    assert [(c["previous_status"], c["status"]) for c in repaired] == [("applied", "interviewing")]
    assert repaired[0]["stage"]["name"] == "Phone Screen"
    assert second.repairs == 0
    assert after_second == repaired
    # A web hook (the new application's) did arrive since connecting: the web hooks are not silent.
    assert first.silent_webhooks is False and status["webhooks_silent"] is False
    assert status["reconcile_repairs"] == 1
    for made in (first_requests, second_requests):
        assert 1 <= len(made) <= MOST_REQUESTS_PER_PASS, describe(made)
        assert all(r.method == "GET" or r.path == "/token" for r in made), describe(made)


async def test_with_web_hooks_flowing_a_pass_repairs_and_pushes_nothing(
    tmp_path: Path, sqlite_url: str
) -> None:
    async with ops_gateway(tmp_path, sqlite_url, {ID: seeded_state()}) as gw:
        await connected(gw)
        application = await introduce(gw, "intro-1", free_job(gw.sandbox))
        gw.control.move(application)
        await gw.settle()
        by_webhook = status_changes(gw, application)
        pushed_before = len(gw.platform.pushes)
        result, made = await reconcile_pass(gw)
        status = await gw.status("acme")

    assert [c["status"] for c in by_webhook] == ["interviewing"]
    assert (result.checked, result.repairs) == (1, 0)
    assert len(gw.platform.pushes) == pushed_before
    assert status["webhooks_silent"] is False and status["reconcile_repairs"] == 0
    assert len(made) <= MOST_REQUESTS_PER_PASS, describe(made)


async def test_repairs_while_no_web_hook_arrives_flag_the_web_hooks_silent_in_the_status(
    tmp_path: Path, sqlite_url: str
) -> None:
    async with ops_gateway(tmp_path, sqlite_url, {ID: seeded_state()}) as gw:
        await connected(gw)
        application = await introduce(gw, "intro-1", free_job(gw.sandbox))
        quiet, _ = await reconcile_pass(gw)
        gw.control.set_delivery_options(DROP)  # the web hooks stop reaching the gateway
        gw.control.move(application)
        await gw.settle()
        repairing, _ = await reconcile_pass(gw)
        silent = await gw.status("acme")

        gw.control.set_delivery_options(DeliveryOptions())  # they flow again
        gw.control.move(application)
        await gw.settle()
        flowing = await gw.status("acme")

    assert quiet.repairs == 0 and quiet.silent_webhooks is False
    assert repairing.repairs == 1 and repairing.silent_webhooks is True
    assert silent["webhooks_silent"] is True and silent["reconcile_repairs"] == 1
    # The later move stays within `interviewing`: no status change to push.
    assert [c["status"] for c in status_changes(gw, application)] == ["interviewing"]
    assert flowing["webhooks_silent"] is False


async def test_a_pass_costs_the_same_few_requests_for_one_repair_or_seven(
    tmp_path: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox = seeded_state()
    # Eight exports exceed Greenhouse's 150 requests per 30 s; the client would wait the window out.
    sandbox.harvest_rate_limit = RateLimit(limit=10_000, window_s=30.0)
    async with ops_gateway(tmp_path, sqlite_url, {ID: sandbox}) as gw:
        await connected(gw, webhooks=False)
        first = await introduce(gw, "intro-0", free_job(gw.sandbox, 0))
        gw.control.move(first)
        one, one_requests = await reconcile_pass(gw)
        more = [await introduce(gw, f"intro-{n}", free_job(gw.sandbox, n)) for n in range(1, 8)]
        for application in more:
            gw.control.move(application)
        seven, seven_requests = await reconcile_pass(gw)
        idle, idle_requests = await reconcile_pass(gw)

    with capsys.disabled():
        print(
            "\nHarvest requests per reconciliation pass: 1 repair "
            f"{len(one_requests)}, 7 repairs {len(seven_requests)}, none {len(idle_requests)}"
        )
    assert (one.checked, one.repairs) == (1, 1)
    assert seven.repairs == 7
    assert idle.repairs == 0
    assert len(one_requests) == len(seven_requests), describe(seven_requests)
    assert len(idle_requests) <= len(seven_requests) <= MOST_REQUESTS_PER_PASS


async def test_deletions_and_a_merge_whose_web_hooks_were_dropped_are_repaired_once(
    tmp_path: Path, sqlite_url: str
) -> None:
    async with ops_gateway(tmp_path, sqlite_url, {ID: seeded_state()}) as gw:
        await connected(gw)
        deleted = await introduce(gw, "intro-1", free_job(gw.sandbox, 0))
        person_gone = await introduce(gw, "intro-2", free_job(gw.sandbox, 1))
        merged = await introduce(gw, "intro-3", free_job(gw.sandbox, 2))
        owner = gw.sandbox.tables["applications"]
        survivor = gw.sandbox.seed.candidate_ids[0]
        gw.control.set_delivery_options(DROP)
        gw.control.delete_application(deleted)
        gw.control.delete_candidate(owner[person_gone]["candidate_id"])
        gw.control.merge(owner[merged]["candidate_id"], survivor)
        first, made = await reconcile_pass(gw)
        second, _ = await reconcile_pass(gw)
        view = await gw.client.get("/api/tenants/acme/introductions/intro-3", headers=AUTH)

    removed = gw.platform.of_type("application.removed")
    assert sorted((m.data["application_id"], m.data["reason"]) for m in removed) == sorted(
        [(str(deleted), "deleted"), (str(person_gone), "deleted")]
    )
    assert (first.repairs, second.repairs) == (3, 0)
    assert view.json()["ats_candidate_id"] == str(survivor)
    assert all(r.method == "GET" or r.path == "/token" for r in made), describe(made)
