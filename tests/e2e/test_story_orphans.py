"""A read refused right after an ATS write: the write's ids are kept, nothing is written twice, and the
introduction is never reported failed (its candidate would be an orphan in Greenhouse).

One story per write of the export (candidate, application, referral credit, note, tag), each with the
read that follows it refused by the sandbox (403, a fault option); then the same refusal for good.
"""

from __future__ import annotations

import pytest

from tests.e2e.live import (
    EXPORTED,
    FAILED,
    STATUS_CHANGED,
    Live,
    accepted_data,
    candidate,
    live_stack,
)

OUTSIDER = {"name": "Olive Outsider", "email": "olive@outside.example", "employee_id": None}

# (the write, the read that follows it in the export)
WRITES = {
    "candidate": ("POST /v3/candidates", "/v3/application_stages"),
    "application": ("POST /v3/applications", "/v3/application_stages"),
    "credit": ("PATCH /v3/candidates/", "/v3/notes"),
    "note": ("POST /v3/notes", "/v3/candidate_tags"),
    "tag": ("POST /v3/candidate_tags", "/v3/applied_candidate_tags"),
}


async def _accept(live: Live, introduction_id: str, email: str) -> list[str]:
    jobs = live.open_job_ids()[:2]
    data = accepted_data(
        introduction_id, jobs, person=candidate("Orla", "Orphan", email), referrer=OUTSIDER
    )
    await live.accept(data)
    return jobs


def _writes_of(live: Live, email: str) -> tuple[int, list[dict[str, object]], int]:
    """How many candidates have the e-mail, their applications, and the notes on them."""
    people = live.candidates_with_email(email)
    ids = {p["id"] for p in people}
    applications = [
        a for a in live.sandbox.tables["applications"].values() if a["candidate_id"] in ids
    ]
    notes = [n for n in live.sandbox.tables["notes"].values() if n.get("candidate_id") in ids]
    return len(people), applications, len(notes)


@pytest.mark.parametrize("write", sorted(WRITES))
async def test_a_read_refused_after_a_write_is_retried_and_nothing_is_written_twice(
    db_url: str, write: str
) -> None:
    after, read = WRITES[write]
    email = f"orla+{write}@example.org"
    async with live_stack(db_url) as live:
        live.sandbox.faults.refuse(read, 403, times=1, after=after)
        jobs = await _accept(live, f"intro-{write}", email)
        exported = await live.wait_exported(f"intro-{write}")
        await live.settled()

    assert live.sandbox.faults.injected[f"refused GET {read}"] == 1
    people, applications, notes = _writes_of(live, email)
    assert (people, len(applications), notes) == (1, 2, 1)
    assert sorted(str(a["job_id"]) for a in applications) == sorted(jobs)
    assert sorted(a["application_id"] for a in exported.data["applications"]) == sorted(
        str(a["id"]) for a in applications
    )
    assert all(a["problem"] is None for a in exported.data["applications"])
    assert [e.type for e in live.events(f"intro-{write}")] == [EXPORTED]
    assert live.events(f"intro-{write}", FAILED) == []


async def test_a_read_refused_for_good_after_the_candidate_is_reported_exported_and_followed(
    db_url: str,
) -> None:
    email = "orla+for-good@example.org"
    async with live_stack(db_url, GATEWAY_EXPORT_ATTEMPTS_AFTER_WRITE="2") as live:
        live.sandbox.faults.refuse(
            "/v3/application_stages", 403, times=1000, after="POST /v3/candidates"
        )
        jobs = await _accept(live, "intro-for-good", email)
        exported = await live.wait_exported("intro-for-good")
        live.sandbox.faults.refusals.clear()
        [entry] = [a for a in exported.data["applications"] if a["application_id"]]
        live.control.move(int(entry["application_id"]), live.stage_id(entry["job_id"], "Offer"))
        await live.wait_status("intro-for-good", entry["job_id"], "offer")
        await live.settled()

    people, applications, _ = _writes_of(live, email)
    assert (people, len(applications)) == (1, 1)  # the second application was never reached
    assert exported.data["ats_candidate_id"] == str(live.candidates_with_email(email)[0]["id"])
    assert {a["job_id"]: a["problem"] for a in exported.data["applications"]} == {
        job: "export_incomplete" for job in jobs
    }
    assert entry["application_id"] == str(applications[0]["id"])
    assert [e.type for e in live.events("intro-for-good")] == [EXPORTED, STATUS_CHANGED]
