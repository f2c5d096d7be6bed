"""Pipeline stories over HTTP: the candidate says no and is reinstated; two people are merged."""

from __future__ import annotations

from intrro_gateway.sandboxes.greenhouse import DeliveryOptions
from tests.e2e.live import STATUS_CHANGED, live_stack
from tests.e2e.test_story_deliveries import exported_application


async def test_they_rejected_us_is_withdrawn_and_an_unreject_returns_to_the_stages_status(
    db_url: str,
) -> None:
    async with live_stack(db_url) as live:
        job = live.open_job_ids()[0]
        application = await exported_application(live, "intro-no", job)
        live.control.move(application, live.stage_id(job, "Phone Screen"))
        await live.wait_status("intro-no", job, "interviewing")

        live.control.reject(application, "candidate")
        await live.wait_status("intro-no", job, "withdrawn")
        live.control.unreject(application)
        await live.wait_for(
            "the status after the unreject",
            lambda e: e.type == STATUS_CHANGED and e.data.get("previous_status") == "withdrawn",
        )
        await live.settled()

    assert live.statuses("intro-no") == ["interviewing", "withdrawn", "interviewing"]
    _, withdrawn, back = live.events("intro-no", STATUS_CHANGED)
    reason = withdrawn.data["rejection_reason"]
    assert reason["kind"] == "candidate"
    assert int(reason["id"]) in live.sandbox.seed.rejection_reason_ids["THEY_REJECTED_US"]
    assert back.data["previous_status"] == "withdrawn"
    assert back.data["stage"]["name"] == "Phone Screen"
    assert back.data["rejection_reason"] is None
    assert live.application(str(application))["status"] == "in_process"


async def test_after_a_merge_a_late_web_hook_naming_the_old_candidate_is_still_followed(
    db_url: str,
) -> None:
    async with live_stack(db_url) as live:
        job = live.open_job_ids()[0]
        application = await exported_application(live, "intro-merge", job)
        old_candidate = live.application(str(application))["candidate_id"]
        survivor = live.sandbox.seed.candidate_ids[0]
        # A stage change whose web hook is held back: it names the candidate as it was then.
        [late] = live.control.move(
            application, live.stage_id(job, "Phone Screen"), options=DeliveryOptions(reorder=True)
        )
        merged = live.control.merge(old_candidate, survivor)
        await live.delivered(merged)
        await live.settled(release=False)  # the merge is processed; the stage change still held
        await live.settled()  # now the held web hook arrives, naming the merged-away candidate
        await live.wait_status("intro-merge", job, "interviewing")
        live.control.move(application, live.stage_id(job, "Offer"))
        await live.wait_status("intro-merge", job, "offer")
        await live.settled()
        view = await live.api("GET", f"/api/tenants/{live.tenant}/introductions/intro-merge")

    late_payload = next(e for e in live.control.fired if e.event_id == late).json()["payload"]
    assert late_payload["application"]["candidate"]["id"] == old_candidate
    assert [d.action for d in live.control.deliveries][-3:] == [
        "merge_candidate",
        "candidate_stage_change",
        "candidate_stage_change",
    ]
    assert live.statuses("intro-merge") == ["interviewing", "offer"]
    assert view["ats_candidate_id"] == str(survivor)
    assert view["applications"][0]["status"] == "offer"
    assert live.application(str(application))["candidate_id"] == survivor
    assert old_candidate not in live.sandbox.tables["candidates"]
