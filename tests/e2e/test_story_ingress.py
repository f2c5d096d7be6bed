"""Refused deliveries over real HTTP: each answered with its 4xx, and nothing stored or pushed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from intrro_gateway.sandboxes.greenhouse import DeliveryOptions, sign
from tests.e2e.live import (
    JOBS_CHANGED,
    Live,
    accepted_data,
    intrro_envelope,
    intrro_signed,
    live_stack,
    new_intrro_secret,
)

OTHER_WEBHOOK_SECRET = "other-tenant-greenhouse-secret-0001"
MIB = 1024 * 1024


def greenhouse_headers(body: bytes, secret: str | None) -> dict[str, str]:
    headers = {"Content-Type": "application/json", "Greenhouse-Event-ID": "evt-refused"}
    if secret is not None:
        headers["Signature"] = sign(secret, body)
    return headers


async def inbound(live: Live, tenant: str) -> list[object]:
    page = await live.api("GET", f"/api/tenants/{tenant}/deliveries", params={"direction": "in"})
    items: list[object] = page["deliveries"]
    return items


async def test_refused_deliveries_get_their_4xx_and_leave_nothing_behind(db_url: str) -> None:
    async with live_stack(db_url) as live:
        other_intrro_secret = new_intrro_secret()
        await live.api(
            "PUT",
            "/api/tenants/other",
            201,
            json={
                "intrro_callback_url": f"{live.receiver_url}/intrro/other",
                "intrro_secret": other_intrro_secret,
                "greenhouse_webhook_secret": OTHER_WEBHOOK_SECRET,
            },
        )
        mine = f"/webhooks/greenhouse/{live.tenant}"
        # A real web hook body, as the sandbox fires it (recorded, not delivered).
        job = live.open_job_ids()[0]
        application = live.sandbox.seed.application_ids[0]
        live.control.move(application, options=DeliveryOptions(drop=True))
        real = live.control.fired[-1].body
        oversized = json.dumps({"action": "candidate_stage_change", "pad": "x" * MIB}).encode()
        malformed = b'{"action": "candidate_stage_change", "payload": '

        greenhouse = {
            "no signature": await live.post_raw(mine, real, greenhouse_headers(real, None)),
            "wrong signature": await live.post_raw(
                mine, real, greenhouse_headers(real, "not-the-secret")
            ),
            "another tenant's signature": await live.post_raw(
                mine, real, greenhouse_headers(real, OTHER_WEBHOOK_SECRET)
            ),
            "oversized": await live.post_raw(
                mine, oversized, greenhouse_headers(oversized, live.webhook_secret)
            ),
            "malformed JSON": await live.post_raw(
                mine, malformed, greenhouse_headers(malformed, live.webhook_secret)
            ),
            "unknown tenant": await live.post_raw(
                "/webhooks/greenhouse/nobody", real, greenhouse_headers(real, live.webhook_secret)
            ),
        }

        event = intrro_envelope("introduction.accepted", accepted_data("intro-refused", [job]))
        events = f"/events/intrro/{live.tenant}"
        stale = datetime.now(UTC) - timedelta(minutes=6)
        big = intrro_envelope("introduction.accepted", {"pad": "x" * MIB})
        broken = b'{"type": "introduction.accepted", "data": '
        intrro = {
            "wrong signature": await live.post_raw(
                events, event, intrro_signed(event, new_intrro_secret())
            ),
            "stale timestamp": await live.post_raw(
                events, event, intrro_signed(event, live.intrro_secret, at=stale)
            ),
            "another tenant's signature": await live.post_raw(
                events, event, intrro_signed(event, other_intrro_secret)
            ),
            "oversized": await live.post_raw(events, big, intrro_signed(big, live.intrro_secret)),
            "malformed JSON": await live.post_raw(
                events, broken, intrro_signed(broken, live.intrro_secret)
            ),
            "unknown tenant": await live.post_raw(
                "/events/intrro/nobody", event, intrro_signed(event, live.intrro_secret)
            ),
        }
        await live.settled()
        stored = {tenant: await inbound(live, tenant) for tenant in (live.tenant, "other")}
        pushed = [e.type for e in live.received if e.type != JOBS_CHANGED]  # imports may run
        # The same bodies, rightly signed, are taken: each refusal was for the reason named.
        taken = [
            await live.post_raw(mine, real, greenhouse_headers(real, live.webhook_secret)),
            await live.post_raw(events, event, intrro_signed(event, live.intrro_secret)),
        ]
        await live.wait_exported("intro-refused")
        await live.settled()
        stored_after = await inbound(live, live.tenant)

    assert {why: r.status_code for why, r in greenhouse.items()} == {
        "no signature": 401,
        "wrong signature": 401,
        "another tenant's signature": 401,
        "oversized": 413,
        "malformed JSON": 400,
        "unknown tenant": 404,
    }
    assert {why: r.status_code for why, r in intrro.items()} == {
        "wrong signature": 401,
        "stale timestamp": 401,
        "another tenant's signature": 401,
        "oversized": 413,
        "malformed JSON": 400,
        "unknown tenant": 404,
    }
    assert stored == {live.tenant: [], "other": []}
    assert pushed == []
    assert [r.status_code for r in taken] == [200, 202]
    assert sorted(d["kind"] for d in stored_after if d["kind"] != "new_candidate_application") == [
        "candidate_stage_change",
        "introduction.accepted",
    ]
