"""The API views: an introduction with its history, the pipeline, jobs, deliveries, replay."""

from __future__ import annotations

from datetime import timedelta

import pytest

from intrro_gateway.domain.jobs import JobStatus
from intrro_gateway.domain.signals import StageChanged
from intrro_gateway.domain.status import StageMapping
from intrro_gateway.ports.unit_of_work import InboxState, OutboxState
from intrro_gateway.services.errors import InvalidInputError, NotFoundError
from intrro_gateway.services.inspection import (
    deliveries,
    introduction_view,
    jobs_view,
    pipeline,
    replay,
)
from tests.fakes.ats import job
from tests.unit.domain.builders import ONSITE, STAGES, T0, exported_introduction, new_introduction
from tests.unit.services.runtime_harness import Runtime, make_runtime


def with_introductions() -> Runtime:
    rt = make_runtime()
    rt.add_tenant()
    intro = exported_introduction(("job-1", "job-2"))
    signal = StageChanged(
        application_id="app-job-1", occurred_at=T0 + timedelta(hours=1), stage=ONSITE
    )
    intro.apply_signal(signal, mapping=StageMapping(), job_stages=STAGES, at=T0)
    intro.events.clear()
    rt.store.introductions[("acme", "intro-1")] = intro
    pending = new_introduction(("job-3",), introduction_id="intro-2")
    rt.store.introductions[("acme", "intro-2")] = pending
    return rt


async def test_an_introduction_shows_its_status_ats_ids_applications_and_history() -> None:
    rt = with_introductions()

    view = await introduction_view(rt.deps, "acme", "intro-1")

    assert view["status"] == "exported"
    assert view["ats"] == "greenhouse"
    assert view["ats_candidate_id"] == "cand-1"
    assert view["candidate_url"] == rt.ats.candidate_url("cand-1")
    assert view["referral_credit"] == "referrer"
    first, second = view["applications"]
    assert first["application_id"] == "app-job-1"
    assert first["status"] == "interviewing"
    assert first["stage"] == {"id": "s-onsite", "name": "Onsite"}
    assert [(h["previous_status"], h["status"]) for h in first["history"]] == [
        ("introduced", "applied"),
        ("applied", "interviewing"),
    ]
    assert first["history"][1]["at"] == "2026-11-01T10:00:00Z"
    assert second["status"] == "applied"
    assert "Ada" not in repr(view)  # no personal data in the operator view


async def test_an_introduction_not_yet_exported_has_no_ats_ids() -> None:
    rt = with_introductions()

    view = await introduction_view(rt.deps, "acme", "intro-2")

    assert view["status"] == "pending"
    assert view["ats_candidate_id"] is None
    assert view["candidate_url"] is None
    assert view["applications"][0]["status"] == "introduced"


async def test_unknown_introductions_and_tenants_are_not_found() -> None:
    rt = with_introductions()
    with pytest.raises(NotFoundError):
        await introduction_view(rt.deps, "acme", "nope")
    with pytest.raises(NotFoundError):
        await introduction_view(rt.deps, "other", "intro-1")
    with pytest.raises(NotFoundError):
        await pipeline(rt.deps, "other", None, None)


async def test_the_pipeline_lists_linked_applications_by_status() -> None:
    rt = with_introductions()

    everything = await pipeline(rt.deps, "acme", None, None)
    interviewing = await pipeline(rt.deps, "acme", "interviewing", None)

    assert [a["application_id"] for a in everything["applications"]] == [
        "app-job-1",
        "app-job-2",
    ]
    assert interviewing == {
        "applications": [
            {
                "introduction_id": "intro-1",
                "job_id": "job-1",
                "application_id": "app-job-1",
                "status": "interviewing",
                "stage": {"id": "s-onsite", "name": "Onsite"},
                "updated_at": "2026-11-01T10:00:00Z",
            }
        ],
        "next_cursor": None,
    }


async def test_an_unknown_pipeline_status_is_invalid_input() -> None:
    rt = with_introductions()
    with pytest.raises(InvalidInputError):
        await pipeline(rt.deps, "acme", "sleeping", None)


async def test_jobs_are_listed_in_the_contract_shape_open_by_default() -> None:
    rt = make_runtime()
    rt.add_tenant()
    rt.store.jobs[("acme", "j1")] = job("j1", stages=("Review",), updated_at=T0)
    rt.store.jobs[("acme", "j2")] = job("j2", status=JobStatus.CLOSED, updated_at=T0)

    view = await jobs_view(rt.deps, "acme", None, None, None)
    closed = await jobs_view(rt.deps, "acme", "closed", None, None)

    assert view == {
        "jobs": [
            {
                "id": "j1",
                "title": "Engineer",
                "status": "open",
                "departments": [],
                "offices": [],
                "posts": [],
                "stages": [{"id": "j1-s0", "name": "Review", "order": 0}],
                "updated_at": "2026-11-01T09:00:00Z",
                "deleted": False,
            }
        ],
        "next_cursor": None,
    }
    assert [j["id"] for j in closed["jobs"]] == ["j2"]


async def test_a_bad_job_status_or_a_naive_time_is_invalid_input() -> None:
    rt = make_runtime()
    rt.add_tenant()
    with pytest.raises(InvalidInputError):
        await jobs_view(rt.deps, "acme", "draft", None, None)
    with pytest.raises(InvalidInputError):
        await jobs_view(rt.deps, "acme", "all", T0.replace(tzinfo=None), None)


async def test_deliveries_are_listed_by_direction_and_state() -> None:
    rt = make_runtime()
    rt.add_tenant()
    inbound = rt.receive(b"{}")
    dead = rt.queue_event()
    rt.store.outbox[dead.id].state = OutboxState.DEAD
    rt.store.outbox[dead.id].last_error = "PushRefusedError: gone"

    both = await deliveries(rt.deps, "acme", None, None, None)
    dead_out = await deliveries(rt.deps, "acme", "out", "dead", None)

    assert {d["id"] for d in both["deliveries"]} == {inbound.id, dead.id}
    [only] = dead_out["deliveries"]
    assert only["id"] == dead.id
    assert only["direction"] == "out"
    assert only["last_error"] == "PushRefusedError: gone"
    with pytest.raises(InvalidInputError) as caught:
        await deliveries(rt.deps, "acme", "sideways", "asleep", None)
    assert len(caught.value.errors) == 2


async def test_replaying_a_dead_item_makes_it_due_again_and_anything_else_changes_nothing() -> None:
    rt = make_runtime()
    rt.add_tenant()
    dead = rt.receive(b"{}")
    rt.store.inbox[dead.id].state = InboxState.DEAD
    alive = rt.receive(b"{}")

    assert await replay(rt.deps, "acme", dead.id) is True
    assert await replay(rt.deps, "acme", dead.id) is False
    assert await replay(rt.deps, "acme", alive.id) is False
    assert await replay(rt.deps, "acme", "no-such-item") is False
    assert rt.store.inbox[dead.id].state is InboxState.RECEIVED
    with pytest.raises(NotFoundError):
        await replay(rt.deps, "other", dead.id)
