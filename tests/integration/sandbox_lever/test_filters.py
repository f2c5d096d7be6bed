"""The documented filters of users, postings, archive reasons and opportunities."""

from __future__ import annotations

import httpx
import pytest

from intrro_gateway.sandboxes.lever import SandboxState
from tests.integration.sandbox_lever.support import auth, walk


async def test_users_by_email_case_insensitively(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    rows = await walk(client, "/users", {"email": "ADMIN@sandbox.example"})

    assert [r["id"] for r in rows] == [state.seed.admin_user_id]
    assert rows[0]["accessRole"] == "super admin"


async def test_deactivated_users_are_hidden_unless_asked(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    default = {r["id"] for r in await walk(client, "/users", {})}
    everyone = {r["id"] for r in await walk(client, "/users", {"includeDeactivated": "true"})}

    assert state.seed.deactivated_user_id not in default
    assert everyone - default == {state.seed.deactivated_user_id}


@pytest.mark.parametrize(
    ("states", "seed_field"),
    [
        (["published"], "published_posting_ids"),
        (["internal"], "internal_posting_ids"),
    ],
)
async def test_postings_by_state(
    client: httpx.AsyncClient, state: SandboxState, states: list[str], seed_field: str
) -> None:
    rows = await walk(client, "/postings", {"state": states})

    assert [r["id"] for r in rows] == getattr(state.seed, seed_field)
    assert all(r["state"] == states[0] for r in rows)


async def test_postings_by_several_states_and_all_by_default(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    both = await walk(client, "/postings", {"state": ["published", "internal"]})
    every = await walk(client, "/postings", {})

    assert {r["id"] for r in both} == {
        *state.seed.published_posting_ids,
        *state.seed.internal_posting_ids,
    }
    assert {r["state"] for r in every} == {"published", "internal", "closed", "draft"}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("team", "Platform"),
        ("department", "Sales"),
        ("location", "London, UK"),
        ("commitment", "Part-time"),
    ],
)
async def test_postings_by_category(
    client: httpx.AsyncClient, state: SandboxState, name: str, value: str
) -> None:
    rows = await walk(client, "/postings", {name: value})

    expected = [
        p["id"] for p in state.tables["postings"].values() if p["categories"][name] == value
    ]
    assert rows and [r["id"] for r in rows] == expected


async def test_postings_carry_categories_urls_and_workplace(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    posting_id = state.seed.published_posting_ids[0]
    response = await client.get(f"/postings/{posting_id}", auth=auth())

    posting = response.json()["data"]
    assert set(posting["categories"]) == {
        "commitment",
        "department",
        "level",
        "location",
        "team",
        "allLocations",
    }
    assert posting["urls"]["show"].endswith(posting_id)
    assert posting["urls"]["apply"].endswith(f"{posting_id}/apply")
    assert isinstance(posting["createdAt"], int) and isinstance(posting["updatedAt"], int)


async def test_postings_updated_since(client: httpx.AsyncClient, state: SandboxState) -> None:
    postings = list(state.tables["postings"].values())
    cut = postings[5]["updatedAt"]

    rows = await walk(client, "/postings", {"updated_at_start": cut})

    expected = [
        p["id"]
        for p in postings
        if p["updatedAt"] >= cut and p["confidentiality"] == "non-confidential"
    ]
    assert [r["id"] for r in rows] == expected


async def test_postings_expand_owner(client: httpx.AsyncClient, state: SandboxState) -> None:
    rows = await walk(client, "/postings", {"expand": ["owner", "followers"], "limit": 1})

    assert rows[0]["owner"]["id"] == state.seed.recruiter_user_id
    assert all(isinstance(f, dict) for f in rows[0]["followers"])


@pytest.mark.parametrize(
    ("kind", "texts"),
    [("hired", {"Hired"}), ("non-hired", {"Withdrew", "Offer declined", "Underqualified"})],
)
async def test_archive_reasons_by_type(
    client: httpx.AsyncClient, kind: str, texts: set[str]
) -> None:
    rows = await walk(client, "/archive_reasons", {"type": kind})

    assert {r["type"] for r in rows} == {kind}
    assert texts <= {r["text"] for r in rows}
    assert all(set(r) == {"id", "text", "status", "type"} for r in rows)


async def test_stages_in_pipeline_order_with_built_in_ids(client: httpx.AsyncClient) -> None:
    rows = await walk(client, "/stages", {})

    ids = [r["id"] for r in rows]
    assert ids[:4] == ["lead-new", "lead-reached-out", "lead-responded", "applicant-new"]
    assert ids[-1] == "offer"


async def test_opportunities_by_email_match_any_case(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    rows = await walk(client, "/opportunities", {"email": "Ada.Lovelace@EXAMPLE.com"})

    assert [r["id"] for r in rows] == [state.seed.opportunity_ids[0]]
    assert rows[0]["contact"] == state.seed.contact_ids[0]


async def test_opportunities_by_archived_and_posting(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    archived = await walk(client, "/opportunities", {"archived": "true"})
    active = await walk(client, "/opportunities", {"archived": "false"})
    on_posting = await walk(
        client, "/opportunities", {"posting_id": state.seed.published_posting_ids[1]}
    )

    seed = state.seed.opportunity_ids
    assert [r["id"] for r in archived] == [seed[2], seed[3]]
    assert [r["id"] for r in active] == [seed[0], seed[1]]
    assert [r["id"] for r in on_posting] == [seed[1]]


async def test_opportunities_updated_since(client: httpx.AsyncClient, state: SandboxState) -> None:
    hired = state.tables["opportunities"][state.seed.opportunity_ids[3]]

    rows = await walk(client, "/opportunities", {"updated_at_start": hired["updatedAt"]})

    assert [r["id"] for r in rows] == [hired["id"]]


async def test_opportunity_expand_applications_and_stage(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    opportunity_id = state.seed.opportunity_ids[1]
    response = await client.get(
        f"/opportunities/{opportunity_id}",
        params=[("expand", "applications"), ("expand", "stage")],
        auth=auth(),
    )

    data = response.json()["data"]
    assert data["applications"][0]["posting"] == state.seed.published_posting_ids[1]
    assert data["stage"] == {"id": state.seed.stage_ids[4], "text": "Recruiter screen"}


async def test_published_means_the_public_site_unless_channels_are_named(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    public = await walk(client, "/postings", {"state": "published"})
    both = await walk(
        client, "/postings", {"state": "published", "distributionChannel": ["public", "internal"]}
    )
    internal = await walk(
        client, "/postings", {"state": "published", "distributionChannel": "internal"}
    )

    site_only = state.seed.internal_site_posting_id
    assert [r["id"] for r in public] == state.seed.published_posting_ids
    assert [r["id"] for r in both] == [*state.seed.published_posting_ids, site_only]
    assert site_only in [r["id"] for r in internal]


async def test_updated_at_goes_with_confidentiality_only(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    rows = await walk(client, "/postings", {"updated_at_start": 0, "confidentiality": "all"})

    assert len(rows) == len(state.tables["postings"])


async def test_include_keeps_only_the_named_fields_and_the_expanded(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    postings = await walk(
        client, "/postings", {"include": ["text", "state"], "expand": "owner", "limit": 2}
    )
    opportunity = await client.get(
        f"/opportunities/{state.seed.opportunity_ids[0]}", params={"include": "stage"}, auth=auth()
    )

    assert all(set(p) == {"text", "state", "owner"} for p in postings)
    assert postings[0]["owner"]["id"] == state.seed.recruiter_user_id
    assert opportunity.json()["data"] == {"stage": "applicant-new"}


async def test_postings_by_tag(client: httpx.AsyncClient, state: SandboxState) -> None:
    posting = state.tables["postings"][state.seed.published_posting_ids[2]]
    posting["tags"] = ["high-priority"]

    rows = await walk(client, "/postings", {"tag": "high-priority"})

    assert [r["id"] for r in rows] == [posting["id"]]


async def test_confidential_records_are_hidden_unless_asked(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    state.tables["opportunities"][state.seed.opportunity_ids[0]]["confidentiality"] = "confidential"

    default = await walk(client, "/opportunities", {})
    everything = await walk(client, "/opportunities", {"confidentiality": "all"})
    only = await walk(client, "/opportunities", {"confidentiality": "confidential"})

    assert state.seed.opportunity_ids[0] not in [r["id"] for r in default]
    assert len(everything) == len(default) + 1
    assert [r["id"] for r in only] == [state.seed.opportunity_ids[0]]


async def test_users_by_access_role(client: httpx.AsyncClient, state: SandboxState) -> None:
    admins = await walk(client, "/users", {"accessRole": ["super admin", "admin"]})

    assert [r["id"] for r in admins] == [state.seed.admin_user_id, state.seed.recruiter_user_id]


async def test_opportunities_by_archived_posting_and_location(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    seed = state.seed
    archived_on = await walk(
        client, "/opportunities", {"archived_posting_id": seed.published_posting_ids[2]}
    )
    active_on = await walk(
        client, "/opportunities", {"archived_posting_id": seed.published_posting_ids[0]}
    )
    location = state.tables["opportunities"][seed.opportunity_ids[0]]["opportunityLocation"]
    located = await walk(client, "/opportunities", {"location": location})

    assert [r["id"] for r in archived_on] == [seed.opportunity_ids[2]]
    assert active_on == []
    assert seed.opportunity_ids[0] in [r["id"] for r in located]
    assert all(r["opportunityLocation"] == location for r in located)


async def test_opportunities_by_snoozed(client: httpx.AsyncClient, state: SandboxState) -> None:
    opportunity = state.tables["opportunities"][state.seed.opportunity_ids[1]]
    opportunity["snoozedUntil"] = state.clock.now_ms() + 60_000

    snoozed = await walk(client, "/opportunities", {"snoozed": "true"})
    awake = await walk(client, "/opportunities", {"snoozed": "false"})

    assert [r["id"] for r in snoozed] == [opportunity["id"]]
    assert opportunity["id"] not in [r["id"] for r in awake]
