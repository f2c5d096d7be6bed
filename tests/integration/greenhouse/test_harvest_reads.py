"""Reads through the Harvest client: applications with stages, people, referral credit, permissions."""

from __future__ import annotations

from datetime import UTC, datetime

from intrro_gateway.domain.candidates import Referrer
from intrro_gateway.domain.signals import ApplicationState, RejectionKind
from intrro_gateway.ports.ats import PermissionStatus, ReferralCredit
from tests.integration.greenhouse.harvest_fake import FakeHarvest
from tests.integration.greenhouse.harvest_support import context, make_client, new_fake


def _pipeline(fake: FakeHarvest) -> dict[str, int]:
    job = fake.add("jobs", name="Engineer", status="open")["id"]
    review = fake.add("job_interview_stages", job_id=job, name="Application Review", sort_order=0)
    onsite = fake.add("job_interview_stages", job_id=job, name="Onsite", sort_order=3)
    declined = fake.add(
        "rejection_reasons", name="Took another offer", type={"id": 1, "key": "THEY_REJECTED_US"}
    )
    candidate = fake.add("candidates", first_name="Ada", email_addresses=[])["id"]
    active = fake.add(
        "applications",
        candidate_id=candidate,
        job_id=job,
        status="in_process",
        stage_id=555,
        last_activity_at="2026-11-20T10:00:00Z",
    )["id"]
    fake.add(
        "application_stages",
        application_id=active,
        job_interview_stage_id=review["id"],
        current=False,
    )
    fake.add(
        "application_stages",
        application_id=active,
        job_interview_stage_id=onsite["id"],
        current=True,
    )
    rejected = fake.add(
        "applications", candidate_id=candidate, job_id=job, status="rejected", prospect=False
    )["id"]
    fake.add("rejection_details", application_id=rejected, rejection_reason_id=declined["id"])
    hired = fake.add("applications", candidate_id=candidate, job_id=job, status="hired")["id"]
    return {
        "job": job,
        "candidate": candidate,
        "active": active,
        "rejected": rejected,
        "hired": hired,
    }


async def test_applications_come_with_their_current_stage_and_rejection_reason() -> None:
    fake = new_fake()
    ids = _pipeline(fake)

    snaps = await make_client(fake).applications_of_candidate(context(), str(ids["candidate"]))

    by_id = {s.application_id: s for s in snaps}
    active = by_id[str(ids["active"])]
    assert active.state is ApplicationState.ACTIVE
    assert active.stage is not None and (active.stage.name, active.stage.order) == ("Onsite", 3)
    assert active.job_id == str(ids["job"])
    assert active.as_of == datetime(2026, 11, 20, 10, tzinfo=UTC)
    rejected = by_id[str(ids["rejected"])]
    assert rejected.state is ApplicationState.REJECTED
    assert rejected.rejection is not None
    assert (rejected.rejection.name, rejected.rejection.kind) == (
        "Took another offer",
        RejectionKind.CANDIDATE,
    )
    assert by_id[str(ids["hired"])].state is ApplicationState.HIRED
    stage_reads = fake.api_requests("GET", "/v3/application_stages")
    assert [dict(r.url.params) for r in stage_reads] == [
        {"application_ids": str(ids["active"]), "current": "true", "per_page": "500"}
    ]


async def test_an_application_naming_its_job_interview_stage_needs_no_stage_history_read() -> None:
    fake = new_fake()
    stage = fake.add("job_interview_stages", job_id=1, name="Phone Screen", sort_order=1)
    app = fake.add(
        "applications",
        candidate_id=2,
        job_id=1,
        status="in_process",
        job_interview_stage_id=stage["id"],
    )

    (snap,) = await make_client(fake).get_applications(context(), [str(app["id"]), "999999"])

    assert snap.stage is not None and snap.stage.name == "Phone Screen"
    assert fake.api_requests("GET", "/v3/application_stages") == []


async def test_applications_changed_since_can_be_restricted_to_ids() -> None:
    fake = new_fake()
    ids = _pipeline(fake)

    snaps = await make_client(fake).applications_changed_since(
        context(), datetime(2026, 11, 19, tzinfo=UTC), [str(ids["active"]), str(ids["hired"])]
    )

    assert [s.application_id for s in snaps] == [str(ids["active"])]
    (request,) = fake.api_requests("GET", "/v3/applications")
    assert request.url.params["ids"] == f"{ids['active']},{ids['hired']}"


async def test_rejection_reasons_carry_their_kind_from_the_type_key() -> None:
    fake = new_fake()
    fake.add("rejection_reasons", name="Not a fit", type={"id": 1, "key": "WE_REJECTED_THEM"})
    fake.add("rejection_reasons", name="Withdrew", type={"id": 2, "key": "THEY_REJECTED_US"})
    fake.add("rejection_reasons", name="Other", type={"id": 3, "key": "NONE_SPECIFIED"})
    fake.add("rejection_reasons", name="Legacy", type={"id": 4, "name": "We rejected them"})

    reasons = await make_client(fake).list_rejection_reasons(context())

    assert {r.name: r.kind for r in reasons} == {
        "Not a fit": RejectionKind.COMPANY,
        "Withdrew": RejectionKind.CANDIDATE,
        "Other": RejectionKind.UNSPECIFIED,
        "Legacy": RejectionKind.COMPANY,
    }
    assert (
        fake.api_requests("GET", "/v3/rejection_reasons")[0].url.params["include_defaults"]
        == "true"
    )


