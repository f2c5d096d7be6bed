"""Every ATS signal end to end, on both databases and both ATSs: a recruiter acts in the ATS sandbox,
its web hooks reach the gateway over HTTP, and Intrro's receiver gets the signed events.

The bodies are ATS-neutral: the ATS's part is `live.recruiter` (tests/e2e/recruiter.py). Where an ATS
has no such signal the story's parameter is skipped with the reason (docs/lever.md says why for Lever).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.live import (
    CANDIDATE_CHANGED,
    EXPORTED,
    REMOVED,
    STATUS_CHANGED,
    Live,
    accepted_data,
    candidate,
    live_stack,
    now_iso,
)


async def exported(live: Live, introduction_id: str, jobs: list[str], **kwargs: Any) -> Any:
    """Accept an introduction, wait for its export and for the export's own web hooks to settle."""
    await live.accept(accepted_data(introduction_id, jobs, **kwargs))
    event = await live.wait_exported(introduction_id)
    await live.settled()
    return event.data


BOTH = pytest.mark.parametrize("ats", ["greenhouse", "lever"])
NO_LEVER_MERGE = "Lever documents no merge web hook and no merge API: profiles are merged in its UI"


def application_of(data: Any, job: str) -> str:
    return str(next(a for a in data["applications"] if str(a["job_id"]) == job)["application_id"])


@BOTH
async def test_a_rejection_is_pushed_with_its_reason_and_a_reopening_returns_to_the_stage(
    db_url: str, ats: str
) -> None:
    async with live_stack(db_url, ats=ats) as live:
        job = live.open_job_ids()[0]
        app = application_of(await exported(live, "intro-reject", [job]), job)
        live.recruiter.advance(app)
        interviewing = await live.wait_status("intro-reject", job, "interviewing")
        live.recruiter.reject(app)
        rejected = await live.wait_status("intro-reject", job, "rejected")
        await live.settled()
        live.recruiter.reopen(app)
        await live.wait_for(
            "the status after the reopening",
            lambda e: e.type == STATUS_CHANGED and e.data.get("previous_status") == "rejected",
        )
        await live.settled()

    assert live.statuses("intro-reject") == ["interviewing", "rejected", "interviewing"]
    assert rejected.data["rejection_reason"]["kind"] == "company"
    back = live.events("intro-reject", STATUS_CHANGED)[-1].data
    assert back["stage"] == interviewing.data["stage"]


@BOTH
async def test_unhire_returns_a_hired_application_to_the_status_of_its_stage(
    db_url: str, ats: str
) -> None:
    async with live_stack(db_url, ats=ats) as live:
        job = live.open_job_ids()[0]
        app = application_of(await exported(live, "intro-unhire", [job]), job)
        live.recruiter.advance(app)
        interviewing = await live.wait_status("intro-unhire", job, "interviewing")
        live.recruiter.hire(app)
        await live.wait_status("intro-unhire", job, "hired")
        live.recruiter.unhire(app)
        await live.wait_for(
            "the status after the unhire",
            lambda e: e.type == STATUS_CHANGED and e.data.get("previous_status") == "hired",
        )
        await live.settled()
        view = await live.api("GET", f"/api/tenants/{live.tenant}/introductions/intro-unhire")

    assert live.statuses("intro-unhire") == ["interviewing", "hired", "interviewing"]
    back = live.events("intro-unhire", STATUS_CHANGED)[-1].data
    assert back["stage"] == interviewing.data["stage"]  # the stage it was hired from
    assert back["applications"] == [
        {"job_id": job, "application_id": app, "status": "interviewing", "problem": None}
    ]
    assert view["applications"][0]["status"] == "interviewing"


