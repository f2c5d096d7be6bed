"""A process-level test worker over the SQL work queue, for the race, kill and poison tests.

Each payload names what processing does: `ok` records an effect and settles the item; `hang_first` hangs
on its first attempt (the test kills the process there); `crash` kills its own process every time. The
worker counts attempts against `--max-attempts` and parks an item past the budget, as the real worker does.
Run as `python -m tests.integration.sql.worker_process URL WORKER_ID [options]`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, String, Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from intrro_gateway.adapters.sql.engine import create_engine
from intrro_gateway.adapters.sql.queue import SqlWorkQueue
from intrro_gateway.adapters.sql.tables import InboxRow, OutboxRow, table
from intrro_gateway.ports.unit_of_work import InboxState

EFFECTS = Table(
    "test_effects",
    MetaData(),
    Column("n", Integer, primary_key=True, autoincrement=True),
    Column("item_id", String(32), nullable=False),
    Column("worker", String, nullable=False),
    Column("ordering_key", String),
    Column("sequence", Integer),
)

_INBOX, _OUTBOX = table(InboxRow), table(OutboxRow)


def _now() -> datetime:
    return datetime.now(UTC)


async def _open_work(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        outs = await conn.scalar(
            select(func.count()).where(_OUTBOX.c.state.in_(("pending", "leased")))
        )
        ins = await conn.scalar(select(func.count()).where(_INBOX.c.state == "received"))
    return int(outs or 0) + int(ins or 0)


def _act(action: str, attempts: int, item_id: str, hang_file: Path | None) -> None:
    if action == "crash":
        os.kill(os.getpid(), signal.SIGKILL)
    if action == "hang_first" and attempts == 1:
        if hang_file is not None:
            hang_file.write_text(item_id)
        signal.pause()  # until the test kills this process


async def _record(
    engine: AsyncEngine, item_id: str, worker: str, key: str | None, seq: int
) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            EFFECTS.insert().values(item_id=item_id, worker=worker, ordering_key=key, sequence=seq)
        )


async def run(args: argparse.Namespace) -> int:
    """Work until nothing is open (or the deadline passes); returns the exit status."""
    engine = create_engine(args.url)
    queue = SqlWorkQueue(engine)
    lease = timedelta(seconds=args.lease_s)
    worker = args.worker_id
    deadline = _now() + timedelta(seconds=args.deadline_s)
    try:
        while _now() < deadline:
            outs = await queue.claim_outbox(
                worker_id=worker, now=_now(), lease=lease, limit=args.limit
            )
            for item in outs:
                if item.attempts > args.max_attempts:
                    await queue.park_outbox(item.id, worker_id=worker, error="budget", now=_now())
                    continue
                _act(str(item.payload.get("action", "ok")), item.attempts, item.id, args.hang_file)
                await _record(engine, item.id, worker, item.ordering_key, item.sequence)
                await queue.complete_outbox(item.id, worker_id=worker, now=_now())
            ins = await queue.claim_inbox(
                worker_id=worker, now=_now(), lease=lease, limit=args.limit
            )
            for delivery in ins:
                if delivery.attempts > args.max_attempts:
                    await queue.park_inbox(
                        delivery.id, worker_id=worker, error="budget", now=_now()
                    )
                    continue
                action = (delivery.body or b"ok").decode()
                _act(action, delivery.attempts, delivery.id, args.hang_file)
                async with engine.begin() as conn:  # the effect and the settlement, one transaction
                    await conn.execute(
                        EFFECTS.insert().values(
                            item_id=delivery.id,
                            worker=worker,
                            ordering_key=delivery.ordering_key,
                            sequence=None,
                        )
                    )
                    await conn.execute(
                        _INBOX.update()
                        .where(_INBOX.c.id == delivery.id, _INBOX.c.lease_owner == worker)
                        .values(
                            state=str(InboxState.PROCESSED), processed_at=_now(), lease_owner=None
                        )
                    )
            if not outs and not ins:
                if await _open_work(engine) == 0:
                    return 0
                await asyncio.sleep(0.05)
        return 3
    finally:
        await engine.dispose()


def main(argv: list[str]) -> int:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("worker_id")
    parser.add_argument("--lease-s", type=float, default=30.0)
    parser.add_argument("--limit", type=int, default=10)
    parser.add_argument("--max-attempts", type=int, default=5)
    parser.add_argument("--deadline-s", type=float, default=120.0)
    parser.add_argument("--hang-file", type=Path, default=None)
    return asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
