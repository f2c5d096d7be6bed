"""Writes through the Harvest client: created once, re-read when the outcome is unknown."""

from __future__ import annotations

import json

import httpx
import pytest

from intrro_gateway.domain.candidates import CandidateChanges, CandidateProfile, Referrer
from intrro_gateway.ports.ats import (
    AtsNotFoundError,
    AtsOutcomeUnknownError,
    NewApplication,
    ReferralCredit,
)
from tests.integration.greenhouse.harvest_fake import FakeHarvest
from tests.integration.greenhouse.harvest_support import context, make_client, new_fake

PROFILE = CandidateProfile(
    first_name="Ada",
    last_name="Lovelace",
    emails=("ada@example.com", "ADA@example.com", "ada@work.example"),
    phones=("+44 20 7946 0000",),
    linkedin_url="https://linkedin.com/in/ada",
    current_company="Analytical Engines",
    current_title="Engineer",
)


def _job(fake: FakeHarvest) -> str:
    job = fake.add("jobs", name="Engineer", status="open")
    fake.add("job_interview_stages", job_id=job["id"], name="Application Review", sort_order=0)
    fake.add("job_interview_stages", job_id=job["id"], name="Offer", sort_order=1)
    return str(job["id"])


def _bodies(fake: FakeHarvest, method: str, path: str) -> list[dict[str, object]]:
    return [json.loads(r.content) for r in fake.api_requests(method, path)]


async def test_a_new_candidate_is_created_with_one_nested_application_source_and_referrer() -> None:
    fake = new_fake()
    job_id = _job(fake)
    application = NewApplication(
        job_id=job_id, source_id="77", referral=ReferralCredit("referrer", "5")
    )

    created = await make_client(fake).create_candidate(context(), PROFILE, application)

    (body,) = _bodies(fake, "POST", "/v3/candidates")
    assert body["application"] == {"job_id": int(job_id), "source_id": 77, "referrer_id": 5}
    assert body["email_addresses"] == [
        {"value": "ada@example.com", "type": "personal"},
        {"value": "ada@work.example", "type": "personal"},
    ]
    assert body["social_media_addresses"] == [{"value": "https://linkedin.com/in/ada"}]
    assert created.job_id == job_id
    assert created.stage is not None and created.stage.name == "Application Review"
    assert created.stage.order == 0
    assert fake.api_requests("PATCH") == []  # source and referrer were taken on create


async def test_source_and_referrer_are_patched_when_the_create_answer_does_not_show_them() -> None:
    fake = new_fake()
    job_id = _job(fake)

    def drop_attribution(request: httpx.Request) -> httpx.Response | None:
        if request.method == "POST" and request.url.path == "/v3/candidates":
            body = json.loads(request.content)
            body["application"] = {"job_id": body["application"]["job_id"]}
            clean = httpx.Request("POST", request.url, json=body, headers=request.headers)
            fake.before.remove(drop_attribution)
            return fake.handle(clean)
        return None

    fake.before.append(drop_attribution)
    application = NewApplication(
        job_id=job_id, source_id="77", referral=ReferralCredit("referrer", "5")
    )

    created = await make_client(fake).create_candidate(context(), PROFILE, application)

    (patch,) = _bodies(fake, "PATCH", f"/v3/applications/{created.application_id}")
    assert patch == {"source_id": 77, "referrer_id": 5}


async def test_a_prospect_application_is_asked_for_with_prospect_true() -> None:
    fake = new_fake()
    job_id = _job(fake)

    await make_client(fake).create_candidate(
        context(), PROFILE, NewApplication(job_id=job_id, prospect=True)
    )

    (body,) = _bodies(fake, "POST", "/v3/candidates")
    assert body["application"] == {"prospect": True, "job_ids": [int(job_id)]}


async def test_a_create_that_times_out_after_greenhouse_applied_it_is_not_sent_again() -> None:
    fake = new_fake()
    job_id = _job(fake)
    fake.timeout_after_apply.add(("POST", "/v3/candidates"))

    created = await make_client(fake).create_candidate(
        context(), PROFILE, NewApplication(job_id=job_id)
    )

    assert len(fake.api_requests("POST", "/v3/candidates")) == 1
    assert len(fake.tables["candidates"]) == 1
    assert len(fake.tables["applications"]) == 1
    assert created.candidate_id == str(fake.tables["candidates"][0]["id"])
    assert created.application_id == str(fake.tables["applications"][0]["id"])
    lookups = [r.url.params["email"] for r in fake.api_requests("GET", "/v3/candidates")]
    assert lookups == ["ada@example.com", "ada@work.example"]