@BOTH
async def test_a_deleted_application_is_removed_and_its_sibling_is_still_followed(
    db_url: str, ats: str
) -> None:
    async with live_stack(db_url, ats=ats) as live:
        gone_job, kept_job = live.open_job_ids()[:2]
        data = await exported(live, "intro-del", [gone_job, kept_job])
        gone, kept = application_of(data, gone_job), application_of(data, kept_job)
        live.recruiter.delete_application(gone)
        removed = await live.wait_for(
            REMOVED, lambda e: e.type == REMOVED and e.data["application_id"] == gone
        )
        live.recruiter.advance(kept)
        await live.wait_status("intro-del", kept_job, "interviewing")
        await live.settled()
        view = await live.api("GET", f"/api/tenants/{live.tenant}/introductions/intro-del")

    assert removed.data["reason"] == "deleted"
    assert removed.data["job_id"] == gone_job
    assert live.recruiter.application_owner(gone) is None
    assert [e.type for e in live.events("intro-del")] == [EXPORTED, REMOVED, STATUS_CHANGED]
    assert live.statuses("intro-del") == ["interviewing"]
    closed = {a["job_id"]: a["closed"] for a in view["applications"]}
    assert closed == {gone_job: "deleted", kept_job: None}


@BOTH
async def test_a_deleted_candidate_is_removed_everywhere_and_their_personal_data_erased(
    db_url: str, ats: str
) -> None:
    async with live_stack(db_url, ats=ats) as live:
        jobs = live.open_job_ids()[:2]
        data = await exported(live, "intro-gone", jobs)
        person = str(data["ats_candidate_id"])
        live.recruiter.delete_candidate(person)
        for job in jobs:
            await live.wait_for(
                f"{REMOVED} of job {job}",
                lambda e, job=job: e.type == REMOVED and str(e.data["job_id"]) == job,
            )
        await live.settled()
        stored = await live.stored_introduction("intro-gone")
        inbound = await live.api(
            "GET", f"/api/tenants/{live.tenant}/deliveries", params={"direction": "in"}
        )

    removed = live.events("intro-gone", REMOVED)
    assert sorted(str(e.data["application_id"]) for e in removed) == sorted(
        application_of(data, job) for job in jobs
    )
    assert {e.data["reason"] for e in removed} == {"deleted"}
    assert live.recruiter.candidate(person) is None
    assert stored is not None
    assert stored.candidate.first_name == "" and stored.candidate.emails == ("erased@invalid",)
    assert stored.message is None and stored.ats_profile is None
    assert all(link.closed is not None for link in stored.links)
    assert live.recruiter.person_deleted_event in {d["kind"] for d in inbound["deliveries"]}


@pytest.mark.parametrize(
    "ats", ["greenhouse", pytest.param("lever", marks=pytest.mark.skip(reason=NO_LEVER_MERGE))]
)
async def test_a_merge_removes_the_duplicate_as_merged_and_the_survivor_is_followed(
    db_url: str, ats: str
) -> None:
    async with live_stack(db_url, ats=ats) as live:
        job = live.open_job_ids()[0]
        data = await exported(live, "intro-merge", [job])
        old_person, old_app = str(data["ats_candidate_id"]), application_of(data, job)
        # The same person entered by hand, applied to the same job: the recruiter merges the two.
        survivor, kept = await live.recruiter.add_person(
            "Mary", "Jackson", "mary.j@elsewhere.example", job
        )
        await live.settled()
        live.recruiter.merge(old_person, survivor)
        removed = await live.wait_for(REMOVED, lambda e: e.type == REMOVED)
        await live.settled()
        live.recruiter.advance(kept)
        await live.wait_status("intro-merge", job, "interviewing")
        await live.settled()
        view = await live.api("GET", f"/api/tenants/{live.tenant}/introductions/intro-merge")

    assert removed.data["reason"] == "merged"
    assert removed.data["application_id"] == old_app
    assert removed.data["applications"] == [
        {"job_id": job, "application_id": kept, "status": "applied", "problem": None}
    ]
    assert live.recruiter.application_owner(old_app) is None
    assert [e.type for e in live.events("intro-merge")] == [EXPORTED, REMOVED, STATUS_CHANGED]
    moved = live.events("intro-merge", STATUS_CHANGED)[0].data
    assert moved["application_id"] == kept
    assert view["ats_candidate_id"] == survivor
    assert view["applications"][0]["application_id"] == kept
    assert view["applications"][0]["status"] == "interviewing"


