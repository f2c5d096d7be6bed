"""The ingress's group commit: concurrent deliveries share a commit, and each learns its own fate."""

from __future__ import annotations

import asyncio

import pytest

from intrro_gateway.ports.unit_of_work import InboundDelivery, StorageUnavailableError
from intrro_gateway.services.ingress import record_delivery
from tests.unit.services.runtime_harness import Runtime, make_runtime


def _deliveries(rt: Runtime, count: int, *, same_id: bool = False) -> list[InboundDelivery]:
    out = []
    for n in range(count):
        delivery = rt.receive(f'{{"n": {n}}}'.encode())
        del rt.store.inbox[delivery.id]  # received, not yet stored
        if same_id:
            delivery.delivery_id = "same"
        out.append(delivery)
    return out


async def test_concurrent_deliveries_share_a_commit_and_are_all_stored() -> None:
    rt = make_runtime()
    deliveries = _deliveries(rt, 20)

    results = await asyncio.gather(*(record_delivery(rt.deps, d) for d in deliveries))

    assert results == [True] * 20
    assert set(rt.store.inbox) == {d.id for d in deliveries}
    assert 1 <= rt.uow.commits < 20


async def test_a_repeated_delivery_in_one_batch_is_stored_once() -> None:
    rt = make_runtime()
    first, again = _deliveries(rt, 2, same_id=True)

    results = await asyncio.gather(record_delivery(rt.deps, first), record_delivery(rt.deps, again))

    assert results == [True, False]
    assert list(rt.store.inbox) == [first.id]


async def test_a_commit_that_fails_fails_every_delivery_of_its_batch_and_the_next_batch_goes_on() -> (
    None
):
    rt = make_runtime()
    batch = _deliveries(rt, 3)
    rt.uow.fail_commits = 1

    results = await asyncio.gather(
        *(record_delivery(rt.deps, d) for d in batch), return_exceptions=True
    )

    assert all(isinstance(r, StorageUnavailableError) for r in results)
    assert rt.store.inbox == {}
    later = _deliveries(rt, 1)[0]
    assert await record_delivery(rt.deps, later) is True


async def test_a_caller_that_gives_up_leaves_the_others_their_answer() -> None:
    rt = make_runtime()
    impatient_delivery, patient_delivery = _deliveries(rt, 2)
    impatient = asyncio.create_task(record_delivery(rt.deps, impatient_delivery))
    patient = asyncio.create_task(record_delivery(rt.deps, patient_delivery))
    await asyncio.sleep(0)
    impatient.cancel()

    assert await patient is True
    with pytest.raises(asyncio.CancelledError):
        await impatient
