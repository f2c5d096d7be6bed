"""The same stories against every ATS the gateway speaks: one body, run against Greenhouse's sandbox
and Lever's (`ats` parameter). Export, credit, note and tag; each status; rejected versus withdrawn;
duplicate and reordered web hooks. (The crash after acknowledgement: tests/e2e/test_story_crash.py.)"""

from __future__ import annotations

import pytest

from tests.e2e.ats_drivers import ATS_KEYS, ERIN_EMAIL
from tests.e2e.live import (
    EXPORTED,
    FAILED,
    STATUS_CHANGED,
    Live,
    accepted_data,
    candidate,
    live_stack,
)

pytestmark = pytest.mark.parametrize("ats", ATS_KEYS)


async def exported_application(live: Live, introduction_id: str, job: str) -> str:
    """Accept an introduction for the job, wait until it is exported; its application id."""
    await live.accept(accepted_data(introduction_id, [job]))
    exported = await live.wait_exported(introduction_id)
    await live.settled()  # the export's own web hooks are processed before the story goes on
    return str(exported.data["applications"][0]["application_id"])


async def test_an_introduction_is_exported_credited_noted_tagged_and_followed_to_the_hire(
    sqlite_url: str, ats: str
) -> None:
    async with live_stack(sqlite_url, ats=ats) as live:
        job = live.open_job_ids()[0]
        await live.accept(accepted_data("intro-story", [job]))
        exported = await live.wait_exported("intro-story")
        [entry] = exported.data["applications"]
        application = str(entry["application_id"])

        live.ats.move(application, live.stage(job, "screen"))
        await live.wait_status("intro-story", job, "interviewing")
        live.ats.move(application, live.stage(job, "onsite"))
        await live.settled()
        live.ats.move(application, live.stage(job, "offer"))
        await live.wait_status("intro-story", job, "offer")
        live.ats.hire(application)
        await live.wait_status("intro-story", job, "hired")
        await live.settled()
        view = await live.api("GET", f"/api/tenants/{live.tenant}/introductions/intro-story")

    candidate_id = str(exported.data["ats_candidate_id"])
    person = live.ats.person(candidate_id)
    assert (person.first_name, person.last_name) == ("Mary", "Jackson")
    assert live.ats.people_with_email("mary.jackson+intro-story@example.org") == [candidate_id]
    assert "Intrro" in person.tags
    record = live.ats.application(application)
    assert (record.candidate_id, record.job_id) == (candidate_id, job)
    assert record.source == "Intrro"
    assert record.credited == ERIN_EMAIL
    assert record.state == "hired"
    [note] = live.ats.notes(candidate_id)
    assert "Erin Employee" in note and "[intrro:intro-story]" in note

    assert exported.data["ats"] == ats
    assert exported.data["referral_credit"] == live.ats.credit
    assert entry["status"] == "applied"
    assert [e.type for e in live.events("intro-story")] == [EXPORTED] + [STATUS_CHANGED] * 3
    assert live.statuses("intro-story") == ["interviewing", "offer", "hired"]
    sequences = [e.data["sequence"] for e in live.events("intro-story")]
    assert sequences == sorted(set(sequences))
    assert [h["status"] for h in view["applications"][0]["history"]] == [
        "applied",
        "interviewing",
        "offer",
        "hired",
    ]


async def test_a_person_the_ats_knows_gets_a_new_application_not_a_second_person(
    sqlite_url: str, ats: str
) -> None:
    async with live_stack(sqlite_url, ats=ats) as live:
        job = live.open_job_ids()[0]
        [known] = live.ats.people_with_email("ada.lovelace@example.com")
        people_before = live.ats.people_count()
        person = candidate("Ada", "Lovelace", "Ada.Lovelace@example.com")
        await live.accept(accepted_data("intro-ada", [job], person=person))
        exported = await live.wait_exported("intro-ada")
        await live.settled()

    assert str(exported.data["ats_candidate_id"]) == known
    assert live.ats.people_count() == people_before
    record = live.ats.application(str(exported.data["applications"][0]["application_id"]))
    assert (record.candidate_id, record.job_id) == (known, job)


