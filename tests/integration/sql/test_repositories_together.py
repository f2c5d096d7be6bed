"""The set-wise repository methods the worker's batches use agree with their one-at-a-time
counterparts, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from intrro_gateway.adapters.sql.queue import SqlWorkQueue
from intrro_gateway.adapters.sql.uow import SqlUnitOfWorkFactory
from intrro_gateway.domain.jobs import JobStage
from intrro_gateway.domain.signals import StageChanged
from intrro_gateway.domain.status import StageMapping, StageRef
from intrro_gateway.ports.unit_of_work import ConcurrencyError, InboxMark, InboxState
from tests.integration.sql import builders as b


async def _three(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        for n in (1, 2, 3):
            await uow.introductions.add(b.introduction(f"intro-{n}", application_id=f"a-{n}"))
        await uow.commit()


async def test_introductions_by_applications_equal_those_found_one_by_one(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    await _three(uow_factory)
    async with uow_factory() as uow:
        found = await uow.introductions.by_applications("acme", ["a-3", "a-1", "a-9", "a-1"])
        one_by_one = {a: await uow.introductions.by_application("acme", a) for a in ("a-1", "a-3")}
        assert await uow.introductions.by_applications("acme", []) == {}
        assert await uow.introductions.by_applications("beta", ["a-1"]) == {}
    assert sorted(found) == ["a-1", "a-3"]
    for app, intro in found.items():
        alone = one_by_one[app]
        assert alone is not None and b.same_introduction(intro, alone)


async def test_saving_several_introductions_stores_each_ones_changes(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    await _three(uow_factory)
    stage = StageRef("s-3", "Onsite", 2)
    async with uow_factory() as uow:
        found = await uow.introductions.by_applications("acme", ["a-1", "a-2", "a-3"])
        for app in ("a-1", "a-2"):
            intro = found[app]
            intro.links[0].last_change_at = None  # so the stage change is newer
            verdict = intro.apply_signal(
                StageChanged(application_id=app, occurred_at=b.T0 + timedelta(days=1), stage=stage),
                mapping=StageMapping(),
                job_stages=(stage,),
                at=b.T0,
            )
            assert verdict.name == "APPLIED"
        await uow.introductions.save_many([found["a-1"], found["a-2"]])
        # Saved again in the same unit: only the rows that changed since are written.
        found["a-1"].erase_personal_data()
        await uow.introductions.save_many([found["a-1"]])
        await uow.commit()
    async with uow_factory() as uow:
        stored = {n: await uow.introductions.get("acme", f"intro-{n}") for n in (1, 2, 3)}
    for n, version in ((1, 2), (2, 1), (3, 0)):
        intro = stored[n]
        assert intro is not None and intro.version == version
    for n in (1, 2):
        saved, mine = stored[n], found[f"a-{n}"]
        assert saved is not None and b.same_introduction(saved, mine)
        assert saved.links[0].stage == stage and len(saved.links[0].history) == 3


async def test_saving_several_where_one_went_stale_raises_and_the_rollback_keeps_them_all(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    await _three(uow_factory)
    async with uow_factory() as uow:
        mine = await uow.introductions.by_applications("acme", ["a-1", "a-2"])
    async with uow_factory() as other:
        theirs = await other.introductions.get("acme", "intro-2")
        assert theirs is not None
        theirs.withdraw(at=b.T0)
        await other.introductions.save(theirs)
        await other.commit()
    for intro in mine.values():
        intro.erase_personal_data()
    async with uow_factory() as uow:
        with pytest.raises(ConcurrencyError):
            await uow.introductions.save_many([mine["a-1"], mine["a-2"]])
        await uow.rollback()
    async with uow_factory() as uow:
        first = await uow.introductions.get("acme", "intro-1")
        second = await uow.introductions.get("acme", "intro-2")
    assert first is not None and first.version == 0 and first.candidate.first_name == "Ada"
    assert second is not None and second.version == 1 and second.withdrawn_at == b.T0


async def test_stage_refs_of_several_jobs_equal_those_read_one_by_one(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        await uow.jobs.upsert("acme", b.job("j-1"))
        await uow.jobs.upsert("acme", replace(b.job("j-2"), stages=(JobStage("s-9", "Offer", 4),)))
        await uow.commit()
    async with uow_factory() as uow:
        many = await uow.jobs.stage_refs_many("acme", ["j-2", "j-1", "j-404"])
        alone = {j: await uow.jobs.stage_refs("acme", j) for j in ("j-1", "j-2", "j-404")}
        assert await uow.jobs.stage_refs_many("acme", []) == {}
    assert dict(many) == alone
    assert [s.id for s in many["j-1"]] == ["s-1", "s-2"]


async def test_marking_several_deliveries_records_each_end_and_subject(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    deliveries = [b.delivery() for _ in range(3)]
    async with uow_factory() as uow:
        for d in deliveries:
            await uow.inbox.add(d)
        await uow.inbox.mark_many(
            [
                InboxMark(deliveries[0].id, InboxState.PROCESSED, subject_id="cand-1"),
                InboxMark(deliveries[1].id, InboxState.IGNORED),
            ],
            at=b.T0,
        )
        await uow.commit()
    async with uow_factory() as uow:
        marked = [await uow.inbox.get("acme", d.id) for d in deliveries]
    assert [(m.state, m.processed_at, m.subject_id) for m in marked if m is not None] == [
        (InboxState.PROCESSED, b.T0, "cand-1"),
        (InboxState.IGNORED, b.T0, None),
        (InboxState.RECEIVED, None, None),
    ]


async def test_queueing_several_outbound_calls_keeps_one_per_idempotency_key(
    uow_factory: SqlUnitOfWorkFactory, work_queue: SqlWorkQueue
) -> None:
    items = [b.outbound(sequence=n) for n in (1, 2)]
    again = replace(b.outbound(sequence=1), idempotency_key=items[0].idempotency_key)
    async with uow_factory() as uow:
        await uow.outbox.add_many([*items, again])
        await uow.outbox.add_many([])
        await uow.commit()
    listed = await work_queue.deliveries("acme", direction="out")
    assert sorted(r.id for r in listed.items) == sorted(i.id for i in items)


async def test_noting_a_web_hook_moves_its_time_forward_only_and_clears_the_silence_flag(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    tenant = b.tenant()
    tenant.webhooks_silent = True
    async with uow_factory() as uow:
        await uow.tenants.add(tenant)
        await uow.commit()
    later, earlier = b.T0 + timedelta(hours=2), b.T0 + timedelta(hours=1)
    async with uow_factory() as uow:
        assert await uow.tenants.note_webhook("acme", later) is True
        assert await uow.tenants.note_webhook("acme", earlier) is True  # exists; moves nothing
        assert await uow.tenants.note_webhook("nobody", later) is False
        await uow.commit()
    async with uow_factory() as uow:
        stored = await uow.tenants.get("acme")
    assert stored is not None
    assert (stored.last_webhook_at, stored.webhooks_silent) == (later, False)
    assert stored.intrro_secret == tenant.intrro_secret  # the rest untouched
