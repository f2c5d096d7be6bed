"""Intrro-side changes against the fakes: candidate updates and withdrawals."""

from __future__ import annotations

import pytest

from intrro_gateway.domain.candidates import CandidateChanges
from intrro_gateway.domain.commands import UpdateCandidate, WithdrawIntroduction
from intrro_gateway.domain.introduction import ExportState
from intrro_gateway.domain.signals import ApplicationState
from intrro_gateway.domain.status import ReferralStatus
from intrro_gateway.ports.ats import AtsRejectedError, AtsUnavailableError
from intrro_gateway.services.errors import NotFoundError, PermanentError
from tests.unit.services.flows_world import World


@pytest.fixture
def world() -> World:
    w = World()
    w.add_tenant()
    w.add_job("101")
    w.add_job("102")
    return w


async def update(world: World, changes: CandidateChanges) -> object:
    return await world.bus.handle(
        UpdateCandidate(
            tenant_id="acme",
            introduction_id="intro-1",
            changes=changes,
            updated_at=world.clock.now(),
        )
    )


async def withdraw(world: World, reason: str | None = "Took another offer") -> object:
    return await world.bus.handle(
        WithdrawIntroduction(
            tenant_id="acme",
            introduction_id="intro-1",
            reason=reason,
            withdrawn_at=world.clock.now(),
        )
    )


async def test_an_update_after_export_is_merged_into_the_ats_candidate(world: World) -> None:
    await world.exported()

    sent = await update(world, CandidateChanges(phones=("+44 1",), current_title="CTO"))

    assert sent is True
    [person] = world.ats.live_candidates()
    assert person.phones == ["+44 1"]
    assert person.title == "CTO"
    assert person.emails == ["ada@example.com"]  # nothing the ATS holds is cleared
    assert world.intro().candidate.current_title == "CTO"


async def test_an_update_before_export_changes_only_the_local_profile(world: World) -> None:
    await world.accept()

    sent = await update(world, CandidateChanges(last_name="Byron"))

    assert sent is False
    assert world.ats.calls_of("update_candidate") == []
    assert world.intro().candidate.last_name == "Byron"
    await world.export()
    [person] = world.ats.live_candidates()
    assert person.last_name == "Byron"


async def test_an_update_the_ats_could_not_take_is_kept_for_the_retry(world: World) -> None:
    await world.exported()
    world.ats.fail_once("update_candidate")

    with pytest.raises(AtsUnavailableError):
        await update(world, CandidateChanges(current_company="Analytical Engines"))
    assert world.intro().candidate.current_company is None

    assert await update(world, CandidateChanges(current_company="Analytical Engines")) is True
    assert world.intro().candidate.current_company == "Analytical Engines"


async def test_an_update_of_an_unknown_introduction_is_not_found(world: World) -> None:
    with pytest.raises(NotFoundError):
        await update(world, CandidateChanges(last_name="X"))


async def test_a_withdrawal_after_export_notes_it_and_pushes_withdrawn_per_application(
    world: World,
) -> None:
    await world.exported(job_ids=("101", "102"))

    assert await withdraw(world) is True

    withdrawn = world.outbox("application.status_changed")
    assert [(i.payload["job_id"], i.payload["status"]) for i in withdrawn] == [
        ("101", "withdrawn"),
        ("102", "withdrawn"),
    ]
    assert [i.sequence for i in withdrawn] == [2, 3]
    assert withdrawn[-1].payload["applications"][0]["status"] == "withdrawn"
    notes = [n for n in world.ats.notes if "withdrawn" in n.body]
    assert len(notes) == 1 and "Took another offer" in notes[0].body
    # the gateway never rejects on the company's behalf
    assert all(a.state is ApplicationState.ACTIVE for a in world.ats.applications.values())


async def test_a_withdrawal_repeated_after_a_failed_write_adds_one_note(world: World) -> None:
    await world.exported()
    world.ats.fail_once("add_note", after_applying=True)

    with pytest.raises(AtsUnavailableError):
        await withdraw(world)
    assert await withdraw(world) is True
    assert await withdraw(world) is False

    assert len([n for n in world.ats.notes if "withdrawn" in n.body]) == 1
    assert len(world.outbox("application.status_changed")) == 1


async def test_a_withdrawal_before_export_cancels_the_export(world: World) -> None:
    await world.accept()

    await withdraw(world)

    intro = world.intro()
    assert intro.export_state is ExportState.CANCELLED
    assert intro.links[0].status is ReferralStatus.WITHDRAWN
    assert world.ats.calls == []


async def test_an_update_the_ats_refuses_is_parked_and_one_for_a_deleted_candidate_stays_local(
    world: World,
) -> None:
    await world.exported()
    world.ats.fail_once("update_candidate", AtsRejectedError("422", status=422, errors=["bad"]))

    with pytest.raises(PermanentError):
        await update(world, CandidateChanges(current_title="CTO"))

    person = world.intro().ats_candidate_id
    assert person is not None
    world.ats.delete_candidate(person)
    assert await update(world, CandidateChanges(current_title="CEO")) is False
    assert world.intro().candidate.current_title == "CEO"


async def test_a_withdrawal_for_a_candidate_gone_from_the_ats_is_still_recorded(
    world: World,
) -> None:
    await world.exported()
    person = world.intro().ats_candidate_id
    assert person is not None
    world.ats.delete_candidate(person)

    assert await withdraw(world) is True
    assert world.intro().withdrawn_at is not None
