"""ATS signals against the fakes: moves, re-reads, deferral, echoes, merges, deletion, erasure."""

from __future__ import annotations

from datetime import timedelta

import pytest

from intrro_gateway.domain.candidates import CandidateChanges
from intrro_gateway.domain.commands import ApplyAtsSignal, UpdateCandidate
from intrro_gateway.domain.signals import (
    ApplicationCreated,
    ApplicationDeleted,
    ApplicationUpdated,
    AtsSignal,
    CandidateAnonymized,
    CandidateDeleted,
    CandidateMerged,
    CandidateProfileChanged,
    Hired,
    Rejected,
    RejectionKind,
    RejectionReason,
    StageChanged,
)
from intrro_gateway.domain.status import ReferralStatus, StageMapping, StageRef
from intrro_gateway.ports.unit_of_work import InboundDelivery
from intrro_gateway.services.errors import DeferredError
from intrro_gateway.services.handlers.signals import SignalOutcome
from tests.unit.services.flows_world import World


@pytest.fixture
async def world() -> World:
    w = World()
    w.add_tenant()
    w.add_job("101")
    w.add_job("102")
    await w.exported(job_ids=("101", "102"))
    return w


def app_id(world: World, job_id: str = "101") -> str:
    link = world.intro().link_for_job(job_id)
    assert link is not None and link.application_id is not None
    return link.application_id


def stage(job_id: str, n: int, name: str) -> StageRef:
    return StageRef(id=f"{job_id}-s{n}", name=name, order=n)


async def signal(world: World, sig: AtsSignal) -> object:
    return await world.bus.handle(ApplyAtsSignal(tenant_id="acme", signal=sig))


async def test_a_newer_stage_change_moves_the_application_and_is_announced(world: World) -> None:
    world.later(minutes=5)
    sig = StageChanged(
        application_id=app_id(world),
        occurred_at=world.clock.now(),
        stage=stage("101", 2, "Onsite"),
    )

    assert await signal(world, sig) is SignalOutcome.APPLIED

    [item] = world.outbox("application.status_changed")
    assert item.sequence == 2 and item.ordering_key == "intro-1"
    assert item.payload == {
        "introduction_id": "intro-1",
        "job_id": "101",
        "application_id": app_id(world),
        "status": "interviewing",
        "previous_status": "applied",
        "stage": {"id": "101-s2", "name": "Onsite"},
        "rejection_reason": None,
        "occurred_at": "2026-11-24T09:05:00Z",
        "applications": [
            {
                "job_id": "101",
                "application_id": app_id(world),
                "status": "interviewing",
                "problem": None,
            },
            {
                "job_id": "102",
                "application_id": app_id(world, "102"),
                "status": "applied",
                "problem": None,
            },
        ],
        "sequence": 2,
    }


@pytest.mark.parametrize(
    ("kind", "status"),
    [(RejectionKind.COMPANY, "rejected"), (RejectionKind.CANDIDATE, "withdrawn")],
)
async def test_a_rejection_carries_its_reason_and_kind(
    world: World, kind: RejectionKind, status: str
) -> None:
    world.later(minutes=1)
    reason = RejectionReason(id="r1", name="Not a fit", kind=kind)

    await signal(
        world, Rejected(application_id=app_id(world), occurred_at=world.clock.now(), reason=reason)
    )

    [item] = world.outbox("application.status_changed")
    assert item.payload["status"] == status
    assert item.payload["rejection_reason"] == {"id": "r1", "name": "Not a fit", "kind": str(kind)}


async def test_an_older_signal_changes_nothing(world: World) -> None:
    world.later(minutes=10)
    now = world.clock.now()
    await signal(world, Hired(application_id=app_id(world), occurred_at=now))

    outcome = await signal(
        world,
        StageChanged(
            application_id=app_id(world),
            occurred_at=now - timedelta(minutes=1),
            stage=stage("101", 1, "Phone Screen"),
        ),
    )

    assert outcome is SignalOutcome.STALE
    assert world.intro().link_for_job("101").status is ReferralStatus.HIRED  # type: ignore[union-attr]
    assert len(world.outbox("application.status_changed")) == 1