async def test_candidates_are_found_by_every_email_once_each_and_without_duplicates() -> None:
    fake = new_fake()
    fake.add(
        "candidates",
        first_name="Ada",
        email_addresses=[{"value": "ada@example.com"}, {"value": "ada@work.example"}],
        phone_numbers=[{"value": "+1 555", "type": "mobile"}],
        tags=["Intrro"],
        updated_at="2026-11-01T00:00:00.123Z",
    )

    found = await make_client(fake).find_candidates_by_email(
        context(), ["Ada@Example.com", "ada@example.com ", "ada@work.example", "nobody@example.com"]
    )

    assert [c.first_name for c in found] == ["Ada"]
    assert found[0].emails == ("ada@example.com", "ada@work.example")
    assert found[0].tags == ("Intrro",)
    assert len(fake.api_requests("GET", "/v3/candidates")) == 3


async def test_a_user_is_found_by_primary_email_then_by_a_secondary_one() -> None:
    fake = new_fake()
    grace = fake.add(
        "users",
        first_name="Grace",
        last_name="Hopper",
        primary_email="grace@acme.example",
        site_admin=True,
    )
    fake.add("user_emails", user_id=grace["id"], email="g.hopper@acme.example")
    client = make_client(fake)

    primary = await client.find_user_by_email(context(), "grace@acme.example")
    secondary = await client.find_user_by_email(context(), "g.hopper@acme.example")
    nobody = await client.find_user_by_email(context(), "nobody@acme.example")

    assert primary is not None and primary.name == "Grace Hopper" and primary.site_admin
    assert secondary == primary
    assert nobody is None


async def test_referral_credit_goes_to_the_referrer_row_of_the_users_account() -> None:
    fake = new_fake()
    grace = fake.add("users", name="Grace Hopper", primary_email="grace@acme.example")
    row = fake.add("referrers", name="Grace Hopper", user_id=grace["id"])

    credit = await make_client(fake).resolve_referral(
        context(), Referrer(name="Grace", email="grace@acme.example")
    )

    assert credit == ReferralCredit("referrer", str(row["id"]))
    assert fake.api_requests("GET", "/v3/referrers")[0].url.params["user_ids"] == str(grace["id"])


async def test_referral_credit_falls_back_to_the_custom_field_without_a_referrer_row() -> None:
    fake = new_fake()
    fake.add("users", name="Grace Hopper", primary_email="grace@acme.example")
    client = make_client(fake)

    with_user = await client.resolve_referral(context(), Referrer("Grace", "grace@acme.example"))
    without_user = await client.resolve_referral(context(), Referrer("Bob", "bob@acme.example"))

    assert with_user == without_user == ReferralCredit("custom_field")


async def test_permissions_come_from_token_introspection_when_it_answers() -> None:
    fake = new_fake()
    fake.scopes = fake.scopes - {"harvest:notes:create", "harvest:close_reasons:list"}

    checks = await make_client(fake).check_permissions(context())

    status = {c.scope: c.status for c in checks}
    assert status["harvest:notes:create"] is PermissionStatus.MISSING
    assert status["harvest:close_reasons:list"] is PermissionStatus.MISSING
    assert status["harvest:candidates:create"] is PermissionStatus.GRANTED
    assert fake.api_requests() == []  # nothing probed


async def test_permissions_are_probed_with_one_harmless_list_call_each_without_introspection() -> (
    None
):
    fake = new_fake()
    fake.introspection = False
    fake.scopes = fake.scopes - {"harvest:referrers:list"}

    checks = await make_client(fake).check_permissions(context())

    status = {c.scope: c.status for c in checks}
    assert status["harvest:referrers:list"] is PermissionStatus.MISSING
    assert status["harvest:jobs:list"] is PermissionStatus.GRANTED
    assert status["harvest:candidates:create"] is PermissionStatus.UNVERIFIED
    probes = fake.api_requests("GET")
    assert all(dict(r.url.params) == {"per_page": "1"} for r in probes)
    assert len(probes) == len({r.url.path for r in probes})
    assert fake.api_requests("POST") == fake.api_requests("PATCH") == []


async def test_the_permission_list_names_every_scope_with_its_seed_labels() -> None:
    fake = new_fake()

    checks = await make_client(fake).check_permissions(context())

    by_scope = {c.scope: c for c in checks}
    assert by_scope["harvest:candidates:create"].covers == (
        "Candidates: POST Add Candidate",
        "Candidates: POST Add Prospect",
    )
    optional = {c.scope for c in checks if not c.required}
    assert optional == {
        "harvest:users:create",
        "harvest:custom_fields:create",
        "harvest:custom_fields:update",
        "harvest:custom_field_options:create",
        "harvest:custom_field_options:update",
        "harvest:close_reasons:list",
        "harvest:prospect_pools:list",
    }
    assert {"harvest:referrers:list", "harvest:applied_candidate_tags:create"} <= set(by_scope)


def test_the_source_steps_and_the_candidate_url() -> None:
    client = make_client(new_fake())

    steps = client.source_steps("Intrro")

    assert steps[0].startswith("Configure")
    assert steps[1] == "Custom Options"
    assert steps[2].startswith("Sources")
    assert "Intrro" in steps[-1] and "Prospecting" in steps[-1]
    assert client.candidate_url("123") == "https://app.greenhouse.io/people/123"
