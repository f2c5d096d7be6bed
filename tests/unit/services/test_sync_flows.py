"""Sync completeness against the fakes: the profile merge on export, ATS edits announced (and the
gateway's own writes not), reconciliation with its overlap and its repairs of lost deletions and
merges."""

from __future__ import annotations

from datetime import timedelta

from intrro_gateway.domain.candidates import CandidateChanges, CandidateProfile, Referrer
from intrro_gateway.domain.commands import (
    AcceptIntroduction,
    ApplyAtsSignal,
    Reconcile,
    UpdateCandidate,
)
from intrro_gateway.domain.signals import (
    ApplicationDeleted,
    AtsSignal,
    CandidateMerged,
    CandidateProfileChanged,
)
from intrro_gateway.domain.status import StageRef
from intrro_gateway.services.handlers.signals import SignalOutcome
from tests.unit.services.flows_world import TENANT, World

RICH = CandidateProfile(
    first_name="Ada",
    last_name="Lovelace",
    emails=("ada@example.com", "ada@home.example"),
    phones=("+44 20 7946 0000",),
    linkedin_url="https://www.linkedin.com/in/ada",
    social_profiles=("https://github.com/ada",),
    websites=("https://ada.example",),
    current_company="Analytical Engines",
    current_title="Engineer",
    location="London",
)


async def accept_rich(world: World, introduction_id: str = "intro-1") -> None:
    await world.bus.handle(
        AcceptIntroduction(
            tenant_id=TENANT,
            introduction_id=introduction_id,
            candidate=RICH,
            referrer=Referrer(name="Grace Hopper", email="grace@acme.example"),
            job_ids=("101",),
            message=None,
            accepted_at=world.clock.now(),
        )
    )


def fresh_world() -> World:
    world = World()
    world.add_tenant()
    world.add_job("101")
    world.add_job("102")
    return world


async def signal(world: World, sig: AtsSignal) -> object:
    return await world.bus.handle(ApplyAtsSignal(tenant_id=TENANT, signal=sig))


# -- 1. the profile merge on export ----------------------------------------------------------------


async def test_an_existing_candidate_gains_what_the_introduction_brings_and_keeps_what_it_holds() -> (
    None
):
    world = fresh_world()
    known = world.ats.add_candidate("Ada", "L.", ["ADA@example.com"])
    person = world.ats.candidates[known]
    person.phones = ["+44 (20) 7946-0000"]  # the same number, written another way
    person.company = "Babbage & Co"

    await accept_rich(world)
    await world.export("intro-1")
    await world.export("intro-1")  # a second run: nothing is missing any more

    [update] = world.ats.calls_of("update_candidate")
    changes: CandidateChanges = update["changes"]
    assert changes.emails == ("ada@home.example",)
    assert changes.phones is None
    assert changes.linkedin_url == RICH.linkedin_url
    assert changes.social_profiles == ("https://github.com/ada",)
    assert changes.websites == ("https://ada.example",)
    assert changes.current_company is None  # the ATS has one: never replaced
    assert changes.current_title == "Engineer"  # the ATS had none
    assert changes.first_name is None and changes.last_name is None
    assert person.last_name == "L."
    assert person.company == "Babbage & Co"
    assert person.emails == ["ADA@example.com", "ada@home.example"]
    assert world.intro().ats_candidate_id == known


async def test_an_existing_candidate_that_lacks_nothing_is_not_written() -> None:
    world = fresh_world()
    known = world.ats.add_candidate("Ada", "Lovelace", ["ada@example.com"])

    await world.exported(emails=("Ada@Example.com",))

    assert world.ats.calls_of("update_candidate") == []
    assert world.intro().ats_candidate_id == known


# -- 2. ATS edits as candidate.changed -----------------------------------------------------------


async def test_an_edit_in_the_ats_is_announced_with_the_candidate_as_the_ats_holds_it() -> None:
    world = fresh_world()
    await accept_rich(world)
    await world.export("intro-1")
    person = world.ats.candidates[world.intro().ats_candidate_id or ""]
    person.title = "Chief Engineer"
    person.emails.append("ada@new.example")

    outcome = await signal(world, CandidateProfileChanged(candidate_id=person.id))
    again = await signal(world, CandidateProfileChanged(candidate_id=person.id))

    assert outcome is SignalOutcome.APPLIED
    assert again is SignalOutcome.IGNORED  # the same web hook twice: announced once
    [item] = world.outbox("candidate.changed")
    assert item.payload["changed"] == ["emails", "current_title"]
    candidate = item.payload["candidate"]
    assert candidate["current_title"] == "Chief Engineer"
    assert candidate["emails"] == ["ada@example.com", "ada@home.example", "ada@new.example"]
    assert candidate["linkedin_url"] == RICH.linkedin_url
    assert candidate["social_profiles"] == ["https://github.com/ada"]
    assert candidate["location"] == "London"
    assert item.payload["sequence"] == 2
    assert set(item.payload) == {"introduction_id", "candidate", "changed", "sequence"}


async def test_the_gateways_own_writes_are_never_announced_even_to_another_introduction() -> None:
    world = fresh_world()
    await world.exported("intro-1")  # Ada with one e-mail
    person = world.intro().ats_candidate_id or ""
    await accept_rich(world, "intro-2")  # the same person, with more to add
    await world.export("intro-2")
    await signal(world, CandidateProfileChanged(candidate_id=person))
    await world.bus.handle(
        UpdateCandidate(
            tenant_id=TENANT,
            introduction_id="intro-1",
            changes=CandidateChanges(current_title="CTO", phones=("+1 555 0100",)),
            updated_at=world.clock.now(),
        )
    )
    await signal(world, CandidateProfileChanged(candidate_id=person))

    assert world.intro("intro-2").ats_candidate_id == person
    assert len(world.ats.calls_of("update_candidate")) == 2
    assert world.outbox("candidate.changed") == []


