"""Export stories over HTTP: a person Greenhouse already knows, two chosen jobs, a closed job."""

from __future__ import annotations

from tests.e2e.live import (
    EXPORTED,
    FAILED,
    JOBS_CHANGED,
    STATUS_CHANGED,
    accepted_data,
    candidate,
    intro_of,
    live_stack,
)


async def test_a_candidate_greenhouse_already_knows_gets_a_new_application_not_a_second_person(
    db_url: str,
) -> None:
    async with live_stack(db_url) as live:
        seed = live.sandbox.seed
        ada_id, ada_application = seed.candidate_ids[0], seed.application_ids[0]
        job = live.open_job_ids()[0]
        people_before = len(live.sandbox.tables["candidates"])
        person = candidate("Ada", "Lovelace", "Ada.Lovelace@example.com")
        await live.accept(accepted_data("intro-ada", [job], person=person))

        exported = await live.wait_exported("intro-ada")
        [entry] = exported.data["applications"]
        live.control.move(int(entry["application_id"]), live.stage_id(job, "Phone Screen"))
        await live.wait_status("intro-ada", job, "interviewing")
        # Her application from before the introduction is not followed.
        live.control.move(ada_application)
        await live.settled()

    assert exported.data["ats_candidate_id"] == str(ada_id)
    assert len(live.sandbox.tables["candidates"]) == people_before
    assert [c["id"] for c in live.candidates_with_email("ada.lovelace@example.com")] == [ada_id]
    applications = [
        a for a in live.sandbox.tables["applications"].values() if a["candidate_id"] == ada_id
    ]
    assert sorted(a["id"] for a in applications) == sorted(
        [ada_application, int(entry["application_id"])]
    )
    new = live.application(entry["application_id"])
    assert new["job_id"] == int(job)
    assert new["source_id"] == seed.intrro_source_id
    assert new["referrer_id"] == seed.referrer_ids[0]
    assert [e.type for e in live.events("intro-ada")] == [EXPORTED, STATUS_CHANGED]
    assert live.statuses("intro-ada") == ["interviewing"]
    assert [e for e in live.received if e.type != JOBS_CHANGED and intro_of(e) != "intro-ada"] == []
    assert all(
        e.data["application_id"] == entry["application_id"]
        for e in live.events("intro-ada", STATUS_CHANGED)
    )


async def test_two_chosen_jobs_make_two_applications_each_followed_on_its_own(
    db_url: str,
) -> None:
    async with live_stack(db_url) as live:
        first, second = live.open_job_ids()[:2]
        await live.accept(accepted_data("intro-two", [first, second]))

        exported = await live.wait_exported("intro-two")
        by_job = {a["job_id"]: a["application_id"] for a in exported.data["applications"]}
        live.control.move(int(by_job[first]), live.stage_id(first, "Phone Screen"))
        await live.wait_status("intro-two", first, "interviewing")
        live.control.reject(int(by_job[second]), "company")
        await live.wait_status("intro-two", second, "rejected")
        live.control.move(int(by_job[first]), live.stage_id(first, "Offer"))
        await live.wait_status("intro-two", first, "offer")
        await live.settled()

    candidate_id = int(exported.data["ats_candidate_id"])
    assert sorted(by_job) == sorted([first, second])
    assert [s["status"] for s in exported.data["applications"]] == ["applied", "applied"]
    for job, application_id in by_job.items():
        record = live.application(application_id)
        assert (record["candidate_id"], record["job_id"]) == (candidate_id, int(job))
    assert live.application(by_job[second])["status"] == "rejected"
    assert live.statuses("intro-two", first) == ["interviewing", "offer"]
    assert live.statuses("intro-two", second) == ["rejected"]
    rejected = live.events("intro-two", STATUS_CHANGED)[1]
    assert rejected.data["application_id"] == by_job[second]
    assert rejected.data["rejection_reason"]["kind"] == "company"
    last = live.events("intro-two")[-1]
    assert sorted((a["job_id"], a["status"]) for a in last.data["applications"]) == sorted(
        [(first, "offer"), (second, "rejected")]
    )
    sequences = [e.data["sequence"] for e in live.events("intro-two")]
    assert sequences == sorted(set(sequences))


async def test_a_closed_job_fails_the_introduction_and_creates_nothing_in_greenhouse(
    db_url: str,
) -> None:
    async with live_stack(db_url) as live:
        closed = str(live.sandbox.seed.closed_job_id)
        people_before = len(live.sandbox.tables["candidates"])
        applications_before = len(live.sandbox.tables["applications"])
        await live.accept(accepted_data("intro-closed", [closed]))

        failed = await live.wait_for(
            f"{FAILED} of intro-closed",
            lambda e: e.type == FAILED and e.data["introduction_id"] == "intro-closed",
        )
        await live.settled()
        view = await live.api("GET", f"/api/tenants/{live.tenant}/introductions/intro-closed")

    assert failed.data["code"] == "job_not_open"
    assert failed.data["sequence"] == 1
    assert [e.type for e in live.events("intro-closed")] == [FAILED]
    assert len(live.sandbox.tables["candidates"]) == people_before
    assert len(live.sandbox.tables["applications"]) == applications_before
    assert live.candidates_with_email("mary.jackson+intro-closed@example.org") == []
    assert not [r for r in live.sandbox.requests if r.method != "GET" and r.path.startswith("/v3/")]
    assert live.control.fired == []
    assert view["status"] == "failed"
