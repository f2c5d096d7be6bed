"""The use cases the console adds beside the API's views: counts by status, an introduction's
timeline with its pushes, replaying every dead item since a time, and the tenants a caller may see."""

from __future__ import annotations

from datetime import timedelta

import pytest

from intrro_gateway.domain.access import OPERATOR, Principal
from intrro_gateway.ports.unit_of_work import InboxState, OutboxState
from intrro_gateway.services.errors import InvalidInputError, NotFoundError
from intrro_gateway.services.inspection import (
    introduction_timeline,
    pipeline,
    pipeline_counts,
    replay_since,
)
from intrro_gateway.services.tenants import list_tenants
from tests.unit.services.runtime_harness import make_runtime
from tests.unit.services.test_inspection import with_introductions


async def test_counts_name_every_status_and_count_each_linked_application() -> None:
    rt = with_introductions()

    counts = await pipeline_counts(rt.deps, "acme")

    assert counts["interviewing"] == 1
    assert counts["applied"] == 1
    assert sum(counts.values()) == 2
    assert counts["hired"] == 0
    with pytest.raises(NotFoundError):
        await pipeline_counts(rt.deps, "other")


async def test_the_pipeline_keeps_one_jobs_applications_when_asked() -> None:
    rt = with_introductions()

    view = await pipeline(rt.deps, "acme", None, None, "job-2")

    assert [a["application_id"] for a in view["applications"]] == ["app-job-2"]


async def test_a_timeline_orders_acceptance_status_changes_and_the_introductions_pushes() -> None:
    rt = with_introductions()
    rt.clock.advance(timedelta(hours=2))
    done = rt.queue_event("introduction.exported", key="intro-1")
    rt.store.outbox[done.id].state = OutboxState.DONE
    rt.store.outbox[done.id].attempts = 1
    rt.store.outbox[done.id].done_at = rt.clock.now()
    rt.clock.advance(timedelta(minutes=1))
    dead = rt.queue_event("application.status_changed", key="intro-1", sequence=2)
    rt.store.outbox[dead.id].state = OutboxState.DEAD
    rt.store.outbox[dead.id].attempts = 3
    rt.store.outbox[dead.id].last_error = "HTTP 410"
    rt.queue_event("application.status_changed", key="intro-2")  # another introduction's

    view = await introduction_timeline(rt.deps, "acme", "intro-1")

    whats = [e["what"] for e in view["timeline"]]
    assert whats[0] == "accepted"
    assert "job job-1: applied → interviewing" in whats
    assert whats[-2:] == ["push introduction.exported", "push application.status_changed"]
    pushed, parked = view["timeline"][-2:]
    assert pushed["detail"].startswith("answered 2xx at ")
    assert parked["detail"] == "dead after 3 attempt(s): HTTP 410"
    assert [e["at"] for e in view["timeline"]] == sorted(e["at"] for e in view["timeline"])


async def test_replay_since_replays_the_dead_items_created_from_then_on_only() -> None:
    rt = make_runtime()
    rt.add_tenant()
    old = rt.receive(b"{}")
    rt.store.inbox[old.id].state = InboxState.DEAD
    rt.clock.advance(timedelta(hours=1))
    since = rt.clock.now()
    newer_in = rt.receive(b"{}")
    rt.store.inbox[newer_in.id].state = InboxState.DEAD
    newer_out = rt.queue_event()
    rt.store.outbox[newer_out.id].state = OutboxState.DEAD
    alive = rt.queue_event(key="intro-2")

    assert await replay_since(rt.deps, "acme", since) == 2
    assert rt.store.inbox[old.id].state is InboxState.DEAD
    assert rt.store.inbox[newer_in.id].state is InboxState.RECEIVED
    assert rt.store.outbox[newer_out.id].state is OutboxState.PENDING
    assert rt.store.outbox[alive.id].state is OutboxState.PENDING
    assert await replay_since(rt.deps, "acme", since) == 0
    with pytest.raises(InvalidInputError):
        await replay_since(rt.deps, "acme", since.replace(tzinfo=None))
    with pytest.raises(NotFoundError):
        await replay_since(rt.deps, "other", since)


async def test_an_operator_sees_every_tenant_and_a_tenant_token_its_own() -> None:
    rt = make_runtime()
    rt.add_tenant("acme")
    rt.add_tenant("globex")

    everyone = await list_tenants(rt.deps, OPERATOR)
    own = await list_tenants(rt.deps, Principal(tenant_id="globex", token_id="t1"))

    assert sorted(t.id for t in everyone) == ["acme", "globex"]
    assert [t.id for t in own] == ["globex"]
