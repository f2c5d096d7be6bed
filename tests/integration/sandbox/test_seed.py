"""The seeded data set the demo and the gateway's tests rely on."""

from __future__ import annotations

from collections import Counter

from intrro_gateway.sandboxes.greenhouse import SandboxState, seeded_state
from intrro_gateway.sandboxes.greenhouse._clock import parse_stamp


def test_the_seed_has_twenty_two_open_jobs_a_closed_job_and_a_template() -> None:
    state = seeded_state()
    jobs = state.tables["jobs"].values()

    open_jobs = [j for j in jobs if j["status"] == "open" and not j["is_template"]]
    assert len(open_jobs) == 22
    assert state.tables["jobs"][state.seed.closed_job_id]["status"] == "closed"
    assert state.tables["jobs"][state.seed.template_job_id]["is_template"] is True


def test_every_job_has_five_or_six_stages_from_application_review_to_offer() -> None:
    state = seeded_state()

    for job_id in state.tables["jobs"]:
        stages = sorted(
            (s for s in state.tables["job_interview_stages"].values() if s["job_id"] == job_id),
            key=lambda s: s["sort_order"],
        )
        assert len(stages) in (5, 6)
        assert stages[0]["name"] == "Application Review"
        assert stages[-1]["name"] == "Offer"


def test_every_job_has_one_or_two_posts_with_public_urls() -> None:
    state = seeded_state()
    posts = Counter(p["job_id"] for p in state.tables["job_posts"].values())

    assert set(posts) == set(state.tables["jobs"])
    assert set(posts.values()) == {1, 2}
    for post in state.tables["job_posts"].values():
        assert post["public_url"].startswith("https://")
        assert f"gh_jid={post['id']}" in post["public_url"]


def test_the_seed_has_departments_offices_and_the_intrro_prospecting_source() -> None:
    state = seeded_state()

    assert len(state.tables["departments"]) >= 3
    assert len(state.tables["offices"]) >= 3
    assert state.seed.intrro_source_id is not None
    source = state.tables["sources"][state.seed.intrro_source_id]
    assert (source["name"], source["type"]["name"]) == ("Intrro", "Prospecting")
    assert len(state.tables["sources"]) > 1


def test_the_seed_can_leave_out_the_intrro_source() -> None:
    state = seeded_state(source=False)

    assert state.seed.intrro_source_id is None
    assert "Intrro" not in [s["name"] for s in state.tables["sources"].values()]
    assert len(state.tables["sources"]) >= 1


def test_the_seed_has_rejection_reasons_of_every_kind() -> None:
    state = seeded_state()

    keys = {r["type"]["key"] for r in state.tables["rejection_reasons"].values()}
    assert keys == {"WE_REJECTED_THEM", "THEY_REJECTED_US", "NONE_SPECIFIED"}


def test_the_seed_has_admins_non_admins_and_employees_with_and_without_referrer_rows() -> None:
    state = seeded_state()
    users = state.tables["users"]
    referred_users = {r["user_id"] for r in state.tables["referrers"].values()}

    assert users[state.DEFAULT_USER_ID]["site_admin"] is True
    assert users[state.seed.non_admin_user_id]["site_admin"] is False
    assert set(state.seed.employee_user_ids) <= referred_users
    assert state.seed.employee_without_referrer_user_id not in referred_users


def test_the_seed_has_candidates_with_applications_in_several_states() -> None:
    state = seeded_state()

    statuses = Counter(a["status"] for a in state.tables["applications"].values())
    assert statuses == {"in_process": 2, "rejected": 1, "hired": 1}
    assert len(state.seed.candidate_ids) == 4


def test_seeding_fires_no_web_hooks() -> None:
    assert seeded_state().webhooks.fired == []


def test_an_empty_state_has_only_the_default_credential_and_its_users() -> None:
    state = SandboxState.empty()

    assert set(state.credentials) == {state.DEFAULT_CLIENT_ID}
    assert state.tables["jobs"] == {}
    assert state.tables["users"][state.DEFAULT_USER_ID]["site_admin"] is True


def test_seeded_records_are_stamped_in_the_past_and_live_changes_after_them() -> None:
    state = seeded_state()
    now = state.clock.now()
    stamps = [
        parse_stamp(record["updated_at"])
        for table in state.tables.values()
        for record in table.values()
        if isinstance(record.get("updated_at"), str)
    ]

    live = state.clock.tick()

    assert len(stamps) > 100
    assert max(stamps) < now
    assert live > max(stamps)