async def test_an_erased_candidate_is_never_announced() -> None:
    world = fresh_world()
    await world.exported()
    person = world.intro().ats_candidate_id or ""
    world.intro().erase_personal_data()
    world.ats.candidates[person].title = "Changed"

    await signal(world, CandidateProfileChanged(candidate_id=person))

    assert world.outbox("candidate.changed") == []


# -- merges and deletions ------------------------------------------------------------------------


async def test_a_merge_into_a_person_with_an_application_on_the_same_job_follows_the_survivor() -> (
    None
):
    world = fresh_world()
    await world.exported(job_ids=("101", "102"))
    old = world.intro().ats_candidate_id or ""
    lost = world.intro().link_for_job("101").application_id  # type: ignore[union-attr]
    survivor = world.ats.add_candidate("Ada", "Lovelace", ["ada@work.example"])
    kept = world.ats.add_existing_application(survivor, "101")
    world.ats.move(kept, StageRef("101-s2", "Onsite", 2))
    merged = world.ats.merge(old, survivor)
    # Greenhouse fires the duplicate's deletion too, maybe first: the merge decides what it was.
    deleted_first = await signal(world, ApplicationDeleted(application_id=lost or ""))
    await signal(world, CandidateMerged(candidate_id=old, into_candidate_id=survivor))

    assert merged == {lost: kept}
    assert deleted_first is SignalOutcome.IGNORED
    intro = world.intro()
    assert intro.ats_candidate_id == survivor
    link = intro.link_for_job("101")
    assert link is not None and link.application_id == kept and link.closed is None
    [removed] = world.outbox("application.removed")
    assert removed.payload["reason"] == "merged"
    assert removed.payload["application_id"] == lost
    [moved] = world.outbox("application.status_changed")
    assert moved.payload["application_id"] == kept
    assert moved.payload["status"] == "interviewing"
    assert moved.payload["sequence"] > removed.payload["sequence"]


# -- 3. reconciliation ---------------------------------------------------------------------------


async def reconciled_world() -> World:
    world = fresh_world()
    await world.exported(job_ids=("101", "102"))
    await world.bus.handle(Reconcile(tenant_id=TENANT))  # the first pass settles the baseline
    return world


def apps(world: World) -> list[str]:
    return [lk.application_id for lk in world.intro().links if lk.application_id]


async def test_a_change_stamped_before_the_last_pass_is_found_by_the_overlap_and_pushed_once() -> (
    None
):
    world = await reconciled_world()
    first, _ = apps(world)
    world.later(minutes=15)
    # A lagging index (or a skewed clock): the change is stamped 5 minutes before the last pass.
    world.ats.move(first, StageRef("101-s2", "Onsite", 2))
    world.ats.applications[first].updated_at = world.clock.now() - timedelta(minutes=20)
    result = await world.bus.handle(Reconcile(tenant_id=TENANT))
    again = await world.bus.handle(Reconcile(tenant_id=TENANT))

    assert result.repairs == 1
    assert again.repairs == 0
    assert [i.payload["status"] for i in world.outbox("application.status_changed")] == [
        "interviewing"
    ]


async def test_an_application_deleted_without_a_web_hook_is_removed() -> None:
    world = await reconciled_world()
    first, _ = apps(world)
    del world.ats.applications[first]

    result = await world.bus.handle(Reconcile(tenant_id=TENANT))
    again = await world.bus.handle(Reconcile(tenant_id=TENANT))

    assert result.repairs == 1 and again.repairs == 0
    [removed] = world.outbox("application.removed")
    assert removed.payload == removed.payload | {"application_id": first, "reason": "deleted"}


async def test_a_candidate_deleted_without_a_web_hook_is_removed_and_erased() -> None:
    world = await reconciled_world()
    world.ats.delete_candidate(world.intro().ats_candidate_id or "")

    result = await world.bus.handle(Reconcile(tenant_id=TENANT))

    assert result.repairs == 1
    assert [i.payload["reason"] for i in world.outbox("application.removed")] == [
        "deleted",
        "deleted",
    ]
    assert world.intro().candidate.emails == ("erased@invalid",)
    assert world.intro().ats_profile is None


async def test_a_merge_without_a_web_hook_is_followed_with_its_duplicate_removed_as_merged() -> (
    None
):
    world = await reconciled_world()
    old = world.intro().ats_candidate_id or ""
    first, second = apps(world)
    survivor = world.ats.add_candidate("Ada", "Lovelace", ["ada@example.com"])
    kept = world.ats.add_existing_application(survivor, "101")
    world.ats.merge(old, survivor)

    result = await world.bus.handle(Reconcile(tenant_id=TENANT))

    assert result.repairs >= 1
    intro = world.intro()
    assert intro.ats_candidate_id == survivor
    assert [lk.application_id for lk in intro.links] == [kept, second]
    [removed] = world.outbox("application.removed")
    assert removed.payload["reason"] == "merged" and removed.payload["application_id"] == first


async def test_a_merge_without_a_web_hook_that_moved_every_application_is_followed() -> None:
    world = await reconciled_world()
    old = world.intro().ats_candidate_id or ""
    survivor = world.ats.add_candidate("Ada", "Lovelace", ["ada@else.example"])
    world.ats.merge(old, survivor)

    result = await world.bus.handle(Reconcile(tenant_id=TENANT))

    assert result.repairs == 1
    assert world.intro().ats_candidate_id == survivor
    assert world.outbox("application.removed") == []
