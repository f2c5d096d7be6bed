"""The repositories round-trip every domain object, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import timedelta

import pytest

from intrro_gateway.adapters.sql.uow import SqlUnitOfWorkFactory
from intrro_gateway.domain.jobs import JobStatus
from intrro_gateway.domain.status import ReferralStatus
from intrro_gateway.ports.unit_of_work import ConcurrencyError, InboundDelivery, InboxState
from tests.integration.sql import builders as b


async def test_a_tenant_with_its_connection_reads_back_equal(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    tenant = b.tenant()
    async with uow_factory() as uow:
        await uow.tenants.add(tenant)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.tenants.get("acme") == tenant
        assert await uow.tenants.get("nobody") is None


async def test_saving_a_tenant_stores_its_changes_and_a_dropped_connection(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        await uow.tenants.add(b.tenant())
        await uow.tenants.add(b.tenant("beta", connected=False))
        await uow.commit()
    changed = b.tenant().with_connection(None)
    changed.rotate("intrro", "whsec_newer", now=b.T0, grace=timedelta(hours=24))
    changed.next_jobs_sequence()
    async with uow_factory() as uow:
        await uow.tenants.save(changed)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.tenants.get("acme") == changed
        assert await uow.tenants.get("beta") == b.tenant("beta", connected=False)
        assert await uow.tenants.list_ids() == ["acme", "beta"]


async def test_a_job_with_posts_and_stages_reads_back_equal_and_unchanged_upserts_say_so(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    job = b.job()
    async with uow_factory() as uow:
        assert await uow.jobs.upsert("acme", job) is True
        assert await uow.jobs.upsert("acme", job) is False
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.jobs.get("acme", "j-1") == job
        retitled = replace(job, title="Staff engineer", stages=job.stages[:1])
        assert await uow.jobs.upsert("acme", retitled) is True
        assert await uow.jobs.get("acme", "j-1") == retitled


async def test_job_listing_filters_by_status_hides_templates_and_shows_deleted_only_to_readers_of_changes(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        await uow.jobs.upsert("acme", b.job("j-1"))
        await uow.jobs.upsert("acme", b.job("j-2", status=JobStatus.CLOSED))
        await uow.jobs.upsert("acme", b.job("j-3", is_template=True))
        await uow.jobs.upsert("acme", b.job("j-4", deleted=True, updated_at=b.T0 + timedelta(1)))
        await uow.commit()
    async with uow_factory() as uow:
        open_ids = [j.ats_id for j in (await uow.jobs.list("acme")).items]
        closed_ids = [j.ats_id for j in (await uow.jobs.list("acme", status="closed")).items]
        all_ids = [j.ats_id for j in (await uow.jobs.list("acme", status="all")).items]
        changed = await uow.jobs.list(
            "acme", status="all", updated_after=b.T0 - timedelta(days=400)
        )
    assert open_ids == ["j-1"]
    assert closed_ids == ["j-2"]
    assert all_ids == ["j-1", "j-2"]
    assert [(j.ats_id, j.deleted) for j in changed.items] == [
        ("j-1", False),
        ("j-2", False),
        ("j-4", True),
    ]


async def test_job_listing_pages_with_a_cursor_until_the_end(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        for n in range(5):
            await uow.jobs.upsert("acme", b.job(f"j-{n}"))
        await uow.commit()
    seen: list[str] = []
    cursor: str | None = None
    async with uow_factory() as uow:
        for _ in range(5):
            page = await uow.jobs.list("acme", cursor=cursor, limit=2)
            seen += [j.ats_id for j in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
    assert seen == [f"j-{n}" for n in range(5)]


async def test_an_introduction_with_links_history_and_journal_reads_back_equal(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    intro = b.introduction()
    async with uow_factory() as uow:
        await uow.introductions.add(intro)
        await uow.commit()
    async with uow_factory() as uow:
        loaded = await uow.introductions.get("acme", "intro-1")
    assert loaded is not None
    assert b.same_introduction(loaded, intro)
    assert loaded.links[0].history == intro.links[0].history
    assert loaded.journal.was_attempted("note")


async def test_the_ats_id_index_finds_introductions_by_application_and_candidate(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        await uow.introductions.add(b.introduction("intro-1", application_id="a-1"))
        await uow.introductions.add(b.introduction("intro-2", application_id="a-2"))
        await uow.commit()
    async with uow_factory() as uow:
        by_app = await uow.introductions.by_application("acme", "a-2")
        by_candidate = await uow.introductions.by_candidate("acme", "c-1")
        assert await uow.introductions.by_application("acme", "a-9") is None
        assert await uow.introductions.linked_application_ids("acme") == ["a-1", "a-2"]
    assert by_app is not None and by_app.introduction_id == "intro-2"
    assert [i.introduction_id for i in by_candidate] == ["intro-1", "intro-2"]


async def test_saving_moves_the_index_with_the_links(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.introductions.add(b.introduction())
        await uow.commit()
    async with uow_factory() as uow:
        intro = await uow.introductions.get("acme", "intro-1")
        assert intro is not None
        intro.relink_candidate("c-merged")
        intro.links[0].application_id = "a-new"
        await uow.introductions.save(intro)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.introductions.by_candidate("acme", "c-1") == []
        assert [i.introduction_id for i in await uow.introductions.by_candidate("acme", "c-merged")]
        assert await uow.introductions.by_application("acme", "a-1") is None
        moved = await uow.introductions.by_application("acme", "a-new")
    assert moved is not None and moved.version == 1


async def test_saving_a_stale_introduction_raises_a_concurrency_error(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        await uow.introductions.add(b.introduction())
        await uow.commit()
    async with uow_factory() as first:
        mine = await first.introductions.get("acme", "intro-1")
    async with uow_factory() as second:
        theirs = await second.introductions.get("acme", "intro-1")
        assert theirs is not None
        theirs.withdraw(at=b.T0)
        await second.introductions.save(theirs)
        await second.commit()
    assert mine is not None
    mine.erase_personal_data()
    async with uow_factory() as uow:
        with pytest.raises(ConcurrencyError):
            await uow.introductions.save(mine)
    async with uow_factory() as uow:
        stored = await uow.introductions.get("acme", "intro-1")
    assert stored is not None and stored.withdrawn_at == b.T0 and stored.version == 1
    assert stored.candidate.first_name == "Ada"


async def test_pending_exports_and_the_pipeline_by_status(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    pending = b.introduction("intro-0")
    pending.export_state = pending.export_state.PENDING
    async with uow_factory() as uow:
        await uow.introductions.add(pending)
        for n in (1, 2, 3):
            await uow.introductions.add(b.introduction(f"intro-{n}", application_id=f"a-{n}"))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.introductions.pending_exports("acme") == 1
        first = await uow.introductions.pipeline("acme", status=ReferralStatus.REJECTED, limit=3)
        assert first.next_cursor is not None
        rest = await uow.introductions.pipeline(
            "acme", status=ReferralStatus.REJECTED, cursor=first.next_cursor, limit=3
        )
        hired = await uow.introductions.pipeline("acme", status=ReferralStatus.HIRED)
    entries = [*first.items, *rest.items]
    assert [e.introduction_id for e in entries] == ["intro-0", "intro-1", "intro-2", "intro-3"]
    assert {e.stage_name for e in entries} == {"Phone screen"}
    assert rest.next_cursor is None
    assert hired.items == []


async def test_two_tenants_with_the_same_ats_ids_and_emails_never_see_each_others_rows(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        for tenant_id in ("acme", "beta"):
            await uow.tenants.add(b.tenant(tenant_id, secret=tenant_id))
            await uow.jobs.upsert(tenant_id, b.job("j-1", title=f"{tenant_id} job"))
            await uow.introductions.add(b.introduction("intro-1", tenant_id=tenant_id))
            await uow.inbox.add(b.delivery(tenant_id=tenant_id, delivery_id="d-1"))
        await uow.commit()
    async with uow_factory() as uow:
        acme_job = await uow.jobs.get("acme", "j-1")
        beta_intro = await uow.introductions.by_application("beta", "a-1")
        acme_by_candidate = await uow.introductions.by_candidate("acme", "c-1")
    assert acme_job is not None and acme_job.title == "acme job"
    assert beta_intro is not None and beta_intro.tenant_id == "beta"
    assert [i.tenant_id for i in acme_by_candidate] == ["acme"]


async def test_deleting_a_tenant_removes_every_row_it_owns_and_nothing_of_others(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        for tenant_id in ("acme", "beta"):
            await uow.tenants.add(b.tenant(tenant_id))
            await uow.jobs.upsert(tenant_id, b.job())
            await uow.introductions.add(b.introduction(tenant_id=tenant_id))
            await uow.inbox.add(b.delivery(tenant_id=tenant_id, delivery_id="d-1"))
            await uow.outbox.add(b.outbound(tenant_id=tenant_id))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.tenants.delete("acme") is True
        assert await uow.tenants.delete("acme") is False
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.tenants.get("acme") is None
        assert await uow.jobs.get("acme", "j-1") is None
        assert await uow.introductions.get("acme", "intro-1") is None
        assert await uow.introductions.by_candidate("acme", "c-1") == []
        assert await uow.tenants.get("beta") is not None
        assert await uow.jobs.get("beta", "j-1") is not None
        assert await uow.introductions.get("beta", "intro-1") is not None
    async with uow_factory() as uow:
        # The inbox key is free again for the deleted tenant, still taken for the other.
        assert await uow.inbox.add(b.delivery(tenant_id="acme", delivery_id="d-1")) is True
        assert await uow.inbox.add(b.delivery(tenant_id="beta", delivery_id="d-1")) is False


async def test_an_inbox_delivery_is_stored_once_per_tenant_source_and_delivery_id(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    first = b.delivery(delivery_id="d-1", body=b"\x00raw\xff")
    async with uow_factory() as uow:
        assert await uow.inbox.add(first) is True
        assert await uow.inbox.add(b.delivery(delivery_id="d-1")) is False
        assert await uow.inbox.add(replace(b.delivery(delivery_id="d-1"), source="intrro")) is True
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.inbox.get("acme", first.id) == first
        assert await uow.inbox.get("beta", first.id) is None


async def test_a_delivery_retried_under_a_new_id_is_found_by_its_body_hash(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    def sent(delivery_id: str, tenant_id: str = "acme", body: bytes = b"{}") -> InboundDelivery:
        digest = hashlib.sha256(body).hexdigest()
        return b.delivery(tenant_id=tenant_id, delivery_id=delivery_id, body=body, body_hash=digest)

    async with uow_factory() as uow:
        assert await uow.inbox.add(sent("d-1")) is True
        assert await uow.inbox.add(sent("d-2")) is False
        assert await uow.inbox.add(sent("d-3", tenant_id="beta")) is True
        assert await uow.inbox.add(sent("d-4", body=b"{ }")) is True
        await uow.commit()


async def test_marking_a_delivery_records_its_end_and_erasure_drops_the_bodies_of_a_subject(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    about = b.delivery(subject_id="cand-1")
    other = b.delivery()
    async with uow_factory() as uow:
        await uow.inbox.add(about)
        await uow.inbox.add(other)
        await uow.inbox.mark(other.id, InboxState.PROCESSED, at=b.T0, subject_id="cand-1")
        await uow.commit()
    async with uow_factory() as uow:
        marked = await uow.inbox.get("acme", other.id)
        assert marked is not None
        assert (marked.state, marked.processed_at, marked.subject_id) == (
            InboxState.PROCESSED,
            b.T0,
            "cand-1",
        )
        assert await uow.inbox.erase_subject("acme", "cand-1") == 2
        assert await uow.inbox.erase_subject("acme", "cand-1") == 0
        await uow.commit()
    async with uow_factory() as uow:
        erased = await uow.inbox.get("acme", about.id)
    assert erased is not None and erased.body is None
