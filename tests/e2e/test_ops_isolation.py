"""Tenant isolation through the API (issue 6, item 8), on SQLite and PostgreSQL: a delivery signed with one
tenant's secret is refused on another tenant's route; two tenants whose Greenhouse accounts (two sandboxes
seeded alike) use the same job, candidate and application ids and the same candidate e-mails never read or
write each other's rows."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from intrro_gateway.domain.commands import Reconcile
from intrro_gateway.sandboxes.greenhouse import SandboxState, seeded_state
from intrro_gateway.services.handlers.reconcile import ReconcileResult
from tests.e2e.http_support import AUTH, accepted, greenhouse_headers, intrro_event, intrro_headers
from tests.e2e.test_ops_support import (
    OpsGateway,
    ops_gateway,
    requests_since,
    sandbox_clock_caught_up,
    webhooks_to,
)

A, B = "acme", "globex"
CLIENTS = {A: "acme-client", B: "globex-client"}
HOOK_SECRETS = {A: "acme-webhook-secret", B: "globex-webhook-secret"}
INTRRO_SECRETS = {
    t: "whsec_" + base64.b64encode(f"{t}-intrro-secret-for-isolation-tests".encode()).decode()
    for t in (A, B)
}


def twin_sandboxes() -> dict[str, SandboxState]:
    """Two accounts built by the same steps: every id and e-mail of one is also in the other."""
    twins = [seeded_state(), seeded_state()]
    for sandbox in twins:
        for client_id in CLIENTS.values():
            sandbox.add_credential(client_id, f"{client_id}-secret")
    ids = [{name: sorted(table) for name, table in s.tables.items()} for s in twins]
    assert ids[0] == ids[1]
    return {CLIENTS[A]: twins[0], CLIENTS[B]: twins[1]}


async def tenants(gw: OpsGateway) -> None:
    """Both tenants, each connected to its own account, its web hooks pointed at its own route."""
    for tenant in (A, B):
        await gw.create_tenant(tenant, HOOK_SECRETS[tenant], INTRRO_SECRETS[tenant])
        client = CLIENTS[tenant]
        report = (await gw.connect(tenant, client, f"{client}-secret")).json()
        assert report["ok"] is True, report["problems"]
        webhooks_to(gw, client, tenant, HOOK_SECRETS[tenant])
    await gw.settle()


async def accept(gw: OpsGateway, tenant: str, job_id: int) -> int:
    """The same introduction (id, candidate e-mail, job, message id) accepted in the tenant."""
    body = intrro_event("introduction.accepted", accepted("intro-1", job_ids=[str(job_id)]))
    headers = intrro_headers(body, "msg-1", secret=INTRRO_SECRETS[tenant])
    answer = await gw.client.post(f"/events/intrro/{tenant}", content=body, headers=headers)
    assert answer.status_code == 202, answer.text
    await gw.settle()
    view = await get(gw, f"/api/tenants/{tenant}/introductions/intro-1")
    return int(view["applications"][0]["application_id"])


async def get(gw: OpsGateway, path: str, **params: str) -> Any:
    response = await gw.client.get(path, params=params, headers=AUTH)
    assert response.status_code == 200, response.text
    return response.json()


async def deliveries(gw: OpsGateway, tenant: str) -> list[dict[str, Any]]:
    answer = await get(gw, f"/api/tenants/{tenant}/deliveries")
    listed: list[dict[str, Any]] = answer["deliveries"]
    return listed


async def test_a_delivery_signed_with_another_tenants_secret_is_refused_and_stores_nothing(
    tmp_path: Path, db_url: str
) -> None:
    sandboxes = twin_sandboxes()
    async with ops_gateway(tmp_path, db_url, sandboxes) as gw:
        await tenants(gw)
        before = {t: await deliveries(gw, t) for t in (A, B)}
        body = b'{"action": "candidate_stage_change", "payload": {}}'
        greenhouse = await gw.client.post(
            f"/webhooks/greenhouse/{B}",
            content=body,
            headers=greenhouse_headers(body, HOOK_SECRETS[A], event_id="ev-1"),
        )
        event = intrro_event("introduction.accepted", accepted("intro-9"))
        intrro = await gw.client.post(
            f"/events/intrro/{B}",
            content=event,
            headers=intrro_headers(event, "msg-9", secret=INTRRO_SECRETS[A]),
        )
        # A real Greenhouse account whose web hooks were pasted with the wrong tenant's route.
        job = sandboxes[CLIENTS[A]].seed.open_job_ids[0]
        webhooks_to(gw, CLIENTS[A], B, HOOK_SECRETS[A])
        gw.controls[CLIENTS[A]].update_job(job, "Renamed by acme's recruiter")
        await gw.settle()
        after = {t: await deliveries(gw, t) for t in (A, B)}
        globex_jobs = {j["id"]: j["title"] for j in await gw.jobs(B)}

    assert greenhouse.status_code == 401 and intrro.status_code == 401
    assert [d.status_code for d in gw.controls[CLIENTS[A]].deliveries][-1] == 401
    assert after == before
    assert globex_jobs[str(job)] != "Renamed by acme's recruiter"


async def test_two_tenants_with_the_same_ats_ids_and_emails_never_touch_each_others_rows(
    tmp_path: Path, db_url: str
) -> None:
    sandboxes = twin_sandboxes()
    acme_ats, globex_ats = sandboxes[CLIENTS[A]], sandboxes[CLIENTS[B]]
    busy = {app["job_id"] for app in acme_ats.table("applications").values()}
    job, closing = [j for j in acme_ats.seed.open_job_ids if j not in busy][:2]
    await sandbox_clock_caught_up(acme_ats)
    await sandbox_clock_caught_up(globex_ats)
    async with ops_gateway(tmp_path, db_url, sandboxes) as gw:
        await tenants(gw)
        acme_app = await accept(gw, A, job)
        globex_app = await accept(gw, B, job)
        globex_before = await get(gw, f"/api/tenants/{B}/introductions/intro-1")

        # Acme's recruiter moves its application and closes a job; globex's account is untouched.
        globex_mark = len(globex_ats.requests)
        gw.controls[CLIENTS[A]].move(acme_app)
        gw.controls[CLIENTS[A]].close_job(closing)
        await gw.settle()
        passes = {t: await gw.bus.handle(Reconcile(tenant_id=t)) for t in (A, B)}
        await gw.settle()
        globex_writes = [r for r in requests_since(globex_ats, globex_mark) if r.method != "GET"]

        views = {t: await get(gw, f"/api/tenants/{t}/introductions/intro-1") for t in (A, B)}
        interviewing = {
            t: await get(gw, f"/api/tenants/{t}/pipeline", status="interviewing") for t in (A, B)
        }
        open_jobs = {t: {j["id"] for j in await gw.jobs(t)} for t in (A, B)}

        deleted = await gw.client.delete(f"/api/tenants/{A}", headers=AUTH)
        globex_after_delete = await get(gw, f"/api/tenants/{B}/introductions/intro-1")
        globex_jobs_after_delete = {j["id"] for j in await gw.jobs(B)}
        gone = await gw.client.get(f"/api/tenants/{A}/introductions/intro-1", headers=AUTH)

    # The collision is real: the same candidate and application ids in both accounts.
    assert acme_app == globex_app
    assert [len(s.table("candidates")) for s in (acme_ats, globex_ats)] == [5, 5]
    assert views[A]["applications"][0]["status"] == "interviewing"
    assert views[B] == globex_before
    assert views[B]["applications"][0]["status"] == "applied"
    assert [e["introduction_id"] for e in interviewing[A]["applications"]] == ["intro-1"]
    assert interviewing[B]["applications"] == []
    assert str(closing) not in open_jobs[A] and str(closing) in open_jobs[B]
    assert all(isinstance(p, ReconcileResult) and p.repairs == 0 for p in passes.values())
    assert globex_writes == []
    status_pushes = [
        (target.url, message.data["status"])
        for target, message in gw.platform.pushes
        if message.type == "application.status_changed"
    ]
    assert status_pushes == [(f"https://intrro.test/{A}", "interviewing")]
    assert deleted.status_code == 204
    assert globex_after_delete == globex_before
    assert globex_jobs_after_delete == open_jobs[B]
    assert gone.status_code == 404
