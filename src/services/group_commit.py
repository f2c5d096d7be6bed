"""Group commit for the ingress: concurrent deliveries share one unit of work and one durable commit.

Every accepted delivery must be durable before it is answered, and a durable commit costs an fsync
(SQLite, `synchronous=FULL`) or a WAL flush (PostgreSQL, `synchronous_commit=on`). One transaction per
request makes that flush the ceiling and, on SQLite, queues every request behind the one writer. Here a
request hands its delivery over and waits: if no batch is being written, a batch of one starts at once
(no added wait when idle); while a batch is being written, the deliveries that arrive meanwhile gather
and go together in the next one (`inbox.add_many`, one commit). Each waiter then learns whether its own
delivery was new, or gets the storage error (and answers 503): nobody is told "stored" before the commit
that holds their row.
"""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass, field

from intrro_gateway.ports.unit_of_work import InboundDelivery, UnitOfWorkFactory

MAX_BATCH = 256


@dataclass(slots=True)
class _Batching:
    """One event loop's deliveries waiting for the next batch, and the batch being written."""

    waiting: list[tuple[InboundDelivery, asyncio.Future[bool]]] = field(default_factory=list)
    task: asyncio.Task[None] | None = None  # held, so that it is not collected mid-write


class GroupCommit:
    """Stores inbox deliveries durably, concurrent ones in one shared commit."""

    def __init__(self, max_batch: int = MAX_BATCH) -> None:
        self._max_batch = max_batch
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Batching] = (
            weakref.WeakKeyDictionary()
        )

    async def add(self, uow: UnitOfWorkFactory, delivery: InboundDelivery) -> bool:
        """Store the delivery (see `InboxRepository.add`); returns whether it was new, once the
        commit that holds it is durable. Raises the storage error of its batch."""
        loop = asyncio.get_running_loop()
        batching = self._loops.get(loop)
        if batching is None:
            batching = self._loops[loop] = _Batching()
        done: asyncio.Future[bool] = loop.create_future()
        batching.waiting.append((delivery, done))
        if batching.task is None:
            # A task of its own: a caller that gives up (its deadline) does not stop the others.
            batching.task = loop.create_task(self._write_all(uow, batching))
        return await done

    async def _write_all(self, uow: UnitOfWorkFactory, batching: _Batching) -> None:
        try:
            while batching.waiting:
                batch = batching.waiting[: self._max_batch]
                del batching.waiting[: self._max_batch]
                try:
                    async with uow() as unit:
                        stored = await unit.inbox.add_many([d for d, _ in batch])
                        await unit.commit()
                except Exception as exc:
                    for _, done in batch:
                        if not done.done():
                            done.set_exception(exc)
                    continue
                except BaseException as exc:
                    for _, done in batch:
                        if not done.done():
                            done.set_exception(exc)
                    raise
                for (_, done), new in zip(batch, stored, strict=True):
                    if not done.done():
                        done.set_result(new)
        finally:
            batching.task = None
