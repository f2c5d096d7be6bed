"""Greenhouse delivers at least once and in any order: duplicates and reordered web hooks, over HTTP."""

from __future__ import annotations

import asyncio
import uuid

from intrro_gateway.sandboxes.greenhouse import DeliveryOptions, FiredEvent, sign
from tests.e2e.live import STATUS_CHANGED, Live, accepted_data, live_stack


async def exported_application(live: Live, introduction_id: str, job: str) -> int:
    """Accept an introduction for the job and wait until it is exported; its application id."""
    await live.accept(accepted_data(introduction_id, [job]))
    exported = await live.wait_exported(introduction_id)
    await live.settled()  # the export's own web hook is processed before the story goes on
    return int(exported.data["applications"][0]["application_id"])


async def deliver_concurrently(live: Live, event: FiredEvent, event_ids: list[str]) -> list[int]:
    """POST the fired body to the gateway once per event id, all at the same time; the statuses."""
    path = f"/webhooks/greenhouse/{live.tenant}"

    async def one(event_id: str) -> int:
        headers = {
            "Content-Type": "application/json",
            "Signature": sign(live.webhook_secret, event.body),
            "Greenhouse-Event-ID": event_id,
        }
        return (await live.post_raw(path, event.body, headers)).status_code

    return list(await asyncio.gather(*(one(event_id) for event_id in event_ids)))


def held_event(live: Live, event_id: str) -> FiredEvent:
    return next(e for e in live.control.fired if e.event_id == event_id)


async def test_the_same_web_hook_delivered_five_times_at_once_is_pushed_once(
    db_url: str,
) -> None:
    async with live_stack(db_url) as live:
        job = live.open_job_ids()[0]
        application = await exported_application(live, "intro-dup", job)
        [event_id] = live.control.move(
            application, live.stage_id(job, "Phone Screen"), options=DeliveryOptions(drop=True)
        )

        answers = await deliver_concurrently(live, held_event(live, event_id), [event_id] * 5)
        await live.wait_status("intro-dup", job, "interviewing")
        await live.settled()
        inbound = await live.api(
            "GET", f"/api/tenants/{live.tenant}/deliveries", params={"direction": "in"}
        )

    assert answers == [200] * 5
    assert live.statuses("intro-dup") == ["interviewing"]
    stored = [d for d in inbound["deliveries"] if d["kind"] == "candidate_stage_change"]
    assert [d["state"] for d in stored] == ["processed"]


async def test_the_same_change_under_five_delivery_ids_is_pushed_once(db_url: str) -> None:
    async with live_stack(db_url) as live:
        job = live.open_job_ids()[0]
        application = await exported_application(live, "intro-ids", job)
        [event_id] = live.control.move(
            application, live.stage_id(job, "Phone Screen"), options=DeliveryOptions(drop=True)
        )
        event_ids = [event_id, *(str(uuid.uuid4()) for _ in range(4))]

        answers = await deliver_concurrently(live, held_event(live, event_id), event_ids)
        await live.wait_status("intro-ids", job, "interviewing")
        await live.settled()
        # The sandbox's own duplicates, one after the other under new ids, change nothing either.
        live.control.move(
            application, live.stage_id(job, "Offer"), options=DeliveryOptions(duplicate_ids=4)
        )
        await live.wait_status("intro-ids", job, "offer")
        await live.settled()
        inbound = await live.api(
            "GET", f"/api/tenants/{live.tenant}/deliveries", params={"direction": "in"}
        )

    assert answers == [200] * 5
    assert live.statuses("intro-ids") == ["interviewing", "offer"]
    stored = [d for d in inbound["deliveries"] if d["kind"] == "candidate_stage_change"]
    # The inbox also matches a body it already holds (a retry under a new id): at least one row per
    # change, at most one per delivery, every one processed.
    assert 2 <= len(stored) <= 10
    assert {d["state"] for d in stored} == {"processed"}
    assert [d.status_code for d in live.control.deliveries].count(200) == len(
        live.control.deliveries
    )


async def test_two_stage_changes_delivered_in_reverse_order_end_right_without_a_regression(
    db_url: str,
) -> None:
    async with live_stack(db_url) as live:
        job = live.open_job_ids()[0]
        application = await exported_application(live, "intro-rev", job)
        held = DeliveryOptions(reorder=True)
        live.control.move(application, live.stage_id(job, "Phone Screen"), options=held)
        live.control.move(application, live.stage_id(job, "Offer"), options=held)

        await live.control.flush()  # the Offer move arrives first, the Phone Screen one after it
        await live.wait_status("intro-rev", job, "offer")
        await live.settled()
        view = await live.api("GET", f"/api/tenants/{live.tenant}/introductions/intro-rev")

    delivered = [d.action for d in live.control.deliveries][-2:]
    assert delivered == ["candidate_stage_change", "candidate_stage_change"]
    # The late Phone Screen web hook is older than what the gateway knows: nothing is pushed for it.
    assert live.statuses("intro-rev") == ["offer"]
    last = live.events("intro-rev", STATUS_CHANGED)[-1]
    assert last.data["applications"][0]["status"] == "offer"
    assert view["applications"][0]["status"] == "offer"
    assert live.application(str(application))["stage_name"] == "Offer"
