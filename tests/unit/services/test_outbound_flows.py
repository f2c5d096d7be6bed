"""Outbound payloads: every event type as the contract's `data` object, field by field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from intrro_gateway.domain.events import (
    ApplicationRemoved,
    ApplicationStatusChanged,
    ApplicationView,
    IntroductionFailed,
    JobsChanged,
)
from intrro_gateway.domain.jobs import Department, Job, JobPost, JobStage, JobStatus, Office
from intrro_gateway.domain.signals import RejectionKind, RejectionReason
from intrro_gateway.domain.status import ReferralStatus, StageRef
from intrro_gateway.services.outbound import add_events, iso, payload, to_item
from tests.fakes.unit_of_work import FakeUnitOfWork
from tests.unit.services.flows_world import World

WHEN = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
VIEWS = (
    ApplicationView("101", "5001", ReferralStatus.REJECTED, StageRef("s1", "Onsite", 2)),
    ApplicationView("102", None, ReferralStatus.INTRODUCED, None, problem="job_not_open"),
)


def test_a_status_change_carries_stage_reason_time_and_the_snapshot() -> None:
    event = ApplicationStatusChanged(
        tenant_id="acme",
        introduction_id="intro-1",
        sequence=4,
        job_id="101",
        application_id="5001",
        status=ReferralStatus.REJECTED,
        previous_status=ReferralStatus.INTERVIEWING,
        stage=StageRef("s1", "Onsite", 2),
        rejection_reason=RejectionReason("r7", "Lacks skills", RejectionKind.COMPANY),
        occurred_at=datetime(2026, 11, 24, 10, 30, tzinfo=timezone(timedelta(hours=1))),
        applications=VIEWS,
    )

    assert payload(event) == {
        "introduction_id": "intro-1",
        "job_id": "101",
        "application_id": "5001",
        "status": "rejected",
        "previous_status": "interviewing",
        "stage": {"id": "s1", "name": "Onsite"},
        "rejection_reason": {"id": "r7", "name": "Lacks skills", "kind": "company"},
        "occurred_at": "2026-11-24T09:30:00Z",
        "applications": [
            {"job_id": "101", "application_id": "5001", "status": "rejected", "problem": None},
            {
                "job_id": "102",
                "application_id": None,
                "status": "introduced",
                "problem": "job_not_open",
            },
        ],
        "sequence": 4,
    }


def test_a_removal_and_a_failure_carry_their_contract_fields() -> None:
    removed = ApplicationRemoved(
        tenant_id="acme",
        introduction_id="intro-1",
        sequence=5,
        job_id="101",
        application_id="5001",
        reason="merged",
        applications=VIEWS,
    )
    failed = IntroductionFailed(
        tenant_id="acme", introduction_id="intro-2", sequence=1, code="ats_rejected", message="no"
    )

    assert payload(removed) == {
        "introduction_id": "intro-1",
        "job_id": "101",
        "application_id": "5001",
        "reason": "merged",
        "applications": [
            {"job_id": "101", "application_id": "5001", "status": "rejected", "problem": None},
            {
                "job_id": "102",
                "application_id": None,
                "status": "introduced",
                "problem": "job_not_open",
            },
        ],
        "sequence": 5,
    }
    assert payload(failed) == {
        "introduction_id": "intro-2",
        "code": "ats_rejected",
        "message": "no",
        "sequence": 1,
    }


def test_jobs_changed_lists_jobs_in_the_jobs_api_shape() -> None:
    job = Job(
        ats_id="201",
        title="Engineer",
        status=JobStatus.OPEN,
        departments=(Department("d1", "R&D"),),
        offices=(Office("o1", "London"),),
        posts=(JobPost("p1", "Engineer (London)", "https://jobs.example/p1"),),
        stages=(JobStage("s2", "Onsite", 1), JobStage("s1", "Review", 0)),
        updated_at=WHEN,
    )
    event = JobsChanged(tenant_id="acme", jobs=(job,), sequence=7)

    item = to_item(event, item_id="out-1", now=WHEN)

    assert (item.kind, item.ordering_key, item.sequence, item.target) == (
        "jobs.changed",
        "jobs:acme",
        7,
        "intrro",
    )
    assert item.payload == {
        "jobs": [
            {
                "id": "201",
                "title": "Engineer",
                "status": "open",
                "departments": [{"id": "d1", "name": "R&D"}],
                "offices": [{"id": "o1", "name": "London"}],
                "posts": [
                    {"id": "p1", "title": "Engineer (London)", "url": "https://jobs.example/p1"}
                ],
                "stages": [
                    {"id": "s1", "name": "Review", "order": 0},
                    {"id": "s2", "name": "Onsite", "order": 1},
                ],
                "updated_at": "2026-11-24T09:30:00Z",
                "deleted": False,
            }
        ],
        "sequence": 7,
    }


async def test_events_are_queued_in_the_callers_unit_of_work_with_fresh_ids() -> None:
    world = World()
    failed = [
        IntroductionFailed(
            tenant_id="acme", introduction_id=f"intro-{n}", sequence=1, code="x", message="y"
        )
        for n in (1, 2)
    ]

    async with world.uow() as uow:
        await add_events(uow, world.deps, failed)
        assert isinstance(uow, FakeUnitOfWork)
        assert world.uow.store.outbox == {}  # not visible before commit
        await uow.commit()

    items = world.outbox()
    assert [i.ordering_key for i in items] == ["intro-1", "intro-2"]
    assert len({i.id for i in items}) == 2
    assert all(i.created_at == world.clock.now() for i in items)


@given(
    st.datetimes(
        min_value=datetime(1970, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
        ),
    )
)
def test_every_time_goes_out_as_utc_with_z(when: datetime) -> None:
    text = iso(when)

    assert text is not None and text.endswith("Z")
    assert "+" not in text
    assert datetime.fromisoformat(text) == when
