"""Fault options: one-off faults before or after handling, seeded random faults, and the counts."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from intrro_gateway.sandboxes.lever import Fault, SandboxControl, SandboxState, create_sandbox_app
from tests.integration.sandbox_lever.support import auth


async def test_an_applied_fault_applies_the_write_then_answers_500(
    client: httpx.AsyncClient, control: SandboxControl, state: SandboxState
) -> None:
    control.add_fault(Fault(status=500, method="POST", path="/v1/opportunities", applied=True))
    before = len(state.tables["opportunities"])

    response = await client.post(
        "/opportunities",
        params={"perform_as": state.seed.admin_user_id},
        json={"name": "Pat", "emails": ["pat@example.com"]},
        auth=auth(),
    )

    assert response.status_code == 500
    assert len(state.tables["opportunities"]) == before + 1
    found = await client.get("/opportunities", params={"email": "pat@example.com"}, auth=auth())
    assert len(found.json()["data"]) == 1


async def test_a_fault_before_handling_changes_nothing(
    client: httpx.AsyncClient, control: SandboxControl, state: SandboxState
) -> None:
    control.add_fault(Fault(status=503, method="POST"))
    before = len(state.tables["opportunities"])

    response = await client.post(
        "/opportunities",
        params={"perform_as": state.seed.admin_user_id},
        json={"name": "Pat", "emails": ["pat@example.com"]},
        auth=auth(),
    )

    assert response.status_code == 503
    assert len(state.tables["opportunities"]) == before


async def test_an_applied_delay_answers_late_after_the_write(
    state: SandboxState, webhook_client: httpx.AsyncClient
) -> None:
    state.faults.append(Fault(delay_s=0.5, method="PUT", applied=True))
    opportunity = state.seed.opportunity_ids[0]
    app = create_sandbox_app(state, webhook_client=webhook_client)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://lever.test"
    ) as http:
        call = http.put(
            f"/v1/opportunities/{opportunity}/stage", json={"stage": "offer"}, auth=auth()
        )
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(call, timeout=0.2)

    assert state.tables["opportunities"][opportunity]["stage"] == "offer"


async def test_seeded_random_faults_repeat_and_are_counted(
    state: SandboxState, webhook_client: httpx.AsyncClient
) -> None:
    app = create_sandbox_app(state, webhook_client=webhook_client)

    async def run() -> list[int]:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://lever.test"
        ) as http:
            await http.post(
                "/_sandbox/faults", json={"rate": 0.5, "kinds": ["429", "503", "500"], "seed": 7}
            )
            await http.post("/_sandbox/settings", json={"reset_limits": True})
            return [(await http.get("/v1/stages", auth=auth())).status_code for _ in range(12)]

    first = await run()
    second = await run()

    assert first == second
    assert {200, 429} <= set(first) or {200, 503} <= set(first) or {200, 500} <= set(first)
    assert set(first) <= {200, 429, 500, 503}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://lever.test"
    ) as http:
        counts = (await http.get("/_sandbox/faults")).json()
        cleared = (await http.delete("/_sandbox/faults")).json()
    failures = sum(1 for s in first + second if s != 200)
    assert sum(counts["injected"].values()) == failures
    assert cleared["rate"] == 0.0


@pytest.mark.parametrize(
    "body",
    [
        {"rate": 1.5},
        {"kinds": ["418"]},
        {"kinds": []},
        {"rate": 0.1, "status": 500},
        {"method": "GET"},
        {"status": 200},
        {"status": 500, "times": 0},
        {"seed": "x"},
    ],
)
async def test_bad_fault_options_are_400(
    state: SandboxState, webhook_client: httpx.AsyncClient, body: dict[str, object]
) -> None:
    app = create_sandbox_app(state, webhook_client=webhook_client)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://lever.test"
    ) as http:
        response = await http.post("/_sandbox/faults", json=body)

    assert response.status_code == 400
    assert state.faults == [] and state.random_faults.rate == 0.0


async def test_faults_never_touch_the_control_api(
    state: SandboxState, webhook_client: httpx.AsyncClient
) -> None:
    state.random_faults.configure(rate=1.0, kinds=("503",))
    app = create_sandbox_app(state, webhook_client=webhook_client)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://lever.test"
    ) as http:
        seed = await http.get("/_sandbox/seed")
        table = await http.get("/_sandbox/tables/stages")
        api = await http.get("/v1/stages", auth=auth())

    assert seed.status_code == table.status_code == 200
    assert [s["id"] for s in table.json()] == state.seed.stage_ids
    assert api.status_code == 503