async def test_a_signal_without_a_time_is_settled_by_what_the_ats_says_now(world: World) -> None:
    world.later(minutes=3)
    world.ats.hire(app_id(world))

    outcome = await signal(
        world, StageChanged(application_id=app_id(world), stage=stage("101", 1, "Phone Screen"))
    )

    assert outcome is SignalOutcome.REREAD
    assert world.ats.calls_of("get_applications")[-1]["application_ids"] == (app_id(world),)
    [item] = world.outbox("application.status_changed")
    assert item.payload["status"] == "hired"


async def test_the_stage_mapping_of_the_tenant_decides_the_status(world: World) -> None:
    world.uow.store.tenants["acme"].stage_mapping = StageMapping.from_plain(
        by_stage_name={"Phone Screen": "offer"}
    )
    world.later(minutes=1)

    await signal(
        world,
        StageChanged(
            application_id=app_id(world),
            occurred_at=world.clock.now(),
            stage=stage("101", 1, "Phone Screen"),
        ),
    )

    assert world.outbox("application.status_changed")[0].payload["status"] == "offer"


async def test_a_signal_for_an_application_an_export_may_still_link_is_deferred() -> None:
    w = World()
    w.add_tenant()
    w.add_job("101")
    await w.accept()  # accepted, the export not run yet
    stranger = w.ats.add_existing_application(w.ats.add_candidate("X", "Y", ["x@y.z"]), "101")

    with pytest.raises(DeferredError) as caught:
        await signal(w, ApplicationCreated(application_id=stranger, occurred_at=w.clock.now()))

    assert caught.value.not_before > w.clock.now()


async def test_a_signal_for_an_application_the_gateway_never_made_is_ignored(
    world: World,
) -> None:
    stranger = world.ats.add_existing_application(
        world.ats.add_candidate("X", "Y", ["x@y.z"]), "101"
    )
    sig = ApplicationCreated(application_id=stranger, occurred_at=world.clock.now())

    assert await signal(world, sig) is SignalOutcome.IGNORED
    assert world.outbox("application.status_changed") == []


async def test_an_old_signal_about_an_unknown_application_is_ignored_even_with_exports_pending(
    world: World,
) -> None:
    await world.accept("intro-2")
    world.later(minutes=11)
    sig = ApplicationCreated(
        application_id="999", occurred_at=world.clock.now() - timedelta(minutes=11)
    )

    assert await signal(world, sig) is SignalOutcome.IGNORED


async def test_the_web_hooks_caused_by_the_gateways_own_writes_push_nothing_more(
    world: World,
) -> None:
    pushed_by_export = [i.kind for i in world.outbox()]
    person = world.intro().ats_candidate_id
    assert person is not None
    for job_id in ("101", "102"):
        app = world.ats.applications[app_id(world, job_id)]
        # new_candidate_application, then application_updated with the same activity time
        await signal(
            world,
            ApplicationCreated(
                application_id=app.id,
                candidate_id=person,
                occurred_at=app.updated_at,
                stage=app.stage,
            ),
        )
        await signal(
            world,
            ApplicationUpdated(application_id=app.id, occurred_at=app.updated_at, stage=app.stage),
        )
    await signal(world, CandidateProfileChanged(candidate_id=person))
    await world.bus.handle(
        UpdateCandidate(
            tenant_id="acme",
            introduction_id="intro-1",
            changes=CandidateChanges(current_title="CTO"),
            updated_at=world.clock.now(),
        )
    )
    await signal(world, CandidateProfileChanged(candidate_id=person))

    assert pushed_by_export == ["introduction.exported"]
    assert [i.kind for i in world.outbox()] == pushed_by_export


