"""Processing one delivery: web hook signals and jobs, pings, Intrro events, malformed bodies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intrro_gateway.domain.commands import (
    AcceptIntroduction,
    ApplyAtsSignal,
    Command,
    ExportIntroduction,
    ImportJobs,
    WithdrawIntroduction,
)
from intrro_gateway.domain.signals import CandidateMerged, Hired
from intrro_gateway.ports.ats import AtsUnavailableError
from intrro_gateway.services.errors import PermanentError
from intrro_gateway.services.processing import process, process_delivery
from tests.fakes.webhooks import FakeEventReader, FakeTranslator
from tests.unit.services.runtime_harness import RecordingBus, Runtime, make_runtime

ACCEPTED = {
    "introduction_id": "intro-1",
    "candidate": {"first_name": "Ada", "last_name": "L", "emails": ["ada@example.com"]},
    "referrer": {"name": "Grace", "email": "grace@acme.test"},
    "job_ids": ["j1", "j2"],
    "message": None,
    "accepted_at": "2026-11-24T08:00:00+00:00",
}


def runtime() -> Runtime:
    rt = make_runtime()
    rt.add_tenant()
    return rt


async def test_every_signal_of_a_web_hook_goes_through_the_bus_in_order() -> None:
    rt = runtime()
    body = FakeTranslator.body(
        "merge_candidate",
        [
            {"type": "hired", "application_id": "a1", "candidate_id": "c1"},
            {"type": "candidate_merged", "candidate_id": "c1", "into": "c2"},
        ],
    )
    bus = RecordingBus()

    result = await process(rt.deps, bus, rt.receive(body))

    assert result.outcome == "processed"
    assert result.subject_id == "c1"
    assert bus.handled == [
        ApplyAtsSignal(tenant_id="acme", signal=Hired(application_id="a1", candidate_id="c1")),
        ApplyAtsSignal(
            tenant_id="acme", signal=CandidateMerged(candidate_id="c1", into_candidate_id="c2")
        ),
    ]


async def test_a_full_job_resync_asked_by_a_web_hook_is_a_full_import() -> None:
    rt = runtime()
    bus = RecordingBus()
    body = FakeTranslator.body("job_updated", jobs={"full": True})

    assert await process_delivery(rt.deps, bus, rt.receive(body)) == "processed"
    assert bus.handled == [ImportJobs(tenant_id="acme", full=True)]


async def test_a_web_hook_records_when_web_hooks_last_arrived_and_clears_silence() -> None:
    rt = runtime()
    rt.store.tenants["acme"].webhooks_silent = True
    delivery = rt.receive(FakeTranslator.body("interview_deleted"))
    rt.clock.advance(minutes=5)  # processed a while after it was received

    assert await process_delivery(rt.deps, RecordingBus(), delivery) == "ignored"

    tenant = rt.store.tenants["acme"]
    assert tenant.last_webhook_at == delivery.received_at
    assert tenant.webhooks_silent is False
    assert tenant.last_ping_at is None


async def test_an_older_delivery_does_not_move_the_last_web_hook_time_back() -> None:
    rt = runtime()
    older = rt.receive(FakeTranslator.body("interview_deleted"))
    rt.clock.advance(minutes=1)
    newer = rt.receive(FakeTranslator.body("interview_deleted"))

    await process_delivery(rt.deps, RecordingBus(), newer)
    await process_delivery(rt.deps, RecordingBus(), older)

    assert rt.store.tenants["acme"].last_webhook_at == newer.received_at


async def test_a_ping_is_recorded_for_the_tenant_and_nothing_else_happens() -> None:
    rt = runtime()
    bus = RecordingBus()
    delivery = rt.receive(FakeTranslator.body("ping"), kind="ping")

    assert await process_delivery(rt.deps, bus, delivery) == "processed"

    tenant = rt.store.tenants["acme"]
    assert tenant.last_ping_at == delivery.received_at
    assert tenant.last_webhook_at is None  # pings come unsigned: no proof that web hooks flow
    assert bus.handled == []


async def test_an_accepted_introduction_is_accepted_then_exported() -> None:
    rt = runtime()
    bus = RecordingBus()
    body = FakeEventReader.body("introduction.accepted", ACCEPTED)

    result = await process(rt.deps, bus, rt.receive(body, source="intrro"))

    assert result.outcome == "processed"
    assert [type(c) for c in bus.handled] == [AcceptIntroduction, ExportIntroduction]
    assert bus.handled[1] == ExportIntroduction(tenant_id="acme", introduction_id="intro-1")


async def test_a_withdrawal_goes_through_the_bus_alone() -> None:
    rt = runtime()
    bus = RecordingBus()
    data = {"introduction_id": "intro-1", "reason": None, "withdrawn_at": "2026-11-24T08:00:00Z"}
    body = FakeEventReader.body("introduction.withdrawn", data)

    await process_delivery(rt.deps, bus, rt.receive(body, source="intrro"))

    assert [type(c) for c in bus.handled] == [WithdrawIntroduction]


async def test_an_event_type_the_gateway_does_not_know_is_ignored() -> None:
    rt = runtime()
    bus = RecordingBus()
    body = FakeEventReader.body("referrer.rewarded", {"x": 1})

    assert await process_delivery(rt.deps, bus, rt.receive(body, source="intrro")) == "ignored"
    assert bus.handled == []


async def test_a_failed_export_propagates_for_the_worker_to_retry() -> None:
    rt = runtime()

    async def behaviour(command: Command) -> object:
        if isinstance(command, ExportIntroduction):
            raise AtsUnavailableError("503", status=503)
        return None

    body = FakeEventReader.body("introduction.accepted", ACCEPTED)
    with pytest.raises(AtsUnavailableError):
        await process(rt.deps, RecordingBus(behaviour=behaviour), rt.receive(body, source="intrro"))


@pytest.mark.parametrize(
    ("source", "body"),
    [
        ("greenhouse", b"not json"),
        ("greenhouse", b'{"signals": []}'),
        ("intrro", b"not json"),
        ("intrro", b'{"type": "introduction.accepted", "data": {"introduction_id": "x"}}'),
        ("carrier-pigeon", b"{}"),
    ],
)
async def test_a_body_that_can_never_be_read_is_a_permanent_error(source: str, body: bytes) -> None:
    rt = runtime()
    with pytest.raises(PermanentError):
        await process(rt.deps, RecordingBus(), rt.receive(body, source=source))


async def test_a_purged_body_is_a_permanent_error() -> None:
    rt = runtime()
    delivery = rt.receive(FakeTranslator.body("interview_deleted"))
    delivery.body = None
    with pytest.raises(PermanentError):
        await process(rt.deps, RecordingBus(), delivery)


async def test_a_web_hook_for_a_tenant_that_is_gone_is_a_permanent_error() -> None:
    rt = runtime()
    delivery = rt.receive(FakeTranslator.body("interview_deleted"), tenant_id="gone")
    with pytest.raises(PermanentError):
        await process(rt.deps, RecordingBus(), delivery)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60)
@given(body=st.binary(max_size=200), source=st.sampled_from(["greenhouse", "intrro"]))
async def test_any_body_is_processed_or_refused_as_permanent_never_crashes(
    body: bytes, source: str
) -> None:
    rt = runtime()
    rt.clock.advance(timedelta(seconds=1))
    try:
        outcome = await process_delivery(rt.deps, RecordingBus(), rt.receive(body, source=source))
    except PermanentError:
        return
    assert outcome in ("processed", "ignored")
