"""Tenant isolation at the repository level (issue 6, item 8): two tenants whose ATS accounts use the
same job, candidate and application ids and the same candidate e-mails. Every repository method and every
tenant-scoped work queue method, read or written through one tenant, leaves the other's rows alone; on
SQLite and PostgreSQL (the `uow_factory` fixture runs each test on both)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from intrro_gateway.adapters.sql.queue import SqlWorkQueue
from intrro_gateway.adapters.sql.uow import SqlUnitOfWorkFactory
from intrro_gateway.domain.introduction import ExportState, Introduction
from intrro_gateway.domain.jobs import JobStatus
from intrro_gateway.domain.status import ReferralStatus
from intrro_gateway.ports.unit_of_work import InboxState
from tests.integration.sql import builders as b

A, B = "acme", "globex"
LEASE = timedelta(seconds=30)
SHARED_EMAIL = "ada@example.com"


def _intro(tenant_id: str) -> Introduction:
    """The same introduction id, candidate, application and e-mail in both tenants; only the
    message tells them apart."""
    intro = b.introduction(
        "intro-1", tenant_id=tenant_id, candidate_id="c-1", application_id="a-1", email=SHARED_EMAIL
    )
    intro.message = f"from {tenant_id}"
    return intro


async def _two_tenants(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        for tenant_id in (A, B):
            await uow.tenants.add(b.tenant(tenant_id, secret=tenant_id))
            await uow.jobs.upsert(tenant_id, b.job("j-1", title=f"{tenant_id} engineer"))
            await uow.introductions.add(_intro(tenant_id))
        await uow.commit()


async def test_tenant_get_save_and_list_touch_only_the_named_tenant(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    await _two_tenants(uow_factory)
    async with uow_factory() as uow:
        acme = await uow.tenants.get(A)
        assert acme is not None
        acme.webhooks_silent = False
        acme.reconcile_repairs = 99
        acme.rotate("ats_webhook", "gh-new", now=b.T0, grace=timedelta(hours=24))
        await uow.tenants.save(acme)
        await uow.commit()
    async with uow_factory() as uow:
        globex = await uow.tenants.get(B)
        acme_again = await uow.tenants.get(A)
        ids = await uow.tenants.list_ids()
    assert globex == b.tenant(B, secret=B)
    assert acme_again is not None and acme_again.reconcile_repairs == 99
    assert acme_again.webhook_secret.current == "gh-new"
    assert globex is not None and globex.webhook_secret.current == f"gh-{B}"
    assert sorted(ids) == [A, B]


async def test_jobs_with_the_same_ats_id_are_upserted_read_and_listed_per_tenant(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    await _two_tenants(uow_factory)
    async with uow_factory() as uow:
        # The same job content is new to the second tenant: change detection is per tenant.
        assert await uow.jobs.upsert(A, b.job("j-2")) is True
        assert await uow.jobs.upsert(B, b.job("j-2")) is True
        closed = b.job("j-1", title=f"{A} engineer", status=JobStatus.CLOSED)
        assert await uow.jobs.upsert(A, closed) is True
        gone = b.job("j-2", deleted=True, updated_at=b.T0 + timedelta(hours=1))
        assert await uow.jobs.upsert(A, gone) is True
        await uow.commit()
    async with uow_factory() as uow:
        acme_job = await uow.jobs.get(A, "j-1")
        globex_job = await uow.jobs.get(B, "j-1")
        acme_open = (await uow.jobs.list(A)).items
        globex_open = (await uow.jobs.list(B)).items
        globex_changes = (
            await uow.jobs.list(B, status="all", updated_after=b.T0 - timedelta(days=1))
        ).items
        assert await uow.jobs.get(A, "j-9") is None
    assert acme_job is not None and acme_job.status is JobStatus.CLOSED
    assert globex_job is not None
    assert (globex_job.status, globex_job.title) == (JobStatus.OPEN, f"{B} engineer")
    assert acme_open == []
    assert [j.ats_id for j in globex_open] == ["j-1", "j-2"]
    assert [(j.ats_id, j.deleted) for j in globex_changes] == [("j-1", False), ("j-2", False)]


async def test_introductions_with_the_same_ids_and_emails_are_read_by_every_index_per_tenant(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    await _two_tenants(uow_factory)
    async with uow_factory() as uow:
        acme = await uow.introductions.get(A, "intro-1")
        globex = await uow.introductions.get(B, "intro-1")
        by_app = {t: await uow.introductions.by_application(t, "a-1") for t in (A, B)}
        by_candidate = {t: await uow.introductions.by_candidate(t, "c-1") for t in (A, B)}
        linked = {t: await uow.introductions.linked_application_ids(t) for t in (A, B)}
        assert await uow.introductions.get("nobody", "intro-1") is None
        assert await uow.introductions.by_application("nobody", "a-1") is None
    assert acme is not None and acme.message == f"from {A}"
    assert globex is not None and globex.message == f"from {B}"
    assert {t: i.message if i else None for t, i in by_app.items()} == {
        A: f"from {A}",
        B: f"from {B}",
    }
    assert {t: [i.tenant_id for i in found] for t, found in by_candidate.items()} == {
        A: [A],
        B: [B],
    }
    assert linked == {A: ["a-1"], B: ["a-1"]}


async def test_saving_one_tenants_introduction_leaves_the_others_index_and_state_alone(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    await _two_tenants(uow_factory)
    async with uow_factory() as uow:
        acme = await uow.introductions.get(A, "intro-1")
        assert acme is not None
        acme.relink_candidate("c-merged")
        acme.links[0].application_id = "a-new"
        acme.withdraw(at=b.T0 + timedelta(hours=3))
        await uow.introductions.save(acme)
        await uow.commit()
    async with uow_factory() as uow:
        globex = await uow.introductions.get(B, "intro-1")
        globex_by_app = await uow.introductions.by_application(B, "a-1")
        globex_by_candidate = await uow.introductions.by_candidate(B, "c-1")
        acme_by_old_app = await uow.introductions.by_application(A, "a-1")
        globex_by_new_candidate = await uow.introductions.by_candidate(B, "c-merged")
    assert globex is not None and b.same_introduction(globex, _intro(B))
    assert globex.version == 0 and globex.withdrawn_at is None
    assert globex_by_app is not None and globex_by_app.tenant_id == B
    assert [i.tenant_id for i in globex_by_candidate] == [B]
    assert acme_by_old_app is None
    assert globex_by_new_candidate == []


async def test_pending_exports_and_the_pipeline_count_only_the_tenants_own_introductions(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    await _two_tenants(uow_factory)
    waiting = _intro(A)
    waiting.introduction_id = "intro-2"
    waiting.export_state = ExportState.PENDING
    async with uow_factory() as uow:
        await uow.introductions.add(waiting)
        await uow.commit()
    async with uow_factory() as uow:
        pending = {t: await uow.introductions.pending_exports(t) for t in (A, B)}
        acme_rejected = await uow.introductions.pipeline(A, status=ReferralStatus.REJECTED)
        globex_rejected = await uow.introductions.pipeline(B, status=ReferralStatus.REJECTED)
        globex_all = await uow.introductions.pipeline(B)
    assert pending == {A: 1, B: 0}
    assert [e.introduction_id for e in acme_rejected.items] == ["intro-1", "intro-2"]
    assert [e.introduction_id for e in globex_rejected.items] == ["intro-1"]
    assert [(e.introduction_id, e.application_id) for e in globex_all.items] == [("intro-1", "a-1")]


async def test_the_inbox_keeps_the_same_delivery_id_apart_per_tenant_and_erases_per_tenant(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    acme = b.delivery(tenant_id=A, delivery_id="d-1", subject_id="c-1")
    globex = b.delivery(tenant_id=B, delivery_id="d-1", subject_id="c-1")
    async with uow_factory() as uow:
        assert await uow.inbox.add(acme) is True
        assert await uow.inbox.add(globex) is True
        assert await uow.inbox.add(replace(globex, id="another")) is False
        await uow.inbox.mark(acme.id, InboxState.PROCESSED, at=b.T0, subject_id="c-1")
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.inbox.get(B, acme.id) is None
        assert await uow.inbox.get(A, globex.id) is None
        assert await uow.inbox.erase_subject(A, "c-1") == 1
        await uow.commit()
    async with uow_factory() as uow:
        acme_after = await uow.inbox.get(A, acme.id)
        globex_after = await uow.inbox.get(B, globex.id)
    assert acme_after is not None and acme_after.body is None
    assert acme_after.state is InboxState.PROCESSED
    assert globex_after == globex


async def test_outbox_items_of_the_same_key_are_claimed_listed_and_replayed_per_tenant(
    uow_factory: SqlUnitOfWorkFactory, work_queue: SqlWorkQueue
) -> None:
    acme, globex = b.outbound(tenant_id=A), b.outbound(tenant_id=B)
    async with uow_factory() as uow:
        await uow.outbox.add(acme)
        await uow.outbox.add(globex)
        await uow.commit()

    # The same ordering key in two tenants is two keys: neither holds the other back.
    claimed = await work_queue.claim_outbox(worker_id="w", now=b.T0, lease=LEASE, limit=10)
    assert sorted(i.tenant_id for i in claimed) == [A, B]
    await work_queue.park_outbox(acme.id, worker_id="w", error="410 gone", now=b.T0)
    await work_queue.complete_outbox(globex.id, worker_id="w", now=b.T0)

    assert await work_queue.replay(B, acme.id, now=b.T0) is False
    listed = {t: (await work_queue.deliveries(t)).items for t in (A, B)}
    assert [(r.id, r.state) for r in listed[A]] == [(acme.id, "dead")]
    assert [(r.id, r.state) for r in listed[B]] == [(globex.id, "done")]
    assert await work_queue.replay(A, acme.id, now=b.T0) is True


async def test_deleting_one_tenant_leaves_every_row_of_the_other(
    uow_factory: SqlUnitOfWorkFactory, work_queue: SqlWorkQueue
) -> None:
    await _two_tenants(uow_factory)
    async with uow_factory() as uow:
        for tenant_id in (A, B):
            await uow.inbox.add(b.delivery(tenant_id=tenant_id, delivery_id="d-1"))
            await uow.outbox.add(b.outbound(tenant_id=tenant_id))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.tenants.delete(A) is True
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.tenants.list_ids() == [B]
        assert await uow.tenants.get(B) == b.tenant(B, secret=B)
        assert await uow.jobs.get(B, "j-1") is not None
        globex = await uow.introductions.by_application(B, "a-1")
        assert globex is not None and globex.message == f"from {B}"
        assert await uow.introductions.linked_application_ids(B) == ["a-1"]
        assert await uow.jobs.get(A, "j-1") is None
    assert {r.direction for r in (await work_queue.deliveries(B)).items} == {"in", "out"}
    assert (await work_queue.deliveries(A)).items == []