@BOTH
async def test_an_edit_in_the_ats_is_pushed_as_candidate_changed_and_the_gateways_own_are_not(
    db_url: str, ats: str
) -> None:
    async with live_stack(db_url, ats=ats) as live:
        job = live.open_job_ids()[0]
        data = await exported(live, "intro-edit", [job])
        person = str(data["ats_candidate_id"])
        # Intrro's own change, written by the gateway: its web hook comes back and is no edit.
        update = {
            "introduction_id": "intro-edit",
            "candidate": {"phones": ["+1 555 0101"], "current_title": "Engineer"},
            "updated_at": now_iso(),
        }
        assert (await live.post_intrro("candidate.updated", update)).status_code == 202
        await live.settled()
        own_echoes = len(live.events("intro-edit", CANDIDATE_CHANGED))
        held = live.recruiter.candidate(person)
        assert held is not None
        await live.recruiter.edit_candidate(
            person,
            current_title="Staff Engineer",
            emails=[*held["emails"], "mary@new.example"],
        )
        changed = await live.wait_for(CANDIDATE_CHANGED, lambda e: e.type == CANDIDATE_CHANGED)
        await live.settled()

    assert own_echoes == 0
    # The gateway's write and the recruiter's edit each fire the ATS's profile web hook.
    assert live.fired_actions().count(live.recruiter.profile_event) >= 2
    assert [e.type for e in live.events("intro-edit")] == [EXPORTED, CANDIDATE_CHANGED]
    assert changed.data["changed"] == ["emails", "current_title"]
    pushed = changed.data["candidate"]
    assert pushed["current_title"] == "Staff Engineer"
    assert "mary@new.example" in pushed["emails"]
    assert pushed["phones"] == ["+1 555 0101"]
    assert pushed["first_name"] == "Mary"
    assert changed.data["sequence"] == 2


@BOTH
async def test_an_existing_person_gains_what_the_introduction_brings_and_keeps_what_they_hold(
    db_url: str, ats: str
) -> None:
    async with live_stack(db_url, ats=ats) as live:
        job = live.open_job_ids()[0]
        other_job = live.open_job_ids()[1]
        person, _ = await live.recruiter.add_person("Kat", "Johnson", "kat@held.example", other_job)
        await live.recruiter.edit_candidate(person, current_company="NACA", phones=["+1 555 0100"])
        await live.settled()
        before = live.recruiter.profile_writes()  # the recruiter's own edit, through the API
        brought = candidate("Katherine", "Johnson", "KAT@held.example") | {
            "emails": ["KAT@held.example", "katherine@nasa.example"],
            "phones": ["+1 (555) 0100", "+1 555 0199"],
            "linkedin_url": "https://www.linkedin.com/in/kat",
            "websites": ["https://kat.example"],
            "current_company": "NASA",
            "current_title": "Mathematician",
        }
        data = await exported(live, "intro-known", [job], person=brought)
        again = live.recruiter.candidate(person)
        writes = live.recruiter.profile_writes() - before
        # The same person introduced again, to another job: nothing is missing, nothing is written.
        repeat = await exported(live, "intro-known-again", [live.open_job_ids()[2]], person=brought)
        await live.settled()

    assert str(data["ats_candidate_id"]) == person
    assert again is not None
    assert again["first_name"] == "Kat"  # names are never touched
    assert again["current_company"] == "NACA"  # what the ATS holds is never replaced
    assert again["current_title"] == "Mathematician"  # the ATS had none
    assert again["emails"] == ["kat@held.example", "katherine@nasa.example"]
    assert again["phones"] == ["+1 555 0100", "+1 555 0199"]
    assert again["social_profiles"] == ["https://www.linkedin.com/in/kat"]
    assert again["websites"] == ["https://kat.example"]
    assert [e.type for e in live.events("intro-known")] == [EXPORTED]
    # One write per record the ATS keeps the person in, at most (Lever: the contact, the links).
    assert 1 <= writes <= live.recruiter.person_records
    assert str(repeat["ats_candidate_id"]) == person
    assert live.recruiter.profile_writes() - before == writes
    assert live.recruiter.candidate(person) == again
    assert [e.type for e in live.events("intro-known-again")] == [EXPORTED]
