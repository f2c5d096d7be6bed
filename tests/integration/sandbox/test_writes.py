"""Harvest v3 writes against the sandbox: what each one stores and answers."""

from __future__ import annotations

import httpx
import pytest

from intrro_gateway.sandboxes.greenhouse import SandboxControl, SandboxState
from tests.integration.sandbox.support import Receiver


async def _custom_field(
    client: httpx.AsyncClient, headers: dict[str, str], field_type: str = "candidate"
) -> dict[str, object]:
    response = await client.post(
        "/v3/custom_fields",
        headers=headers,
        json={"name": "Intrro Referrer", "field_type": field_type, "value_type": "short_text"},
    )
    assert response.status_code == 201, response.text
    created: dict[str, object] = response.json()
    return created


async def test_a_candidate_without_an_application_is_created_without_a_web_hook(
    client: httpx.AsyncClient, headers: dict[str, str], control: SandboxControl
) -> None:
    response = await client.post(
        "/v3/candidates", headers=headers, json={"first_name": "Ada", "last_name": "Byron"}
    )

    assert response.status_code == 201
    assert response.json()["application"] is None
    assert control.fired == []


async def test_a_nested_application_lands_on_the_first_stage_with_its_attribution(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    job_id = state.seed.open_job_ids[1]

    response = await client.post(
        "/v3/candidates",
        headers=headers,
        json={
            "first_name": "Ada",
            "last_name": "Byron",
            "application": {
                "job_id": job_id,
                "source_id": state.seed.intrro_source_id,
                "referrer_id": state.seed.referrer_ids[1],
            },
        },
    )

    application = response.json()["application"]
    assert application["stage_name"] == "Application Review"
    assert application["referrer_id"] == state.seed.referrer_ids[1]
    row = state.tables["application_stages"][application["stage_id"]]
    assert (row["application_id"], row["current"]) == (application["id"], True)


async def test_a_nested_application_to_a_closed_job_creates_nothing(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    before = len(state.tables["candidates"])

    response = await client.post(
        "/v3/candidates",
        headers=headers,
        json={
            "first_name": "Ada",
            "last_name": "Byron",
            "application": {"job_id": state.seed.closed_job_id},
        },
    )

    assert response.status_code == 422
    assert len(state.tables["candidates"]) == before


async def test_an_application_to_an_unknown_referrer_is_refused(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    response = await client.post(
        "/v3/applications",
        headers=headers,
        json={
            "candidate_id": state.seed.candidate_ids[0],
            "job_id": state.seed.open_job_ids[9],
            "referrer_id": state.seed.employee_user_ids[0],
        },
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "referrer_id"


async def test_patching_a_candidate_replaces_its_arrays(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    candidate_id = state.seed.candidate_ids[0]

    response = await client.patch(
        f"/v3/candidates/{candidate_id}",
        headers=headers,
        json={"phone_numbers": [{"value": "+44 20 7946 0000", "type": "mobile"}]},
    )

    assert response.status_code == 200
    assert response.json()["phone_numbers"] == [{"value": "+44 20 7946 0000", "type": "mobile"}]
    assert response.json()["email_addresses"] == [
        {"value": "ada.lovelace@example.com", "type": "personal"}
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"email_addresses": [{"value": "a@b.c", "type": "home"}]},
        {"email_addresses": ["a@b.c"]},
        {"first_name": ""},
        {"is_private": True},
    ],
)
async def test_malformed_candidate_fields_are_refused(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState, body: object
) -> None:
    response = await client.patch(
        f"/v3/candidates/{state.seed.candidate_ids[0]}", headers=headers, json=body
    )

    assert response.status_code == 422


async def test_custom_field_values_are_written_by_name_key_and_read_back_keyed(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    field = await _custom_field(client, headers)
    candidate_id = state.seed.candidate_ids[0]

    response = await client.patch(
        f"/v3/candidates/{candidate_id}",
        headers=headers,
        json={"custom_fields": [{"name_key": field["name_key"], "value": "Erin (erin@x.io)"}]},
    )

    assert response.json()["custom_fields"] == {
        "intrro_referrer": {
            "name": "Intrro Referrer",
            "type": "short_text",
            "value": "Erin (erin@x.io)",
        }
    }


async def test_an_unknown_custom_field_changes_nothing(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    candidate_id = state.seed.candidate_ids[0]

    response = await client.patch(
        f"/v3/candidates/{candidate_id}",
        headers=headers,
        json={"title": "CTO", "custom_fields": [{"name_key": "nope", "value": "x"}]},
    )

    assert response.status_code == 422
    assert state.tables["candidates"][candidate_id]["title"] is None


async def test_custom_fields_are_listed_by_type_and_a_second_one_with_the_same_key_is_refused(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    field = await _custom_field(client, headers)
    again = await client.post(
        "/v3/custom_fields",
        headers=headers,
        json={"name": "Intrro Referrer", "field_type": "candidate", "value_type": "short_text"},
    )
    listed = await client.get(
        "/v3/custom_fields", params={"field_type": "candidate"}, headers=headers
    )
    patched = await client.patch(
        f"/v3/custom_fields/{field['id']}", headers=headers, json={"description": "set by Intrro"}
    )

    assert again.status_code == 422
    assert [f["id"] for f in listed.json()] == [field["id"]]
    assert patched.json()["description"] == "set by Intrro"


async def test_creating_an_existing_tag_in_other_casing_answers_200_with_it(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    created = await client.post("/v3/candidate_tags", headers=headers, json={"name": "Intrro"})
    again = await client.post("/v3/candidate_tags", headers=headers, json={"name": "INTRRO"})

    assert created.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == created.json()["id"]


async def test_notes_are_listed_by_candidate(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    candidate_id = state.seed.candidate_ids[2]
    await client.post(
        "/v3/notes",
        headers=headers,
        json={
            "candidate_id": candidate_id,
            "user_id": state.DEFAULT_USER_ID,
            "body": "Introduced by Erin via Intrro",
            "visibility": "admin_only",
            "note_type": "NOTE",
        },
    )

    notes = await client.get("/v3/notes", params={"candidate_ids": candidate_id}, headers=headers)

    assert [(n["body"], n["visibility"], n["type"]) for n in notes.json()] == [
        ("Introduced by Erin via Intrro", "admin_only_visible", "NOTE")
    ]


async def test_move_through_the_api_checks_from_stage_and_fires_stage_change(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    state: SandboxState,
    control: SandboxControl,
    receiver: Receiver,
) -> None:
    application = state.tables["applications"][state.seed.application_ids[0]]
    stale = await client.post(
        f"/v3/applications/{application['id']}/move",
        headers=headers,
        json={"from_stage_id": state.seed.open_job_ids[0]},
    )
    moved = await client.post(
        f"/v3/applications/{application['id']}/move",
        headers=headers,
        json={"from_stage_id": application["stage_id"]},
    )
    await control.flush()

    assert stale.status_code == 422
    assert moved.status_code == 204
    assert application["stage_name"] == "Phone Screen"
    assert receiver.actions() == ["candidate_stage_change"]


async def test_hire_and_unreject_through_the_api_answer_204(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    hired = await client.post(
        f"/v3/applications/{state.seed.application_ids[0]}/hire", headers=headers, json={}
    )
    unrejected = await client.post(
        f"/v3/applications/{state.seed.application_ids[2]}/unreject", headers=headers, json={}
    )

    assert (hired.status_code, hired.content) == (204, b"")
    assert (unrejected.status_code, unrejected.content) == (204, b"")
    statuses = [state.tables["applications"][i]["status"] for i in state.seed.application_ids[:3]]
    assert statuses == ["hired", "in_process", "in_process"]


async def test_merge_and_delete_through_the_api_answer_204(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    primary, secondary, doomed = state.seed.candidate_ids[:3]

    merged = await client.post(
        f"/v3/candidates/{primary}/merge",
        headers=headers,
        json={"secondary_candidate_id": secondary},
    )
    deleted = await client.delete(f"/v3/candidates/{doomed}", headers=headers)

    assert (merged.status_code, deleted.status_code) == (204, 204)
    assert set(state.tables["candidates"]) == {primary, state.seed.candidate_ids[3]}
