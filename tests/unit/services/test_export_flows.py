"""The export flow against the fakes: found or created once, applications, credit, note, tag."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from intrro_gateway.domain.commands import WithdrawIntroduction
from intrro_gateway.domain.introduction import ExportState
from intrro_gateway.domain.jobs import JobStatus
from intrro_gateway.domain.status import ReferralStatus
from intrro_gateway.domain.tenant import ClosedJobPolicy
from intrro_gateway.ports.ats import (
    AtsOutcomeUnknownError,
    AtsPermissionError,
    AtsRejectedError,
    AtsUnavailableError,
)
from intrro_gateway.ports.unit_of_work import StorageUnavailableError
from intrro_gateway.services.errors import DeferredError
from intrro_gateway.services.handlers.export import ExportOutcome
from tests.fakes.unit_of_work import FakeUnitOfWork
from tests.unit.services.flows_world import World


@pytest.fixture
def world() -> World:
    w = World()
    w.add_tenant()
    w.add_job("101", title="Engineer")
    w.add_job("102", title="Designer")
    return w


async def test_an_export_creates_the_candidate_with_an_application_per_open_job(
    world: World,
) -> None:
    intro = await world.exported(job_ids=("101", "102"))

    assert intro.export_state is ExportState.EXPORTED
    [person] = world.ats.live_candidates()
    assert person.emails == ["ada@example.com"]
    assert intro.ats_candidate_id == person.id
    apps = world.ats.applications_of(person.id)
    assert sorted(a.job_id or "" for a in apps) == ["101", "102"]
    assert all(a.source_id == "src-intrro" for a in apps)
    links = {link.job_id: link for link in intro.links}
    assert {links[a.job_id or ""].application_id for a in apps} == {a.id for a in apps}
    assert all(link.status is ReferralStatus.APPLIED for link in intro.links)
    assert person.tags == ["Intrro"]
    [note] = world.ats.notes
    assert "[intrro:intro-1]" in note.body
    assert "Grace Hopper" in note.body
    assert "Ada is brilliant." in note.body


async def test_an_export_announces_the_candidate_and_every_application(world: World) -> None:
    intro = await world.exported(job_ids=("101",))

    [item] = world.outbox("introduction.exported")
    assert item.ordering_key == "intro-1"
    assert item.sequence == 1
    assert item.payload == {
        "introduction_id": "intro-1",
        "ats": "greenhouse",
        "ats_candidate_id": intro.ats_candidate_id,
        "candidate_url": f"https://ats.invalid/people/{intro.ats_candidate_id}",
        "referral_credit": "custom_field",
        "applications": [
            {
                "job_id": "101",
                "application_id": intro.links[0].application_id,
                "status": "applied",
                "problem": None,
            }
        ],
        "sequence": 1,
    }


async def test_a_second_export_run_writes_nothing(world: World) -> None:
    await world.exported()
    writes_before = len(world.ats.calls)

    outcome = await world.export()

    assert outcome is ExportOutcome.SKIPPED
    assert len(world.ats.calls) == writes_before
    assert len(world.outbox("introduction.exported")) == 1


async def test_a_second_accept_of_a_known_introduction_changes_nothing(world: World) -> None:
    assert await world.accept() is True
    before = world.uow.commits

    assert await world.accept(job_ids=("102",)) is False

    assert world.uow.commits == before
    assert world.intro().job_ids == ("101",)


async def test_a_referrer_the_ats_knows_is_credited_as_referrer(world: World) -> None:
    world.ats.referrers["grace@acme.example"] = "ref-9"

    intro = await world.exported()

    assert intro.referral_credit == "referrer"
    [app] = world.ats.applications.values()
    assert app.referral.referrer_id == "ref-9"
    assert world.ats.calls_of("record_referrer") == []


async def test_an_unknown_referrer_is_written_into_the_gateways_field(world: World) -> None:
    intro = await world.exported()

    assert intro.referral_credit == "custom_field"
    [person] = world.ats.live_candidates()
    assert person.referrer is not None and person.referrer.name == "Grace Hopper"


async def test_an_existing_candidate_found_by_any_email_gets_the_applications(
    world: World,
) -> None:
    known = world.ats.add_candidate("Ada", "L", ["old@example.com", "ADA@example.com"])
    reused = world.ats.add_existing_application(known, "101")

    intro = await world.exported(
        emails=("new@example.com", "ada@example.com"), job_ids=("101", "102")
    )

    assert world.ats.calls_of("create_candidate") == []
    assert intro.ats_candidate_id == known
    assert intro.link_for_job("101").application_id == reused  # type: ignore[union-attr]
    assert len(world.ats.applications_of(known)) == 2


async def test_a_closed_job_among_open_ones_is_named_in_the_export(world: World) -> None:
    world.add_job("103", status=JobStatus.CLOSED)

    intro = await world.exported(job_ids=("101", "103"))

    assert intro.export_state is ExportState.EXPORTED
    [item] = world.outbox("introduction.exported")
    apps = {a["job_id"]: a for a in item.payload["applications"]}
    assert apps["103"] == {
        "job_id": "103",
        "application_id": None,
        "status": "introduced",
        "problem": "job_not_open",
    }
    assert apps["101"]["problem"] is None
    assert [a.job_id for a in world.ats.applications.values()] == ["101"]


async def test_no_open_job_fails_the_introduction(world: World) -> None:
    world.add_job("103", status=JobStatus.CLOSED)

    outcome = await world.exported(job_ids=("103",))

    assert outcome.export_state is ExportState.FAILED
    [item] = world.outbox("introduction.failed")
    assert item.payload["code"] == "job_not_open"
    assert set(item.payload) == {"introduction_id", "code", "message", "sequence"}
    assert world.ats.live_candidates() == []


async def test_the_prospect_policy_makes_prospects_for_closed_jobs(world: World) -> None:
    world.uow.store.tenants["acme"].closed_job_policy = ClosedJobPolicy.PROSPECT
    world.add_job("103", status=JobStatus.CLOSED)

    intro = await world.exported(job_ids=("103",))

    assert intro.export_state is ExportState.EXPORTED
    [app] = world.ats.applications.values()
    assert app.prospect is True and app.job_id == "103"


async def test_a_job_missing_from_the_mirror_is_read_from_the_ats(world: World) -> None:
    world.add_job("104", mirror=False)

    intro = await world.exported(job_ids=("104",))

    assert intro.export_state is ExportState.EXPORTED
    assert world.ats.calls_of("list_jobs")[0]["job_ids"] == ("104",)


async def test_a_tenant_without_a_connection_fails_not_connected(world: World) -> None:
    world.add_tenant("beta", connected=False)
    await world.accept(tenant_id="beta")

    assert await world.export(tenant_id="beta") is ExportOutcome.FAILED

    [item] = world.outbox("introduction.failed")
    assert item.payload["code"] == "not_connected"


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (
            AtsPermissionError("403", status=403, scope="harvest:candidates:create"),
            "permission_missing",
        ),
        (AtsRejectedError("422", status=422, errors=["email is invalid"]), "ats_rejected"),
    ],
)
async def test_a_refusal_by_the_ats_fails_the_introduction(
    world: World, error: Exception, code: str
) -> None:
    world.ats.fail_once("create_candidate", error)  # type: ignore[arg-type]

    intro = await world.exported()

    assert intro.export_state is ExportState.FAILED
    [item] = world.outbox("introduction.failed")
    assert item.payload["code"] == code


async def test_an_unavailable_ats_leaves_the_export_pending_for_a_retry(world: World) -> None:
    world.ats.fail_once("find_candidates_by_email")
    await world.accept()

    with pytest.raises(AtsUnavailableError):
        await world.export()

    assert world.intro().export_state is ExportState.PENDING
    assert await world.export() is ExportOutcome.EXPORTED


WRITES = ["create_candidate", "add_application", "record_referrer", "add_note", "tag_candidate"]


@pytest.mark.parametrize("method", WRITES)
@pytest.mark.parametrize("applied", [True, False], ids=["applied", "not-applied"])
async def test_a_crash_at_any_write_then_a_retry_never_duplicates_anything(
    world: World, method: str, applied: bool
) -> None:
    world.ats.fail_once(method, after_applying=applied)
    await world.accept(job_ids=("101", "102"))

    with pytest.raises((AtsOutcomeUnknownError, AtsUnavailableError)):
        await world.export()
    assert world.intro().export_state is ExportState.PENDING
    if method == "create_candidate" and not applied:
        # Nothing is searchable: the gateway cannot tell "not applied" from "not indexed yet".
        with pytest.raises(DeferredError):
            await world.export()
        world.later(minutes=11)

    assert await world.export() is ExportOutcome.EXPORTED

    [person] = world.ats.live_candidates()
    assert sorted(a.job_id or "" for a in world.ats.applications_of(person.id)) == ["101", "102"]
    assert len(world.ats.notes) == 1
    assert person.tags == ["Intrro"]
    assert len(world.outbox("introduction.exported")) == 1


async def test_a_lost_create_answer_waits_for_the_search_instead_of_creating_again(
    world: World,
) -> None:
    world.ats.hide_new_candidates_for(timedelta(seconds=90))
    world.ats.fail_once("create_candidate", after_applying=True)
    await world.accept()
    with pytest.raises(AtsOutcomeUnknownError):
        await world.export()

    world.later(seconds=30)
    with pytest.raises(DeferredError):
        await world.export()
    world.later(seconds=61)
    assert await world.export() is ExportOutcome.EXPORTED

    assert len(world.ats.candidates) == 1
    assert len(world.ats.applications) == 1


async def test_two_concurrent_introductions_of_one_person_make_one_candidate(
    world: World,
) -> None:
    await world.accept("intro-1", job_ids=("101",))
    await world.accept("intro-2", job_ids=("102",), emails=("Ada@Example.com",))

    outcomes = await asyncio.gather(world.export("intro-1"), world.export("intro-2"))

    assert outcomes == [ExportOutcome.EXPORTED, ExportOutcome.EXPORTED]
    [person] = world.ats.live_candidates()
    assert sorted(a.job_id or "" for a in world.ats.applications_of(person.id)) == ["101", "102"]
    assert world.intro("intro-1").ats_candidate_id == world.intro("intro-2").ats_candidate_id


async def test_a_person_created_moments_ago_and_not_yet_searchable_is_waited_for(
    world: World,
) -> None:
    world.ats.hide_new_candidates_for(timedelta(seconds=60))
    await world.accept("intro-1", job_ids=("101",))
    await world.accept("intro-2", job_ids=("102",))

    first, second = await asyncio.gather(
        world.export("intro-1"), world.export("intro-2"), return_exceptions=True
    )

    assert first is ExportOutcome.EXPORTED
    assert isinstance(second, DeferredError)
    world.later(seconds=61)
    assert await world.export("intro-2") is ExportOutcome.EXPORTED
    assert len(world.ats.live_candidates()) == 1


async def test_an_introduction_withdrawn_before_export_is_never_exported(world: World) -> None:
    await world.accept()
    await world.bus.handle(
        WithdrawIntroduction(
            tenant_id="acme",
            introduction_id="intro-1",
            reason=None,
            withdrawn_at=datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
        )
    )

    assert await world.export() is ExportOutcome.SKIPPED
    assert world.intro().export_state is ExportState.CANCELLED
    assert world.ats.calls == []


def failing_commit(number: int) -> Callable[[FakeUnitOfWork], None]:
    """A hook that makes the `number`-th commit from now on fail, as a crash at that point."""
    seen = {"commits": 0}

    def hook(_: FakeUnitOfWork) -> None:
        seen["commits"] += 1
        if seen["commits"] == number:
            raise StorageUnavailableError("the process died here")

    return hook


async def count_export_commits() -> int:
    world = World()
    world.add_tenant()
    world.add_job("101")
    world.add_job("102")
    await world.accept(job_ids=("101", "102"))
    before = world.uow.commits
    await world.export()
    return world.uow.commits - before


@pytest.mark.parametrize("crash_at", range(1, 12))
async def test_a_crash_at_any_commit_of_the_export_then_retries_duplicate_nothing(
    crash_at: int,
) -> None:
    assert await count_export_commits() == 11  # attempt + confirm for 5 writes, then the export
    world = World()
    world.add_tenant()
    world.add_job("101")
    world.add_job("102")
    await world.accept(job_ids=("101", "102"))
    world.uow.before_commit.append(failing_commit(crash_at))

    with pytest.raises(StorageUnavailableError):
        await world.export()

    assert await world.export() is ExportOutcome.EXPORTED
    [person] = world.ats.live_candidates()
    assert sorted(a.job_id or "" for a in world.ats.applications_of(person.id)) == ["101", "102"]
    assert len(world.ats.notes) == 1
    assert len(world.outbox("introduction.exported")) == 1


async def test_each_introduction_of_one_person_leaves_its_own_note(world: World) -> None:
    await world.exported("intro-10", job_ids=("101",))
    await world.exported("intro-1", job_ids=("102",))

    assert len(world.ats.live_candidates()) == 1
    bodies = sorted(n.body.splitlines()[-1] for n in world.ats.notes)
    assert bodies == ["[intrro:intro-10]", "[intrro:intro-1]"]
