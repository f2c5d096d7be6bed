"""The whole story over HTTP, on SQLite and on PostgreSQL: Intrro accepts an introduction, the gateway
puts the candidate into Greenhouse (the sandbox), and the recruiter's moves come back as pushes."""

from __future__ import annotations

from tests.e2e.live import (
    EXPORTED,
    STATUS_CHANGED,
    accepted_data,
    live_stack,
)


async def test_an_introduction_is_exported_credited_and_followed_to_the_hire(db_url: str) -> None:
    async with live_stack(db_url) as live:
        job = live.open_job_ids()[0]
        seed = live.sandbox.seed
        await live.accept(accepted_data("intro-whole", [job]))

        exported = await live.wait_exported("intro-whole")
        [entry] = exported.data["applications"]
        application_id = entry["application_id"]
        candidate_id = exported.data["ats_candidate_id"]

        live.control.move(int(application_id), live.stage_id(job, "Phone Screen"))
        await live.wait_status("intro-whole", job, "interviewing")
        live.control.move(int(application_id), live.stage_id(job, "Onsite"))
        await live.settled()
        live.control.move(int(application_id), live.stage_id(job, "Offer"))
        await live.wait_status("intro-whole", job, "offer")
        live.control.hire(int(application_id))
        await live.wait_status("intro-whole", job, "hired")
        await live.settled()
        view = await live.api("GET", f"/api/tenants/{live.tenant}/introductions/intro-whole")

    # In Greenhouse: one new person, credited to Erin, from the Intrro source, with the note and tag.
    person = live.candidate_record(candidate_id)
    assert (person["first_name"], person["last_name"]) == ("Mary", "Jackson")
    assert live.candidates_with_email("mary.jackson+intro-whole@example.org") == [person]
    application = live.application(application_id)
    assert application["candidate_id"] == int(candidate_id)
    assert application["job_id"] == int(job)
    assert application["source_id"] == seed.intrro_source_id
    assert application["referrer_id"] == seed.referrer_ids[0]  # Erin Employee's referrer row
    assert application["status"] == "hired"
    notes = [
        n for n in live.sandbox.tables["notes"].values() if n["candidate_id"] == int(candidate_id)
    ]
    assert len(notes) == 1
    assert "[intrro:intro-whole]" in notes[0]["body"]
    assert "Erin Employee" in notes[0]["body"]
    assert "Intrro" in person["tags"]

    # At Intrro: the export, then each status once, in order, the sequence strictly rising.
    assert exported.data["referral_credit"] == "referrer"
    assert exported.data["ats"] == "greenhouse"
    assert entry == {
        "job_id": job,
        "application_id": application_id,
        "status": "applied",
        "problem": None,
    }
    events = live.events("intro-whole")
    assert [e.type for e in events] == [EXPORTED, STATUS_CHANGED, STATUS_CHANGED, STATUS_CHANGED]
    assert live.statuses("intro-whole") == ["interviewing", "offer", "hired"]
    assert [e.data["previous_status"] for e in events[1:]] == ["applied", "interviewing", "offer"]
    offer_stage = {"id": str(live.stage_id(job, "Offer")), "name": "Offer"}
    assert [e.data["stage"] for e in events[1:]] == [
        {"id": str(live.stage_id(job, "Phone Screen")), "name": "Phone Screen"},
        offer_stage,
        offer_stage,  # a hired application has no stage in Greenhouse: the one it was hired from
    ]
    sequences = [e.data["sequence"] for e in events]
    assert sequences == sorted(set(sequences))
    assert events[-1].data["applications"] == [
        {"job_id": job, "application_id": application_id, "status": "hired", "problem": None}
    ]
    assert len({e.webhook_id for e in events}) == len(events)

    print("\n".join(live.timeline("intro-whole")))  # shown with `pytest -s`

    # The gateway's own view agrees.
    assert view["status"] == "exported"
    assert view["applications"][0]["status"] == "hired"
    assert [h["status"] for h in view["applications"][0]["history"]] == [
        "applied",
        "interviewing",
        "offer",
        "hired",
    ]


async def test_pushes_refused_with_503_are_retried_and_arrive_once_each_in_order(
    sqlite_url: str,
) -> None:
    async with live_stack(sqlite_url) as live:
        job = live.open_job_ids()[0]
        await live.accept(accepted_data("intro-retry", [job]))
        exported = await live.wait_exported("intro-retry")
        await live.settled()
        application = int(exported.data["applications"][0]["application_id"])

        live.receiver.state.fail_next = 3  # Intrro answers the next three pushes 503
        # Each web hook stored by the gateway before the next change (they would race otherwise).
        await live.delivered(live.control.move(application, live.stage_id(job, "Phone Screen")))
        await live.delivered(live.control.move(application, live.stage_id(job, "Offer")))
        await live.delivered(live.control.hire(application))
        await live.wait_status("intro-retry", job, "hired")
        await live.settled()

    assert live.receiver.state.fail_next == 0
    assert live.statuses("intro-retry") == ["interviewing", "offer", "hired"]
    sequences = [e.data["sequence"] for e in live.events("intro-retry")]
    assert sequences == [1, 2, 3, 4]
