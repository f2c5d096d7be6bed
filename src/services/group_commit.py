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
import contextlib
import weakref
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

from intrro_gateway.ports.unit_of_work import (
    InboundDelivery,
    InboxBatches,
    InboxWriter,
    UnitOfWorkFactory,
)

MAX_BATCH = 256


@dataclass(slots=True)
class _Batching:
    """One event loop's deliveries waiting for the next batch, and the batch being written."""

    waiting: list[tuple[InboundDelivery, asyncio.Future[bool]]] = field(default_factory=list)
    task: asyncio.Task[None] | None = None  # held, so that it is not collected mid-write


class GroupCommit:
    """Stores inbox deliveries durably, concurrent ones in one shared commit (through `writer`, else
    through units of work)."""

    def __init__(self, writer: InboxWriter | None = None, max_batch: int = MAX_BATCH) -> None:
        self._writer = writer
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
            writer = self._writer if self._writer is not None else UnitsOfWorkWriter(uow)
            batching.task = loop.create_task(self._write_all(writer, batching))
        return await done

    def _take(self, batching: _Batching) -> list[tuple[InboundDelivery, asyncio.Future[bool]]]:
        batch = batching.waiting[: self._max_batch]
        del batching.waiting[: self._max_batch]
        return batch

    async def _write_all(self, writer: InboxWriter, batching: _Batching) -> None:
        """Write batches until nobody waits: one run (one held connection) while they follow each
        other; a failure fails the batch in hand only, and the next batch starts a new run."""
        try:
            while batching.waiting:
                batch = self._take(batching)
                try:
                    async with writer.batches() as run:
                        while True:
                            stored = await run.add_committed([d for d, _ in batch])
                            for (_, done), new in zip(batch, stored, strict=True):
                                if not done.done():
                                    done.set_result(new)
                            if not batching.waiting:
                                break
                            batch = self._take(batching)
                except Exception as exc:
                    _fail(batch, exc)
                except BaseException as exc:
                    _fail(batch, exc)
                    raise
        finally:
            batching.task = None


class UnitsOfWorkWriter:
    """`InboxWriter` through units of work: each batch `inbox.add_many` and a commit."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    @contextlib.asynccontextmanager
    async def batches(self) -> AsyncIterator[InboxBatches]:
        """Nothing is held between batches."""
        yield self

    async def add_committed(self, deliveries: Sequence[InboundDelivery]) -> list[bool]:
        """One unit of work, committed."""
        async with self._uow() as unit:
            stored = await unit.inbox.add_many(deliveries)
            await unit.commit()
        return stored


def _fail(batch: list[tuple[InboundDelivery, asyncio.Future[bool]]], exc: BaseException) -> None:
    for _, done in batch:
        if not done.done():
            done.set_exception(exc)
