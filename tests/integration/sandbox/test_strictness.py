"""The sandbox is as strict as Greenhouse is documented to be, so that a wrong client fails against it."""

from __future__ import annotations

import httpx
import pytest

from intrro_gateway.sandboxes.greenhouse import SandboxState
from tests.integration.sandbox.support import next_url


async def test_a_cursor_sent_with_another_parameter_is_refused_with_422(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    first = await client.get("/v3/jobs", params={"per_page": 2}, headers=headers)
    url = next_url(first)
    assert url is not None

    response = await client.get(url + "&per_page=2", headers=headers)

    assert response.status_code == 422
    assert response.json() == {
        "errors": ["When passing a cursor, do not include other query params."]
    }


async def test_an_unknown_query_parameter_is_refused_with_422_naming_it(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.get("/v3/jobs", params={"updated_after": "2024-01-01"}, headers=headers)

    assert response.status_code == 422
    assert response.json() == {"errors": ["Invalid query params: updated_after"]}


async def test_a_singular_cross_reference_filter_is_refused_with_422(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    response = await client.get(
        "/v3/applications", params={"candidate_id": state.seed.candidate_ids[0]}, headers=headers
    )

    assert response.status_code == 422


@pytest.mark.parametrize("per_page", ["0", "501", "-1", "ten"])
async def test_per_page_outside_one_to_five_hundred_is_refused_with_422(
    client: httpx.AsyncClient, headers: dict[str, str], per_page: str
) -> None:
    response = await client.get("/v3/jobs", params={"per_page": per_page}, headers=headers)

    assert response.status_code == 422


@pytest.mark.parametrize("per_page", ["1", "500"])
async def test_per_page_at_the_bounds_is_accepted(
    client: httpx.AsyncClient, headers: dict[str, str], per_page: str
) -> None:
    response = await client.get("/v3/jobs", params={"per_page": per_page}, headers=headers)

    assert response.status_code == 200


async def test_more_than_fifty_ids_are_refused_with_422(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    ids = ",".join(str(i) for i in range(1, 52))

    response = await client.get("/v3/jobs", params={"ids": ids}, headers=headers)

    assert response.status_code == 422


@pytest.mark.parametrize("note_type", ["note", "EMAIL", "ACTIVITY"])
async def test_a_note_type_other_than_upper_case_note_is_refused_with_422(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState, note_type: str
) -> None:
    response = await client.post(
        "/v3/notes",
        headers=headers,
        json={
            "candidate_id": state.seed.candidate_ids[0],
            "user_id": state.DEFAULT_USER_ID,
            "body": "hello",
            "visibility": "admin_only",
            "note_type": note_type,
        },
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "note_type"
    assert state.tables["notes"] == {}


@pytest.mark.parametrize("wrong_field", ["tag", "tag_id"])
async def test_applying_a_tag_by_tag_or_tag_id_instead_of_candidate_tag_id_is_refused(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState, wrong_field: str
) -> None:
    tag_id = next(iter(state.tables["candidate_tags"]))

    response = await client.post(
        "/v3/applied_candidate_tags",
        headers=headers,
        json={"candidate_id": state.seed.candidate_ids[0], wrong_field: tag_id},
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == wrong_field


async def test_applying_a_tag_by_candidate_tag_id_adds_it_to_the_candidate(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    tag_id = next(iter(state.tables["candidate_tags"]))
    candidate_id = state.seed.candidate_ids[0]

    response = await client.post(
        "/v3/applied_candidate_tags",
        headers=headers,
        json={"candidate_id": candidate_id, "candidate_tag_id": tag_id},
    )

    assert response.status_code == 201
    listed = await client.get(
        "/v3/applied_candidate_tags", params={"candidate_ids": candidate_id}, headers=headers
    )
    assert [row["candidate_tag_id"] for row in listed.json()] == [tag_id]
    assert state.tables["candidates"][candidate_id]["tags"] == ["Referral"]


@pytest.mark.parametrize("resource", ["jobs", "candidates", "applications", "users"])
async def test_there_is_no_get_by_id_route(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState, resource: str
) -> None:
    record_id = next(iter(state.tables[resource]))

    response = await client.get(f"/v3/{resource}/{record_id}", headers=headers)

    assert response.status_code == 404
    assert response.json() == {"message": "Resource not found"}


async def test_one_record_is_read_with_ids(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    job_id = state.seed.open_job_ids[3]

    response = await client.get("/v3/jobs", params={"ids": job_id}, headers=headers)

    assert [job["id"] for job in response.json()] == [job_id]


async def test_lists_are_bare_json_arrays_and_the_last_page_has_an_empty_link(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.get("/v3/departments", headers=headers)

    assert isinstance(response.json(), list)
    assert response.headers["link"] == ""


async def test_reject_answers_204_with_no_body(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    application_id = state.seed.application_ids[0]
    reason_id = state.seed.rejection_reason_ids["WE_REJECTED_THEM"][0]

    response = await client.post(
        f"/v3/applications/{application_id}/reject",
        headers=headers,
        json={"rejection_reason_id": reason_id},
    )

    assert response.status_code == 204
    assert response.content == b""
    assert state.tables["applications"][application_id]["status"] == "rejected"


async def test_an_unknown_field_in_a_write_body_is_refused_with_422(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    response = await client.patch(
        f"/v3/applications/{state.seed.application_ids[0]}",
        headers=headers,
        json={"referrer": {"type": "id", "value": state.seed.employee_user_ids[0]}},
    )

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"message": "is not a permitted field", "field": "referrer"}
    ]


async def test_a_write_to_an_unknown_record_is_404_naming_it(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.patch("/v3/candidates/999", headers=headers, json={"title": "CTO"})

    assert response.status_code == 404
    assert response.json()["errors"] == ["candidates 999 not found"]


async def test_a_closed_job_refuses_a_candidate_application_with_422(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    response = await client.post(
        "/v3/applications",
        headers=headers,
        json={"candidate_id": state.seed.candidate_ids[0], "job_id": state.seed.closed_job_id},
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "job_id"


async def test_a_closed_job_accepts_a_prospect_application(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    response = await client.post(
        "/v3/applications",
        headers=headers,
        json={
            "candidate_id": state.seed.candidate_ids[0],
            "prospect": True,
            "job_ids": [state.seed.closed_job_id],
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert body["prospect"] is True
    assert body["stage_id"] is None
    assert body["prospective_job_ids"] == [state.seed.closed_job_id]


async def test_unrejecting_an_active_application_is_refused_with_greenhouses_message(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    response = await client.post(
        f"/v3/applications/{state.seed.application_ids[0]}/unreject", headers=headers, json={}
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == (
        "Application must be 'rejected', is currently 'in_process'"
    )