async def test_a_create_that_timed_out_before_greenhouse_applied_it_is_sent_again() -> None:
    fake = new_fake()
    job_id = _job(fake)
    request = httpx.Request("POST", "https://harvest.test/v3/candidates")
    sent: list[int] = []

    def lost(req: httpx.Request) -> httpx.Response | None:
        if req.method == "POST" and req.url.path == "/v3/candidates" and not sent:
            sent.append(1)
            raise httpx.ReadTimeout("lost", request=request)
        return None

    fake.before.append(lost)

    await make_client(fake).create_candidate(context(), PROFILE, NewApplication(job_id=job_id))

    assert len(fake.api_requests("POST", "/v3/candidates")) == 2
    assert len(fake.tables["candidates"]) == 1


async def test_a_write_whose_re_read_fails_raises_outcome_unknown() -> None:
    fake = new_fake()
    job_id = _job(fake)
    fake.timeout_after_apply.add(("POST", "/v3/candidates"))

    def down(request: httpx.Request) -> httpx.Response | None:
        return httpx.Response(503) if request.method == "GET" else None

    fake.before.append(down)

    with pytest.raises(AtsOutcomeUnknownError):
        await make_client(fake).create_candidate(context(), PROFILE, NewApplication(job_id=job_id))
    assert len(fake.api_requests("POST", "/v3/candidates")) == 1


async def test_a_5xx_on_a_write_is_re_read_not_resent_blindly() -> None:
    fake = new_fake()
    job_id = _job(fake)
    candidate = fake.add("candidates", first_name="Ada", email_addresses=[])

    def applied_then_500(request: httpx.Request) -> httpx.Response | None:
        if request.method == "POST" and request.url.path == "/v3/applications":
            fake.before.remove(applied_then_500)
            fake.handle(request)
            return httpx.Response(500)
        return None

    fake.before.append(applied_then_500)

    created = await make_client(fake).add_application(
        context(), str(candidate["id"]), NewApplication(job_id=job_id)
    )

    assert len(fake.tables["applications"]) == 1
    assert created.application_id == str(fake.tables["applications"][0]["id"])
    reread = fake.api_requests("GET", "/v3/applications")[0]
    assert reread.url.params["candidate_ids"] == str(candidate["id"])


async def test_an_application_is_added_to_an_existing_candidate() -> None:
    fake = new_fake()
    job_id = _job(fake)
    candidate = fake.add("candidates", first_name="Ada", email_addresses=[])

    created = await make_client(fake).add_application(
        context(), str(candidate["id"]), NewApplication(job_id=job_id, source_id="9")
    )

    (body,) = _bodies(fake, "POST", "/v3/applications")
    assert body == {"candidate_id": candidate["id"], "job_id": int(job_id), "source_id": 9}
    assert created.candidate_id == str(candidate["id"])
    assert created.stage is not None and created.stage.name == "Application Review"


async def test_an_update_merges_lists_and_never_clears_what_greenhouse_holds() -> None:
    fake = new_fake()
    candidate = fake.add(
        "candidates",
        first_name="Ada",
        last_name="Lovelace",
        company="Old Co",
        email_addresses=[{"value": "ada@example.com", "type": "work"}],
        phone_numbers=[{"value": "+44 20 7946 0000", "type": "mobile"}],
        website_addresses=[],
        social_media_addresses=[],
    )
    changes = CandidateChanges(
        first_name="",
        emails=("ADA@example.com", "ada@new.example"),
        phones=(),
        current_company="New Co",
        linkedin_url="https://linkedin.com/in/ada",
    )

    await make_client(fake).update_candidate(context(), str(candidate["id"]), changes)

    (patch,) = _bodies(fake, "PATCH", f"/v3/candidates/{candidate['id']}")
    assert patch == {
        "company": "New Co",
        "email_addresses": [
            {"value": "ada@example.com", "type": "work"},
            {"value": "ada@new.example", "type": "personal"},
        ],
        "social_media_addresses": [{"value": "https://linkedin.com/in/ada"}],
    }


