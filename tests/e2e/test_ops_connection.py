"""The connection report through the API against the Greenhouse sandbox: what is missing is named, the
credential is stored anyway, a refused one stores nothing; a credential revoked later is flagged by the
periodic re-check and shown in the connection status."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from intrro_gateway.entrypoints.http.models import ConnectionReport, ConnectionStatus
from intrro_gateway.sandboxes.greenhouse import ALL_SCOPES, SandboxState, seeded_state
from intrro_gateway.services.connection import recheck_connection
from tests.e2e.test_ops_support import NON_ADMIN_EMAIL, ops_gateway, requests_since

ID, SECRET = SandboxState.DEFAULT_CLIENT_ID, SandboxState.DEFAULT_CLIENT_SECRET
HOOK_SECRET = "ops-webhook-secret-0001"
READS = ("harvest:jobs:list", "harvest:candidates:list")
WRITES = ("harvest:candidates:create", "harvest:notes:create")


def statuses(report: dict[str, Any]) -> dict[str, str]:
    """Each scope of the report and its status."""
    return {p["scope"]: p["status"] for p in report["permissions"]}


def not_granted(report: dict[str, Any]) -> dict[str, str]:
    """The required scopes that are not granted, and their status."""
    return {
        p["scope"]: p["status"]
        for p in report["permissions"]
        if p["required"] and p["status"] != "granted"
    }


async def test_a_credential_with_every_scope_an_admin_and_the_source_is_ok(
    tmp_path: Path, sqlite_url: str
) -> None:
    async with ops_gateway(tmp_path, sqlite_url, {ID: seeded_state()}) as gw:
        await gw.create_tenant("acme", HOOK_SECRET)
        answer = await gw.connect("acme", ID, SECRET)
        status = await gw.status("acme")

    report = answer.json()
    assert answer.status_code == 200
    assert report["ok"] is True
    assert all("optional scope" in problem for problem in report["problems"])
    assert report["user"]["site_admin"] is True
    assert not_granted(report) == {}
    assert report["source"]["found"] is True and report["source"]["steps"] == []
    assert report["webhook"]["secret"] == HOOK_SECRET
    assert status["connected"] is True and status["ok"] is True
    ConnectionReport.model_validate(report)  # the published schema of the answers
    ConnectionStatus.model_validate(status)


async def test_a_credential_missing_read_scopes_is_reported_and_stored_not_ok(
    tmp_path: Path, sqlite_url: str
) -> None:
    sandbox = seeded_state()
    sandbox.add_credential("reader-less", "s1", sorted(ALL_SCOPES - set(READS)))
    async with ops_gateway(tmp_path, sqlite_url, {"reader-less": sandbox}) as gw:
        await gw.create_tenant("acme", HOOK_SECRET)
        answer = await gw.connect("acme", "reader-less", "s1")
        status = await gw.status("acme")

    report = answer.json()
    assert answer.status_code == 200
    assert report["ok"] is False
    assert not_granted(report) == dict.fromkeys(READS, "missing")
    for scope in READS:
        assert any(scope in problem and "required" in problem for problem in report["problems"])
    assert status["connected"] is True and status["ok"] is False
    assert not_granted(status["report"]) == dict.fromkeys(READS, "missing")


async def test_a_credential_missing_write_scopes_is_reported_from_its_introspected_scopes(
    tmp_path: Path, sqlite_url: str
) -> None:
    sandbox = seeded_state()
    sandbox.add_credential("writer-less", "s2", sorted(ALL_SCOPES - set(WRITES)))
    async with ops_gateway(tmp_path, sqlite_url, {"writer-less": sandbox}) as gw:
        await gw.create_tenant("acme", HOOK_SECRET)
        mark = len(sandbox.requests)
        answer = await gw.connect("acme", "writer-less", "s2")
        writes = [r for r in requests_since(sandbox, mark) if r.method != "GET"]

    report = answer.json()
    assert report["ok"] is False
    assert not_granted(report) == dict.fromkeys(WRITES, "missing")
    required = [p for p in report["problems"] if "optional scope" not in p]
    assert len(required) == len(WRITES)
    # Checking writes creates nothing in Greenhouse: only the token calls are not reads.
    assert {r.path for r in writes} <= {"/token", "/introspect"}


async def test_write_scopes_that_cannot_be_introspected_are_unverified_and_do_not_block(
    tmp_path: Path, sqlite_url: str
) -> None:
    sandbox = seeded_state()
    sandbox.add_credential("opaque", "s3", sorted(ALL_SCOPES - set(WRITES)), introspection=False)
    async with ops_gateway(tmp_path, sqlite_url, {"opaque": sandbox}) as gw:
        await gw.create_tenant("acme", HOOK_SECRET)
        report = (await gw.connect("acme", "opaque", "s3")).json()

    assert report["ok"] is True
    assert {statuses(report)[scope] for scope in WRITES} == {"unverified"}
    assert statuses(report)["harvest:jobs:list"] == "granted"


async def test_a_user_who_is_not_a_site_admin_is_reported_and_blocks_ok(
    tmp_path: Path, sqlite_url: str
) -> None:
    async with ops_gateway(tmp_path, sqlite_url, {ID: seeded_state()}) as gw:
        await gw.create_tenant("acme", HOOK_SECRET)
        report = (await gw.connect("acme", ID, SECRET, email=NON_ADMIN_EMAIL)).json()
        status = await gw.status("acme")

    assert report["ok"] is False
    assert report["user"]["email"] == NON_ADMIN_EMAIL
    assert report["user"]["site_admin"] is False
    assert any("not a Site Admin" in problem for problem in report["problems"])
    assert status["connected"] is True and status["ok"] is False


async def test_a_missing_intrro_source_is_reported_with_the_steps_to_add_it(
    tmp_path: Path, sqlite_url: str
) -> None:
    async with ops_gateway(tmp_path, sqlite_url, {ID: seeded_state(source=False)}) as gw:
        await gw.create_tenant("acme", HOOK_SECRET)
        report = (await gw.connect("acme", ID, SECRET)).json()

    assert report["ok"] is False
    assert not_granted(report) == {}
    assert report["source"]["found"] is False and report["source"]["id"] is None
    steps = report["source"]["steps"]
    assert len(steps) >= 2
    assert any("Intrro" in step for step in steps)
    assert any("source named 'Intrro'" in problem for problem in report["problems"])


async def test_a_refused_credential_answers_422_and_stores_nothing(
    tmp_path: Path, sqlite_url: str
) -> None:
    sandbox = seeded_state()
    async with ops_gateway(tmp_path, sqlite_url, {ID: sandbox}) as gw:
        await gw.create_tenant("acme", HOOK_SECRET)
        mark = len(sandbox.requests)
        refused = await gw.connect("acme", ID, "not-the-secret")
        asked = requests_since(sandbox, mark)
        status = await gw.status("acme")

    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert "not-the-secret" not in refused.text
    assert status["connected"] is False and status["report"] is None
    assert [(r.method, r.path) for r in asked] == [("POST", "/token")]


async def test_a_revoked_credential_is_flagged_by_the_next_recheck_and_shown_in_the_status(
    tmp_path: Path, sqlite_url: str
) -> None:
    sandbox = seeded_state()
    async with ops_gateway(tmp_path, sqlite_url, {ID: sandbox}) as gw:
        await gw.create_tenant("acme", HOOK_SECRET)
        assert (await gw.connect("acme", ID, SECRET)).json()["ok"] is True
        await recheck_connection(gw.deps, "acme")
        healthy = await gw.status("acme")

        sandbox.credentials[ID].revoked = True
        await recheck_connection(gw.deps, "acme")
        revoked = await gw.status("acme")

        sandbox.credentials[ID].revoked = False
        await recheck_connection(gw.deps, "acme")
        recovered = await gw.status("acme")

    assert healthy["credential_failing"] is False
    assert revoked["credential_failing"] is True
    assert revoked["connected"] is True
    assert revoked["checked_at"] > healthy["checked_at"]
    assert recovered["credential_failing"] is False


async def test_the_scheduler_flags_a_revoked_credential_on_its_first_tick_and_then_leaves_it_alone(
    tmp_path: Path, sqlite_url: str
) -> None:
    sandbox = seeded_state()
    async with ops_gateway(tmp_path, sqlite_url, {ID: sandbox}) as gw:
        await gw.create_tenant("acme", HOOK_SECRET)
        assert (await gw.connect("acme", ID, SECRET)).json()["ok"] is True
        sandbox.credentials[ID].revoked = True
        scheduler = gw.container.scheduler()
        await scheduler.tick()  # everything is due on the first tick
        flagged = await gw.status("acme")

        del scheduler.next_due["reconcile"], scheduler.next_due["jobs_sync"]  # due again now
        mark = len(sandbox.requests)
        await scheduler.tick()
        asked = requests_since(sandbox, mark)

    assert flagged["credential_failing"] is True
    # A failing credential is left to the connection check: the reconciliation and the job sync,
    # due again, make no call for it.
    assert asked == []