async def test_rejected_by_the_company_and_withdrawn_by_the_candidate_are_told_apart(
    sqlite_url: str, ats: str
) -> None:
    async with live_stack(sqlite_url, ats=ats) as live:
        first, second = live.open_job_ids()[:2]
        await live.accept(accepted_data("intro-two", [first, second]))
        exported = await live.wait_exported("intro-two")
        await live.settled()
        by_job = {a["job_id"]: str(a["application_id"]) for a in exported.data["applications"]}
        live.ats.reject(by_job[first])
        await live.wait_status("intro-two", first, "rejected")
        live.ats.withdraw(by_job[second])
        await live.wait_status("intro-two", second, "withdrawn")
        await live.settled()

    assert live.ats.application(by_job[first]).candidate_id == str(
        exported.data["ats_candidate_id"]
    )
    assert live.statuses("intro-two", first) == ["rejected"]
    assert live.statuses("intro-two", second) == ["withdrawn"]
    rejected, withdrawn = live.events("intro-two", STATUS_CHANGED)
    assert rejected.data["rejection_reason"]["kind"] == "company"
    assert withdrawn.data["rejection_reason"]["kind"] == "candidate"
    assert sorted((a["job_id"], a["status"]) for a in withdrawn.data["applications"]) == sorted(
        [(first, "rejected"), (second, "withdrawn")]
    )


async def test_a_closed_job_fails_the_introduction_and_creates_nothing(
    sqlite_url: str, ats: str
) -> None:
    async with live_stack(sqlite_url, ats=ats) as live:
        people, applications = live.ats.people_count(), live.ats.application_count()
        creates = live.ats.create_calls()  # connecting probed the create permission (Lever)
        await live.accept(accepted_data("intro-closed", [live.ats.closed_job_id()]))
        failed = await live.wait_for(
            f"{FAILED} of intro-closed",
            lambda e: e.type == FAILED and e.data["introduction_id"] == "intro-closed",
        )
        await live.settled()

    assert failed.data["code"] == "job_not_open"
    assert (live.ats.people_count(), live.ats.application_count()) == (people, applications)
    assert live.ats.create_calls() == creates


async def test_a_web_hook_delivered_five_times_is_pushed_once(sqlite_url: str, ats: str) -> None:
    async with live_stack(sqlite_url, ats=ats) as live:
        job = live.open_job_ids()[0]
        application = await exported_application(live, "intro-dup", job)
        fired = live.ats.move(application, live.stage(job, "screen"), duplicate=4)
        await live.delivered_ats(fired)
        await live.wait_status("intro-dup", job, "interviewing")
        await live.settled()
        inbound = await live.api(
            "GET", f"/api/tenants/{live.tenant}/deliveries", params={"direction": "in"}
        )

    assert live.statuses("intro-dup") == ["interviewing"]
    stored = [d for d in inbound["deliveries"] if d["kind"] == live.ats.stored_stage_change]
    assert [d["state"] for d in stored] == ["processed"]


async def test_two_stage_changes_delivered_in_reverse_order_end_right_without_a_regression(
    sqlite_url: str, ats: str
) -> None:
    async with live_stack(sqlite_url, ats=ats) as live:
        job = live.open_job_ids()[0]
        application = await exported_application(live, "intro-rev", job)
        live.ats.move(application, live.stage(job, "screen"), reorder=True)
        live.ats.move(application, live.stage(job, "offer"), reorder=True)
        await live.ats.flush()  # the offer move arrives first, the screen one after it
        await live.wait_status("intro-rev", job, "offer")
        await live.settled()
        view = await live.api("GET", f"/api/tenants/{live.tenant}/introductions/intro-rev")

    assert live.statuses("intro-rev") == ["offer"]
    assert view["applications"][0]["status"] == "offer"
    assert live.ats.application(application).stage_name == live.ats.stage_names["offer"]