async def test_an_update_that_changes_nothing_sends_nothing() -> None:
    fake = new_fake()
    candidate = fake.add(
        "candidates", first_name="Ada", email_addresses=[{"value": "ada@example.com"}]
    )

    await make_client(fake).update_candidate(
        context(),
        str(candidate["id"]),
        CandidateChanges(first_name="Ada", emails=("ada@example.com",)),
    )

    assert fake.api_requests("PATCH") == []


async def test_an_update_of_a_missing_candidate_is_not_found() -> None:
    fake = new_fake()

    with pytest.raises(AtsNotFoundError):
        await make_client(fake).update_candidate(context(), "404", CandidateChanges(first_name="X"))


async def test_a_note_is_written_as_the_acting_user_with_type_note() -> None:
    fake = new_fake()
    client = make_client(fake)

    await client.add_note(context("42"), "7", "8", "Referred by Grace [intrro:abc]")

    (body,) = _bodies(fake, "POST", "/v3/notes")
    assert body == {
        "candidate_id": 7,
        "application_id": 8,
        "user_id": 42,
        "body": "Referred by Grace [intrro:abc]",
        "visibility": "public",
        "note_type": "NOTE",
    }
    assert await client.has_note(context(), "7", "[intrro:abc]")
    assert not await client.has_note(context(), "7", "[intrro:other]")


async def test_a_note_that_timed_out_after_it_was_written_is_not_written_twice() -> None:
    fake = new_fake()
    fake.timeout_after_apply.add(("POST", "/v3/notes"))

    await make_client(fake).add_note(context(), "7", None, "hello")

    assert len(fake.tables["notes"]) == 1


async def test_a_missing_tag_is_created_then_applied_and_a_second_call_changes_nothing() -> None:
    fake = new_fake()
    client = make_client(fake)

    await client.tag_candidate(context(), "7", "Intrro")
    await client.tag_candidate(context(), "7", "Intrro")

    assert [t["name"] for t in fake.tables["candidate_tags"]] == ["Intrro"]
    (applied,) = fake.tables["applied_candidate_tags"]
    assert applied == {
        **applied,
        "candidate_id": 7,
        "candidate_tag_id": fake.tables["candidate_tags"][0]["id"],
    }
    assert len(fake.api_requests("POST", "/v3/candidate_tags")) == 1


async def test_an_existing_tag_is_found_by_name_not_created() -> None:
    fake = new_fake()
    tag = fake.add("candidate_tags", name="Intrro")

    await make_client(fake).tag_candidate(context(), "7", "intrro")

    assert fake.api_requests("POST", "/v3/candidate_tags") == []
    assert fake.tables["applied_candidate_tags"][0]["candidate_tag_id"] == tag["id"]


async def test_the_referral_field_is_created_once_and_written_on_candidates() -> None:
    fake = new_fake()
    first = fake.add("candidates", first_name="A", email_addresses=[])
    second = fake.add("candidates", first_name="B", email_addresses=[])
    client = make_client(fake)
    referrer = Referrer(name="Grace Hopper", email="grace@acme.example")

    await client.record_referrer(context(), str(first["id"]), referrer)
    await client.record_referrer(context(), str(second["id"]), referrer)

    assert len(fake.api_requests("POST", "/v3/custom_fields")) == 1
    for row in (first, second):
        value = row["custom_fields"]["intrro_referrer"]["value"]
        assert value == "Grace Hopper <grace@acme.example>"


async def test_a_candidate_created_without_its_nested_application_gets_it_added_separately() -> (
    None
):
    fake = new_fake()
    job_id = _job(fake)

    def ignore_nested(request: httpx.Request) -> httpx.Response | None:
        if request.method == "POST" and request.url.path == "/v3/candidates":
            body = json.loads(request.content)
            body.pop("application")
            fake.before.remove(ignore_nested)
            return fake.handle(
                httpx.Request("POST", request.url, json=body, headers=request.headers)
            )
        return None

    fake.before.append(ignore_nested)

    created = await make_client(fake).create_candidate(
        context(), PROFILE, NewApplication(job_id=job_id, source_id="77")
    )

    (body,) = _bodies(fake, "POST", "/v3/applications")
    assert body == {
        "candidate_id": int(created.candidate_id),
        "job_id": int(job_id),
        "source_id": 77,
    }
    assert len(fake.tables["candidates"]) == len(fake.tables["applications"]) == 1
