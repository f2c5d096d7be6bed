"""The documented list filters select what Greenhouse would, and hide what it hides by default."""

from __future__ import annotations

import httpx
import pytest

from intrro_gateway.sandboxes.greenhouse import SandboxControl, SandboxState


async def _get(
    client: httpx.AsyncClient, headers: dict[str, str], path: str, **params: str | int
) -> list[dict[str, object]]:
    response = await client.get(path, params=params, headers=headers)
    assert response.status_code == 200, response.text
    records: list[dict[str, object]] = response.json()
    return records


async def test_candidates_are_found_by_email_case_insensitively(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    found = await _get(client, headers, "/v3/candidates", email="ADA.Lovelace@Example.com")

    assert [c["id"] for c in found] == [state.seed.candidate_ids[0]]


async def test_applications_filter_active_means_in_process(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    active = await _get(client, headers, "/v3/applications", status="active")
    hired = await _get(client, headers, "/v3/applications", status="hired")

    assert {a["status"] for a in active} == {"in_process"}
    assert len(active) == 2
    assert [a["id"] for a in hired] == [state.seed.application_ids[3]]


async def test_applications_status_in_process_is_not_a_filter_value(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.get(
        "/v3/applications", params={"status": "in_process"}, headers=headers
    )

    assert response.status_code == 422


async def test_applications_are_listed_by_candidate_and_by_job(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    by_candidate = await _get(
        client, headers, "/v3/applications", candidate_ids=state.seed.candidate_ids[1]
    )
    by_job = await _get(client, headers, "/v3/applications", job_ids=state.seed.open_job_ids[2])

    assert [a["id"] for a in by_candidate] == [state.seed.application_ids[1]]
    assert [a["id"] for a in by_job] == [state.seed.application_ids[2]]


async def test_last_activity_at_windows_select_applications_changed_since(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    control: SandboxControl,
    state: SandboxState,
) -> None:
    cutoff = state.clock.stamp()
    control.move(state.seed.application_ids[0])

    changed = await _get(client, headers, "/v3/applications", last_activity_at=f"gt|{cutoff}")
    before = await _get(
        client, headers, "/v3/applications", updated_at=f"gte|2000-01-01T00:00:00Z|lte|{cutoff}"
    )

    assert [a["id"] for a in changed] == [state.seed.application_ids[0]]
    assert state.seed.application_ids[0] not in [a["id"] for a in before]
    assert len(before) == 3


async def test_application_stages_show_the_current_row(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    application = state.tables["applications"][state.seed.application_ids[1]]

    rows = await _get(
        client,
        headers,
        "/v3/application_stages",
        application_ids=application["id"],
        current="true",
    )

    assert [r["id"] for r in rows] == [application["stage_id"]]


async def test_jobs_by_status_and_templates_are_flagged(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    open_jobs = await _get(client, headers, "/v3/jobs", status="open", per_page=500)
    closed = await _get(client, headers, "/v3/jobs", status="closed")

    templates = [j["id"] for j in open_jobs if j["is_template"]]
    assert templates == [state.seed.template_job_id]
    assert len(open_jobs) - len(templates) == 22
    assert [j["id"] for j in closed] == [state.seed.closed_job_id]


async def test_job_posts_hide_inactive_posts_unless_asked(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    post = next(iter(state.tables["job_posts"].values()))
    post["active"] = False

    default = await _get(client, headers, "/v3/job_posts", job_ids=post["job_id"])
    inactive = await _get(client, headers, "/v3/job_posts", job_ids=post["job_id"], active="false")

    assert post["id"] not in [p["id"] for p in default]
    assert [p["id"] for p in inactive] == [post["id"]]


async def test_users_hide_service_accounts_unless_asked(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    service_user = state.credentials[state.DEFAULT_CLIENT_ID].service_user_id

    default = await _get(client, headers, "/v3/users", per_page=500)
    shown = await _get(client, headers, "/v3/users", per_page=500, show_service_accounts="true")

    assert service_user not in [u["id"] for u in default]
    assert service_user in [u["id"] for u in shown]


async def test_a_user_is_found_by_primary_email_and_its_referrer_by_user_id(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    users = await _get(client, headers, "/v3/users", primary_email="emma.seller@sandbox.example")
    referrers = await _get(client, headers, "/v3/referrers", user_ids=str(users[0]["id"]))
    none = await _get(
        client, headers, "/v3/referrers", user_ids=state.seed.employee_without_referrer_user_id
    )

    assert [u["id"] for u in users] == [state.seed.employee_user_ids[2]]
    assert [r["id"] for r in referrers] == [state.seed.referrer_ids[2]]
    assert none == []


async def test_user_emails_are_found_by_address(
    client: httpx.AsyncClient, headers: dict[str, str], state: SandboxState
) -> None:
    rows = await _get(client, headers, "/v3/user_emails", email="noah.noreferrer@sandbox.example")

    assert [r["user_id"] for r in rows] == [state.seed.employee_without_referrer_user_id]


async def test_fields_limits_the_keys_returned(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    jobs = await _get(client, headers, "/v3/jobs", fields="id,name", per_page=2)

    assert [set(j) for j in jobs] == [{"id", "name"}, {"id", "name"}]


@pytest.mark.parametrize(
    ("resource", "parameter"),
    [
        ("candidates", "candidate_ids"),
        ("candidates", "job_ids"),
        ("jobs", "created_after"),
        ("applications", "last_activity_after"),
    ],
)
async def test_parameters_greenhouse_does_not_take_are_refused(
    client: httpx.AsyncClient, headers: dict[str, str], resource: str, parameter: str
) -> None:
    response = await client.get(f"/v3/{resource}", params={parameter: "1"}, headers=headers)

    assert response.status_code == 422
    assert response.json() == {"errors": [f"Invalid query params: {parameter}"]}
