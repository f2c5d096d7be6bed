"""The ingress use case: store an accepted delivery durably before it is answered."""

from __future__ import annotations

from intrro_gateway.ports.unit_of_work import InboundDelivery
from intrro_gateway.services.deps import Dependencies


async def record_delivery(deps: Dependencies, delivery: InboundDelivery) -> bool:
    """Store a delivery in the inbox in one committed unit of work; True when it was new.

    A delivery already stored (same tenant, source and delivery id) changes nothing. Storage errors
    propagate: the HTTP layer answers 503, never 200, when the delivery is not durable.
    """
    async with deps.uow() as uow:
        added = await uow.inbox.add(delivery)
        await uow.commit()
    return added
