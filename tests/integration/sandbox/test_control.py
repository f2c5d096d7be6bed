"""Control actions change the sandbox's state and fire the matching Recruiting web hook."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from intrro_gateway.sandboxes.greenhouse import (
    InvalidFieldError,
    InvalidStateError,
    SandboxControl,
    SandboxState,
    UnknownRecordError,
)
from intrro_gateway.sandboxes.greenhouse._applications import (
    ApplicationRequest,
    create_application,
)
from tests.integration.sandbox.support import Receiver


def _payloads(receiver: Receiver) -> list[dict[str, Any]]:
    return [json.loads(r.content) for r in receiver.requests]


async def test_move_without_a_target_advances_to_the_next_stage_and_records_history(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    application_id = state.seed.application_ids[0]
    before = state.tables["applications"][application_id]["updated_at"]

    control.move(application_id)
    await control.flush()

    application = state.tables["applications"][application_id]
    assert application["stage_name"] == "Phone Screen"
    assert application["updated_at"] > before
    rows = [
        r
        for r in state.tables["application_stages"].values()
        if r["application_id"] == application_id
    ]
    assert [(r["current"], r["exited_at"] is None) for r in rows] == [(False, False), (True, True)]
    assert application["stage_id"] == rows[-1]["id"]
    body = _payloads(receiver)[0]
    assert body["action"] == "candidate_stage_change"
    stage = body["payload"]["application"]["current_stage"]
    assert stage["id"] == rows[-1]["job_interview_stage_id"]
    assert stage == {"id": stage["id"], "name": "Phone Screen", "interviews": []}


async def test_move_to_a_named_stage_puts_the_application_there(
    control: SandboxControl, state: SandboxState
) -> None:
    application_id = state.seed.application_ids[0]
    job_id = state.tables["applications"][application_id]["job_id"]
    offer = next(
        s
        for s in state.tables["job_interview_stages"].values()
        if s["job_id"] == job_id and s["name"] == "Offer"
    )

    control.move(application_id, offer["id"])

    assert state.tables["applications"][application_id]["stage_name"] == "Offer"


async def test_move_to_a_stage_of_another_job_is_refused(
    control: SandboxControl, state: SandboxState
) -> None:
    other_job = state.seed.open_job_ids[10]
    stage_id = next(
        s["id"] for s in state.tables["job_interview_stages"].values() if s["job_id"] == other_job
    )

    with pytest.raises(InvalidFieldError, match="not a stage of the job"):
        control.move(state.seed.application_ids[0], stage_id)


@pytest.mark.parametrize(
    ("kind", "key", "type_name"),
    [
        ("company", "WE_REJECTED_THEM", "We rejected them"),
        ("candidate", "THEY_REJECTED_US", "They rejected us"),
    ],
)
async def test_reject_uses_a_reason_of_the_kind_asked_and_fires_reject_candidate(
    control: SandboxControl,
    receiver: Receiver,
    state: SandboxState,
    kind: Any,
    key: str,
    type_name: str,
) -> None:
    application_id = state.seed.application_ids[0]

    control.reject(application_id, kind)
    await control.flush()

    application = state.tables["applications"][application_id]
    assert application["status"] == "rejected"
    reason = state.tables["rejection_reasons"][application["rejection_reason_id"]]
    assert reason["type"]["key"] == key
    body = _payloads(receiver)[0]
    assert body["action"] == "reject_candidate"
    payload = body["payload"]["application"]
    assert payload["status"] == "rejected"
    assert payload["rejection_reason"]["type"]["name"] == type_name
    assert payload["rejected_at"] == application["rejected_at"]
    details = [
        d
        for d in state.tables["rejection_details"].values()
        if d["application_id"] == application_id
    ]
    assert [d["rejection_reason_id"] for d in details] == [reason["id"]]


async def test_unreject_reinstates_the_application(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    application_id = state.seed.application_ids[0]
    control.reject(application_id, "company")

    control.unreject(application_id)
    await control.flush()

    application = state.tables["applications"][application_id]
    assert (application["status"], application["rejection_reason_id"]) == ("in_process", None)
    assert receiver.actions() == ["reject_candidate", "unreject_candidate"]
    assert _payloads(receiver)[1]["payload"]["application"]["status"] == "active"


async def test_hire_leaves_the_stage_and_unhire_restores_it(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    application_id = state.seed.application_ids[0]
    control.move(application_id)

    control.hire(application_id)
    hired = dict(state.tables["applications"][application_id])
    control.unhire(application_id)
    await control.flush()

    assert (hired["status"], hired["stage_id"]) == ("hired", None)
    application = state.tables["applications"][application_id]
    assert (application["status"], application["stage_name"]) == ("in_process", "Phone Screen")
    bodies = _payloads(receiver)
    assert [b["action"] for b in bodies] == [
        "candidate_stage_change",
        "hire_candidate",
        "unhire_candidate",
    ]
    hire = bodies[1]["payload"]["application"]
    assert hire["status"] == "hired"
    assert hire["current_stage"] is None
    assert "offer" in hire
    assert bodies[2]["payload"]["application"]["current_stage"]["name"] == "Phone Screen"


async def test_each_change_gets_a_strictly_later_last_activity_at(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    application_id = state.seed.application_ids[0]
    for _ in range(4):
        control.move(application_id)
    await control.flush()

    stamps = [b["payload"]["application"]["last_activity_at"] for b in _payloads(receiver)]
    assert stamps == sorted(set(stamps))
    assert len(stamps) == 4


async def test_merge_moves_applications_to_the_winner_and_fires_merge_candidate(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    loser, winner = state.seed.candidate_ids[0], state.seed.candidate_ids[1]
    moved_application = state.seed.application_ids[0]

    control.merge(loser, winner)
    await control.flush()

    assert loser not in state.tables["candidates"]
    assert state.tables["applications"][moved_application]["candidate_id"] == winner
    body = _payloads(receiver)[0]
    assert body["action"] == "merge_candidate"
    assert body["payload"]["person"]["id"] == loser
    assert body["payload"]["person"]["new_candidate_id"] == winner


async def test_merge_destroys_a_duplicate_on_a_job_the_winner_has_and_fires_its_deletion_first(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    loser, winner = state.seed.candidate_ids[0], state.seed.candidate_ids[1]
    duplicate = state.seed.application_ids[0]
    job_id = state.tables["applications"][duplicate]["job_id"]
    kept, _ = create_application(state, winner, ApplicationRequest(job_id=job_id))
    await control.flush()
    receiver.requests.clear()

    control.merge(loser, winner)
    await control.flush()

    assert duplicate not in state.tables["applications"]
    assert state.tables["applications"][kept["id"]]["candidate_id"] == winner
    actions = [b["action"] for b in _payloads(receiver)]
    assert actions == ["delete_application", "merge_candidate"]
    assert _payloads(receiver)[0]["payload"]["application"]["id"] == duplicate


async def test_delete_application_fires_the_flat_payload(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    application_id = state.seed.application_ids[0]
    job_id = state.tables["applications"][application_id]["job_id"]

    control.delete_application(application_id)
    await control.flush()

    assert application_id not in state.tables["applications"]
    body = _payloads(receiver)[0]
    assert body["action"] == "delete_application"
    flat = body["payload"]["application"]
    assert (flat["id"], flat["job_id"]) == (application_id, job_id)
    assert "candidate" not in flat


async def test_delete_candidate_removes_its_applications_and_lists_them(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    candidate_id = state.seed.candidate_ids[0]

    control.delete_candidate(candidate_id)
    await control.flush()

    assert candidate_id not in state.tables["candidates"]
    body = _payloads(receiver)[0]
    assert body["action"] == "delete_candidate"
    person = body["payload"]["person"]
    assert person["id"] == candidate_id
    assert person["deleted_application_ids"] == [state.seed.application_ids[0]]
    assert state.seed.application_ids[0] not in state.tables["applications"]


async def test_closing_then_deleting_a_job_fires_job_updated_then_job_deleted(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    job_id = state.seed.open_job_ids[20]

    control.close_job(job_id)
    control.delete_job(job_id)
    await control.flush()

    bodies = _payloads(receiver)
    assert [b["action"] for b in bodies] == ["job_updated", "job_deleted"]
    assert bodies[0]["payload"]["job"]["status"] == "closed"
    assert bodies[1]["payload"]["job"] == {"id": job_id, "name": "Brand Designer"}
    assert job_id not in state.tables["jobs"]


async def test_an_open_job_cannot_be_deleted(control: SandboxControl, state: SandboxState) -> None:
    with pytest.raises(InvalidStateError):
        control.delete_job(state.seed.open_job_ids[0])


async def test_update_job_renames_it_and_fires_job_updated_with_departments_and_offices(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    job_id = state.seed.open_job_ids[0]

    control.update_job(job_id, "Senior Backend Engineer")
    await control.flush()

    job = _payloads(receiver)[0]["payload"]["job"]
    assert job["name"] == state.tables["jobs"][job_id]["name"] == "Senior Backend Engineer"
    assert job["departments"][0]["name"] == "Engineering"
    assert job["offices"][0]["location"] == {"name": "London, UK"}


async def test_update_job_post_fires_a_flat_job_post_payload(
    control: SandboxControl, receiver: Receiver, state: SandboxState
) -> None:
    post_id = next(iter(state.tables["job_posts"]))

    control.update_job_post(post_id, live=False)
    await control.flush()

    body = _payloads(receiver)[0]
    assert body["action"] == "job_post_updated"
    assert (body["payload"]["id"], body["payload"]["live"]) == (post_id, False)


@pytest.mark.parametrize("action", ["unreject", "unhire"])
async def test_an_action_that_does_not_apply_is_refused_and_fires_nothing(
    control: SandboxControl, state: SandboxState, action: str
) -> None:
    with pytest.raises(InvalidStateError):
        getattr(control, action)(state.seed.application_ids[0])

    assert control.fired == []


async def test_an_action_on_an_unknown_record_raises_unknown_record(
    control: SandboxControl,
) -> None:
    with pytest.raises(UnknownRecordError):
        control.hire(12345)


async def test_the_http_control_api_drives_the_same_actions(
    client: httpx.AsyncClient, receiver: Receiver, state: SandboxState
) -> None:
    application_id = state.seed.application_ids[0]
    configured = await client.post(
        "/_sandbox/webhooks",
        json={"url": "http://receiver.test/hooks", "secret": "s", "options": {"duplicate": 1}},
    )
    assert configured.status_code == 200

    moved = await client.post(f"/_sandbox/applications/{application_id}/move", json={})
    rejected = await client.post(
        f"/_sandbox/applications/{application_id}/reject", json={"kind": "candidate"}
    )
    await client.post("/_sandbox/flush")
    deliveries = (await client.get("/_sandbox/deliveries")).json()

    event_ids = [*moved.json()["event_ids"], *rejected.json()["event_ids"]]
    assert [d["event_id"] for d in deliveries] == [event_ids[0]] * 2 + [event_ids[1]] * 2
    assert receiver.actions() == ["candidate_stage_change"] * 2 + ["reject_candidate"] * 2
    assert state.request_count(f"/_sandbox/applications/{application_id}/move", "POST") == 0


async def test_the_http_control_api_answers_404_and_422_for_bad_actions(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    unknown = await client.post("/_sandbox/applications/1/hire", json={})
    wrong = await client.post(
        f"/_sandbox/applications/{state.seed.application_ids[0]}/unreject", json={}
    )
    bad_field = await client.post(
        f"/_sandbox/applications/{state.seed.application_ids[0]}/reject", json={"kind": "x"}
    )

    assert unknown.status_code == 404
    assert wrong.status_code == 422
    assert bad_field.status_code == 422


async def test_the_http_control_api_adds_credentials_and_users(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    made = await client.post(
        "/_sandbox/credentials",
        json={"client_id": "demo", "client_secret": "demo-secret", "scopes": ["harvest:jobs:list"]},
    )
    user = await client.post(
        "/_sandbox/users",
        json={
            "first_name": "Zed",
            "last_name": "Zero",
            "email": "zed@sandbox.example",
            "site_admin": False,
            "referrer": True,
        },
    )

    assert made.status_code == 201
    assert state.credentials["demo"].scopes == {"harvest:jobs:list"}
    assert user.status_code == 201
    referrer = state.tables["referrers"][user.json()["referrer_id"]]
    assert referrer["user_id"] == user.json()["id"]


async def test_a_job_with_applications_cannot_be_deleted(
    control: SandboxControl, state: SandboxState
) -> None:
    job_id = state.seed.open_job_ids[0]
    control.close_job(job_id)

    with pytest.raises(InvalidStateError, match="has applications"):
        control.delete_job(job_id)

    assert job_id in state.tables["jobs"]


async def test_pipeline_actions_carry_the_applications_activity_to_the_candidate(
    control: SandboxControl, state: SandboxState
) -> None:
    application_id = state.seed.application_ids[0]

    control.move(application_id)

    application = state.tables["applications"][application_id]
    candidate = state.tables["candidates"][application["candidate_id"]]
    assert candidate["last_activity_at"] == application["last_activity_at"]


async def test_the_http_control_api_moves_the_clock_and_changes_the_limits(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    before = state.clock.now()

    response = await client.post(
        "/_sandbox/settings",
        json={"advance_s": 120, "token_ttl": 30, "harvest_limit": 5, "harvest_window_s": 10},
    )

    assert response.status_code == 200
    assert (state.clock.now() - before).total_seconds() >= 120
    assert state.token_ttl == 30
    assert (state.harvest_rate_limit.limit, state.harvest_rate_limit.window_s) == (5, 10)
    assert state.token_rate_limit.limit == 60


async def test_the_http_control_api_lists_events_requests_and_seed_ids(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    await client.get("/v3/sources", headers=headers)
    await client.post(f"/_sandbox/applications/{state.seed.application_ids[0]}/hire", json={})

    events = (await client.get("/_sandbox/events")).json()
    logged = (await client.get("/_sandbox/requests")).json()
    seed = (await client.get("/_sandbox/seed")).json()

    assert [e["action"] for e in events] == ["hire_candidate"]
    assert events[0]["body"]["payload"]["application"]["status"] == "hired"
    assert [(r["method"], r["path"]) for r in logged] == [
        ("POST", "/token"),
        ("GET", "/v3/sources"),
    ]
    assert seed["intrro_source_id"] == state.seed.intrro_source_id
