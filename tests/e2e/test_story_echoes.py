"""Echoes: the web hooks Greenhouse fires because of the gateway's own writes push nothing new."""

from __future__ import annotations

from typing import Any

import httpx

from intrro_gateway.sandboxes.greenhouse import SandboxState
from tests.e2e.live import EXPORTED, JOBS_CHANGED, Live, accepted_data, live_stack, now_iso

NOAH = {"name": "Noah Noreferrer", "email": "noah.noreferrer@sandbox.example", "employee_id": "E-9"}


async def harvest_patch(live: Live, path: str, body: dict[str, Any]) -> httpx.Response:
    """A Harvest v3 PATCH as the connected admin, straight to the sandbox."""
    token = await live.http.post(
        f"{live.sandbox_url}/token",
        auth=(SandboxState.DEFAULT_CLIENT_ID, SandboxState.DEFAULT_CLIENT_SECRET),
        data={"grant_type": "client_credentials", "sub": str(SandboxState.DEFAULT_USER_ID)},
    )
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    return await live.http.patch(f"{live.sandbox_url}{path}", json=body, headers=headers)


async def test_the_web_hooks_of_the_gateways_own_writes_push_nothing_beyond_the_export(
    db_url: str,
) -> None:
    async with live_stack(db_url) as live:
        job = live.open_job_ids()[0]
        # Noah has no referrer row: the credit goes into the candidate's custom field (a PATCH).
        await live.accept(accepted_data("intro-echo", [job], referrer=NOAH))
        exported = await live.wait_exported("intro-echo")
        await live.settled()
        candidate_id = exported.data["ats_candidate_id"]
        application_id = exported.data["applications"][0]["application_id"]

        changed = {"current_title": "Staff Engineer", "phones": ["+1 555 0101"]}
        update = {"introduction_id": "intro-echo", "candidate": changed, "updated_at": now_iso()}
        answer = await live.post_intrro("candidate.updated", update)
        await live.settled()
        # An application write that changes nothing the gateway follows (the same source).
        rewritten = await harvest_patch(
            live,
            f"/v3/applications/{application_id}",
            {"source_id": live.sandbox.seed.intrro_source_id},
        )
        await live.settled()
        inbound = await live.api(
            "GET", f"/api/tenants/{live.tenant}/deliveries", params={"direction": "in"}
        )

    assert answer.status_code == 202
    assert rewritten.status_code == 200
    assert exported.data["referral_credit"] == "custom_field"
    person = live.candidate_record(candidate_id)
    assert person["title"] == "Staff Engineer"
    assert "+1 555 0101" in [p["value"] for p in person["phone_numbers"]]
    fired = live.fired_actions()
    # The export (application, then the credit's PATCH), the candidate's new details, the rewrite.
    assert fired == [
        "new_candidate_application",
        "update_candidate",
        "update_candidate",
        "application_updated",
    ]
    assert {d.status_code for d in live.control.deliveries} == {200}
    assert len(live.control.deliveries) == len(fired)
    echoes = [d for d in inbound["deliveries"] if d["kind"] in set(fired)]
    assert sorted(d["kind"] for d in echoes) == sorted(fired)
    assert {d["state"] for d in echoes} <= {"processed", "ignored"}
    assert [e.type for e in live.events("intro-echo")] == [EXPORTED]
    # (Job imports may announce more `jobs.changed` meanwhile: the scheduled sync runs too.)
    assert [e.type for e in live.received if e.type != JOBS_CHANGED] == [EXPORTED]