async def test_a_deleted_application_is_removed_and_stays_closed(world: World) -> None:
    await signal(world, ApplicationDeleted(application_id=app_id(world)))
    world.later(minutes=1)
    again = await signal(world, Hired(application_id=app_id(world), occurred_at=world.clock.now()))

    assert again is SignalOutcome.CLOSED
    [item] = world.outbox("application.removed")
    assert item.payload["reason"] == "deleted"
    assert item.payload["job_id"] == "101"
    assert set(item.payload) == {
        "introduction_id",
        "job_id",
        "application_id",
        "reason",
        "applications",
        "sequence",
    }


async def test_a_merged_candidate_is_followed_to_the_survivor(world: World) -> None:
    old = world.intro().ats_candidate_id
    assert old is not None
    survivor = world.ats.add_candidate("Ada", "Lovelace", ["ada@work.example"])
    world.ats.merge(old, survivor)

    await signal(world, CandidateMerged(candidate_id=old, into_candidate_id=survivor))

    assert world.intro().ats_candidate_id == survivor
    assert world.outbox("application.removed") == []


async def test_a_deleted_candidate_closes_the_links_and_erases_personal_data(
    world: World,
) -> None:
    person = world.intro().ats_candidate_id
    assert person is not None
    world.uow.store.inbox["in-1"] = InboundDelivery(
        id="in-1",
        tenant_id="acme",
        source="greenhouse",
        delivery_id="d1",
        body_hash="h",
        body=b'{"email": "ada@example.com"}',
        kind="update_candidate",
        received_at=world.clock.now(),
        subject_id=person,
    )
    gone = world.ats.delete_candidate(person)

    await signal(world, CandidateDeleted(candidate_id=person, application_ids=tuple(gone)))

    intro = world.intro()
    assert all(link.closed is not None for link in intro.links)
    assert intro.candidate.emails == ("erased@invalid",)
    assert intro.candidate.first_name == ""
    assert intro.message is None
    assert world.uow.store.inbox["in-1"].body is None
    removed = world.outbox("application.removed")
    assert [i.payload["reason"] for i in removed] == ["deleted", "deleted"]


async def test_an_anonymised_candidate_has_its_personal_data_erased(world: World) -> None:
    person = world.intro().ats_candidate_id
    assert person is not None

    await signal(world, CandidateAnonymized(candidate_id=person, fields=("email",)))

    intro = world.intro()
    assert "ada@example.com" not in intro.candidate.emails
    assert intro.candidate.last_name == ""
    assert all(link.closed is None for link in intro.links)


async def test_an_application_re_read_as_gone_with_its_person_gone_erases_the_person(
    world: World,
) -> None:
    # An ATS whose only deletion signal is the application's (Lever): the re-read finds both gone.
    person = world.intro().ats_candidate_id
    assert person is not None
    first = app_id(world)
    world.ats.delete_candidate(person)
    world.later(minutes=1)

    outcome = await signal(
        world, ApplicationUpdated(application_id=first, occurred_at=world.clock.now())
    )

    assert outcome is SignalOutcome.REREAD
    intro = world.intro()
    assert intro.candidate.emails == ("erased@invalid",)
    assert all(link.closed is not None for link in intro.links)
    assert [i.payload["reason"] for i in world.outbox("application.removed")] == [
        "deleted",
        "deleted",
    ]


async def test_an_application_re_read_as_gone_with_its_person_merged_away_is_only_closed(
    world: World,
) -> None:
    old = world.intro().ats_candidate_id
    assert old is not None
    first = app_id(world)
    survivor = world.ats.add_candidate("Ada", "Lovelace", list(world.intro().candidate.emails))
    world.ats.merge(old, survivor)
    world.ats.applications.pop(first, None)
    world.later(minutes=1)

    await signal(world, ApplicationUpdated(application_id=first, occurred_at=world.clock.now()))

    intro = world.intro()
    assert intro.candidate.emails != ("erased@invalid",)  # left to the merge's own signal
    assert intro.link_for_application(first) is not None
