"""The fakes the handler tests stand on behave like the real thing where it matters."""

from __future__ import annotations

from datetime import timedelta

import pytest

from intrro_gateway.domain.candidates import CandidateProfile, Referrer
from intrro_gateway.domain.introduction import Introduction
from intrro_gateway.domain.tenant import AtsCredentials
from intrro_gateway.ports.ats import AtsContext, AtsOutcomeUnknownError, NewApplication
from intrro_gateway.ports.unit_of_work import ConcurrencyError
from tests.fakes.ats import FakeAtsClient, job
from tests.fakes.clock import FakeClock, FakeIds
from tests.fakes.unit_of_work import FakeUnitOfWorkFactory

CREDENTIALS = AtsCredentials("client", "secret")
PROFILE = CandidateProfile("Ada", "Lovelace", ("ada@example.com",))


def intro(clock: FakeClock, introduction_id: str = "intro-1") -> Introduction:
    return Introduction(
        tenant_id="acme",
        introduction_id=introduction_id,
        candidate=PROFILE,
        referrer=Referrer("Grace", "grace@acme.example"),
        job_ids=("101",),
        message=None,
        accepted_at=clock.now(),
    )


async def test_changes_are_invisible_to_others_until_commit_and_gone_after_rollback() -> None:
    factory, clock = FakeUnitOfWorkFactory(), FakeClock()
    async with factory() as writer:
        await writer.introductions.add(intro(clock))
        async with factory() as reader:
            assert await reader.introductions.get("acme", "intro-1") is None
        # leaving the block without commit rolls back
    async with factory() as reader:
        assert await reader.introductions.get("acme", "intro-1") is None
        assert factory.committed == 0


async def test_a_change_without_save_is_not_stored() -> None:
    factory, clock = FakeUnitOfWorkFactory(), FakeClock()
    async with factory() as uow:
        await uow.introductions.add(intro(clock))
        await uow.commit()
    async with factory() as uow:
        loaded = await uow.introductions.get("acme", "intro-1")
        assert loaded is not None
        loaded.message = "changed"
        await uow.commit()

    assert factory.store.introductions[("acme", "intro-1")].message is None


async def test_two_writers_of_one_introduction_conflict_on_commit() -> None:
    factory, clock = FakeUnitOfWorkFactory(), FakeClock()
    async with factory() as uow:
        await uow.introductions.add(intro(clock))
        await uow.commit()
    first, second = factory(), factory()
    a = await first.introductions.get("acme", "intro-1")
    b = await second.introductions.get("acme", "intro-1")
    assert a is not None and b is not None
    a.message, b.message = "a", "b"
    await first.introductions.save(a)
    await second.introductions.save(b)
    await first.commit()

    with pytest.raises(ConcurrencyError):
        await second.commit()
    assert factory.store.introductions[("acme", "intro-1")].message == "a"


async def test_the_fake_ats_fails_once_after_applying_a_write() -> None:
    clock = FakeClock()
    ats = FakeAtsClient(clock)
    ats.add_job(job("101"))
    ctx = AtsContext("acme", CREDENTIALS, ats="greenhouse")
    ats.fail_once("create_candidate", after_applying=True)

    with pytest.raises(AtsOutcomeUnknownError):
        await ats.create_candidate(ctx, PROFILE, NewApplication("101"))
    await ats.create_candidate(ctx, PROFILE, NewApplication("101"))

    assert len(ats.candidates) == 2  # the first one was applied despite the error


async def test_the_fake_ats_hides_new_candidates_from_the_search_for_a_while() -> None:
    clock = FakeClock()
    ats = FakeAtsClient(clock)
    ats.add_job(job("101"))
    ats.hide_new_candidates_for(timedelta(seconds=30))
    ctx = AtsContext("acme", CREDENTIALS, ats="greenhouse")
    await ats.create_candidate(ctx, PROFILE, NewApplication("101"))

    assert await ats.find_candidates_by_email(ctx, ["ADA@example.com"]) == []
    clock.advance(seconds=30)
    assert len(await ats.find_candidates_by_email(ctx, ["ADA@example.com"])) == 1


def test_fake_ids_and_secrets_are_deterministic_and_distinct() -> None:
    first, second = FakeIds(), FakeIds()

    assert [first.new_id() for _ in range(3)] == [second.new_id() for _ in range(3)]
    assert first.new_secret("intrro").startswith("whsec_")
    assert second.new_secret("intrro") == FakeIds().new_secret("intrro")
    assert first.new_secret("ats_webhook") != first.new_secret("ats_webhook")
