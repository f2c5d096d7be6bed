"""A Lever tenant's rejection mapping: an archive reason the tenant maps by id wins over its name."""

from __future__ import annotations

from tests.e2e.ats_drivers import LeverDriver
from tests.e2e.live import STATUS_CHANGED, accepted_data, live_stack


async def test_an_archive_reason_the_tenant_maps_to_withdrawn_yields_withdrawn(
    sqlite_url: str,
) -> None:
    async with live_stack(sqlite_url, ats="lever") as live:
        assert isinstance(live.ats, LeverDriver)
        underqualified = live.ats.state.seed.archive_reason_ids["Underqualified"]
        mapping = {"by_reason_id": {underqualified: "withdrawn"}}
        saved = await live.api(
            "PUT", f"/api/tenants/{live.tenant}", json={"rejection_mapping": mapping}
        )
        first, second = live.open_job_ids()[:2]
        await live.accept(accepted_data("intro-mapped", [first, second]))
        exported = await live.wait_exported("intro-mapped")
        await live.settled()
        by_job = {a["job_id"]: str(a["application_id"]) for a in exported.data["applications"]}
        live.ats.reject(by_job[first])  # archived as "Underqualified": rejected by its name
        await live.wait_status("intro-mapped", first, "withdrawn")
        await live.settled()

    assert saved["rejection_mapping"] == mapping
    assert live.statuses("intro-mapped", first) == ["withdrawn"]
    [changed] = live.events("intro-mapped", STATUS_CHANGED)
    assert changed.data["rejection_reason"]["id"] == underqualified
    assert changed.data["rejection_reason"]["name"] == "Underqualified"
