"""Two tenants, one on Greenhouse and one on Lever, side by side in one gateway: each introduction goes
to its tenant's ATS, each recruiter's moves come back to its tenant's Intrro, nothing crosses over."""

from __future__ import annotations

from tests.e2e.live import EXPORTED, STATUS_CHANGED, Live, accepted_data, side_by_side


async def _to_hired(live: Live, introduction_id: str) -> str:
    job = live.open_job_ids()[0]
    await live.accept(accepted_data(introduction_id, [job]))
    exported = await live.wait_exported(introduction_id)
    application = str(exported.data["applications"][0]["application_id"])
    live.ats.move(application, live.stage(job, "screen"))
    await live.wait_status(introduction_id, job, "interviewing")
    live.ats.hire(application)
    await live.wait_status(introduction_id, job, "hired")
    return application


async def test_a_greenhouse_tenant_and_a_lever_tenant_run_side_by_side(sqlite_url: str) -> None:
    async with side_by_side(sqlite_url) as (greenhouse, lever):
        gh_application = await _to_hired(greenhouse, "intro-gh")
        lever_application = await _to_hired(lever, "intro-lever")
        await greenhouse.settled()
        await lever.settled()
        tenants = {
            t: await greenhouse.api("GET", f"/api/tenants/{t}") for t in ("gh-co", "lever-co")
        }

    assert greenhouse.ats.application(gh_application).state == "hired"
    assert lever.ats.application(lever_application).state == "hired"
    for live, intro, ats in (
        (greenhouse, "intro-gh", "greenhouse"),
        (lever, "intro-lever", "lever"),
    ):
        assert [e.type for e in live.events(intro)] == [EXPORTED, STATUS_CHANGED, STATUS_CHANGED]
        assert live.statuses(intro) == ["interviewing", "hired"]
        assert live.events(intro, EXPORTED)[0].data["ats"] == ats
    # Each tenant's Intrro heard only of its own introduction.
    assert not greenhouse.events("intro-lever") and not lever.events("intro-gh")
    assert tenants["gh-co"]["ats"] == "greenhouse" and tenants["lever-co"]["ats"] == "lever"
