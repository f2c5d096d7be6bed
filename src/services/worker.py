"""The worker: claims inbox and outbox items under a lease, runs them, and settles each one.

Settling rules:

- inbox: processed or ignored -> marked in a unit of work; DeferredError -> given back untried (the
  queue's `defer_inbox` returns the attempt counted at claim) no sooner than `defer_delay`; the
  handlers bound their own waits, and a delivery still deferred past the retry horizon is parked
  dead; PermanentError and unreadable bodies ->
  parked dead at once; anything else (ATS down, lost optimistic-lock races, storage, bugs) -> retried
  with backoff, parked dead once the budget is spent.
- outbox: pushed to the tenant's Intrro callback -> complete; PushRefusedError -> dead at once;
  PushFailedError and anything else -> retried with backoff (Retry-After honoured), dead after the
  horizon. A tenant without a callback URL yet is retried the same way: the event waits (within the
  budget) for an operator to set the URL, and is replayable when it ran out.

Items of one ordering key never run concurrently: the queue hands out one item per key, and the worker
runs the items of a batch that share a key one after the other.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

import structlog

from intrro_gateway.domain.tenant import Tenant
from intrro_gateway.ports.ats import AtsUnavailableError
from intrro_gateway.ports.ats_webhooks import MalformedWebhookError
from intrro_gateway.ports.referral_events import InvalidEventError, NotJsonError
from intrro_gateway.ports.referral_platform import (
    OutboundMessage,
    PushFailedError,
    PushRefusedError,
    PushTarget,
)
from intrro_gateway.ports.unit_of_work import (
    InboundDelivery,
    InboxState,
    OutboundItem,
    StorageError,
)
from intrro_gateway.services.backoff import RetryDecision, next_attempt
from intrro_gateway.services.deps import Dependencies
from intrro_gateway.services.errors import DeferredError, PermanentError
from intrro_gateway.services.processing import (
    IGNORED,
    Arrivals,
    CommandBus,
    Processed,
    process,
    process_together,
    record_arrivals,
)

logger = structlog.get_logger(__name__)

_T = TypeVar("_T")

_PERMANENT = (PermanentError, MalformedWebhookError, InvalidEventError, NotJsonError)


class MissingCallbackError(Exception):
    """Raised (and settled by a retry) when a tenant has no Intrro callback URL to push to yet."""


class TenantGoneError(Exception):
    """Raised (and settled by parking dead) when an outbound item's tenant no longer exists."""


_ROUTINE = (AtsUnavailableError, PushFailedError, StorageError, MissingCallbackError)


class Worker:
    """Runs the inbox and the outbox for one worker id."""

    def __init__(self, deps: Dependencies, bus: CommandBus, worker_id: str) -> None:
        self.deps = deps
        self.bus = bus
        self.worker_id = worker_id
        self._stop: asyncio.Event | None = None
        # The next inbox claim's size: the batch size, grown while whole batches go together.
        self._inbox_limit = deps.settings.batch_size
        # The next outbox claim's size: the batch size, grown while whole batches are pushed.
        self._outbox_limit = deps.settings.batch_size
        self.polled_at: datetime | None = None  # when the loop last polled (for health checks)

    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set; the items in hand are finished, the rest of the batch released.

        Idle, it waits for the process's wakeup (rung by any commit that queues work, here or, through
        the relay, in another process) or for the poll interval, a safety net for retries coming due.
        """
        self._stop = stop
        failures = 0
        wakeup = self.deps.wakeup
        waiter = wakeup.waiter()
        try:
            async with wakeup.relaying():
                while not stop.is_set():
                    self.polled_at = self.deps.clock.now()
                    pause = self.deps.settings.poll_interval.total_seconds()
                    waiter.clear()
                    failed = False
                    try:
                        handled = await self.run_once()
                    except StorageError as exc:
                        # The database is down: one line per failed poll, no traceback, backing off.
                        failures += 1
                        pause = claim_backoff(self.deps.settings.poll_interval, failures)
                        logger.warning(
                            "worker.claim_failed",
                            worker=self.worker_id,
                            error=_describe(exc),
                            failures=failures,
                            retry_in_s=round(pause, 3),
                        )
                        handled, failed = 0, True
                    except Exception:
                        failures += 1
                        pause = claim_backoff(self.deps.settings.poll_interval, failures)
                        logger.exception("worker.claim_failed", worker=self.worker_id)
                        handled, failed = 0, True
                    else:
                        if failures:
                            logger.info(
                                "worker.claims_resumed", worker=self.worker_id, after=failures
                            )
                        failures = 0
                    if handled == 0 and not stop.is_set():
                        if failed:  # a wake-up would only fail again: wait out the backoff
                            with contextlib.suppress(TimeoutError):
                                await asyncio.wait_for(stop.wait(), pause)
                        else:
                            await waiter.wait(pause, stop)
        finally:
            waiter.close()
            self._stop = None
            try:
                released = await self.release()
            except Exception:
                # The leases run out on their own; the items are claimed again then.
                logger.exception("worker.release_failed", worker=self.worker_id)
            else:
                logger.info("worker.stopped", worker=self.worker_id, released=released)

    async def run_once(self) -> int:
        """Claim one batch of inbox items and one of outbox items and run them; returns how many ran.

        Per batch, not per item: the deliveries that each carry one application signal are applied
        together, marked and their web hook health recorded in one unit of work per tenant
        (`process_together`); the rest run one by one, are marked in one unit of work, and their
        web hook health is recorded once per tenant; each tenant's push target is read once, and
        the pushed items are completed in one statement. While whole inbox batches go together,
        the inbox claim grows (up to `TOGETHER_GROWTH` batches), and while whole outbox batches are
        pushed, the outbox claim (up to `OUTBOX_GROWTH`).
        """
        settings = self.deps.settings
        limit = self._inbox_limit
        inbound = await self.deps.queue.claim_inbox(
            worker_id=self.worker_id,
            now=self.deps.clock.now(),
            lease=settings.lease,
            limit=limit,
        )
        handled = 0
        if inbound:
            batch = _InboundBatch()
            keyed = [(item.ordering_key or f"in:{item.id}", item) for item in inbound]
            left = await self._run_together(keyed, batch)
            handled = len(keyed) - len(left)
            # A full batch settled whole: claim more at once next time (the fixed costs of a claim
            # and of a unit of work spread over more deliveries); anything left: back to the size.
            if left:
                self._inbox_limit = settings.batch_size
            elif len(inbound) >= limit:
                self._inbox_limit = min(2 * limit, TOGETHER_GROWTH * settings.batch_size)
            left = await self._give_back_beyond_batch(left)
            handled += await self._run_by_key(left, lambda item: self._run_inbound(item, batch))
            await self._finish_inbound(batch)
        if self._stopping():
            return handled
        out_limit = self._outbox_limit
        outbound = await self.deps.queue.claim_outbox(
            worker_id=self.worker_id,
            now=self.deps.clock.now(),
            lease=settings.lease,
            limit=out_limit,
        )
        if outbound:
            out_batch = _OutboundBatch(await self._targets({item.tenant_id for item in outbound}))
            handled += await self._run_by_key(
                [(item.ordering_key, item) for item in outbound],
                lambda item: self._run_outbound(item, out_batch),
            )
            await self._finish_outbound(out_batch)
            # A full batch pushed whole: claim more next time (the pushes of a batch run at once, so
            # a grown batch still ends within one push timeout, well inside the lease); any push
            # not made (refused, failed, stopped): back to the batch size.
            if len(out_batch.pushed) < len(outbound):
                self._outbox_limit = settings.batch_size
            elif len(outbound) >= out_limit:
                self._outbox_limit = min(2 * out_limit, OUTBOX_GROWTH * settings.batch_size)
        return handled

    async def release(self) -> int:
        """Give back every lease this worker holds; returns how many."""
        return await self.deps.queue.release(self.worker_id)

    # -- scheduling a batch --------------------------------------------------------------------

    async def _run_by_key(
        self, keyed: Sequence[tuple[str, _T]], run: Callable[[_T], Awaitable[None]]
    ) -> int:
        """Run items of different keys concurrently, those of one key one at a time, in order."""
        lanes: dict[str, list[_T]] = {}
        for key, item in keyed:
            lanes.setdefault(key, []).append(item)
        counts = await asyncio.gather(*(self._run_lane(items, run) for items in lanes.values()))
        return sum(counts)

    async def _run_lane(self, items: Sequence[_T], run: Callable[[_T], Awaitable[None]]) -> int:
        handled = 0
        for item in items:
            if self._stopping():
                break  # left leased: `release` gives it back
            await run(item)
            handled += 1
        return handled

    def _stopping(self) -> bool:
        return self._stop is not None and self._stop.is_set()

    # -- inbox ---------------------------------------------------------------------------------

    async def _run_together(
        self, keyed: Sequence[tuple[str, InboundDelivery]], batch: _InboundBatch
    ) -> list[tuple[str, InboundDelivery]]:
        """Process the deliveries that can go together (`process_together`) and are alone on their
        ordering key in this batch; returns the rest, to run one by one."""
        if self._stopping():
            return list(keyed)
        counts = Counter(key for key, _ in keyed)
        alone = [item for key, item in keyed if counts[key] == 1]
        if not alone:
            return list(keyed)
        try:
            left = await process_together(self.deps, self.bus, alone)
        except Exception:
            logger.exception("worker.together_failed", worker=self.worker_id)
            return list(keyed)
        settled = {item.id for item in alone} - {item.id for item in left}
        return [(key, item) for key, item in keyed if item.id not in settled]

    async def _give_back_beyond_batch(
        self, keyed: list[tuple[str, InboundDelivery]]
    ) -> list[tuple[str, InboundDelivery]]:
        """At most a batch runs one by one (each may take ATS calls within the lease): the
        deliveries of a grown claim beyond it are given back untried, the earliest kept."""
        size = self.deps.settings.batch_size
        if len(keyed) <= size:
            return keyed
        try:
            await self.deps.queue.release_inbox(
                [item.id for _, item in keyed[size:]], worker_id=self.worker_id
            )
        except Exception:
            logger.warning("worker.give_back_failed", worker=self.worker_id, exc_info=True)
            return keyed  # still held: run them all
        return keyed[:size]

    async def _run_inbound(self, item: InboundDelivery, batch: _InboundBatch) -> None:
        with structlog.contextvars.bound_contextvars(tenant=item.tenant_id, delivery_id=item.id):
            try:
                result = await process(self.deps, self.bus, item, batch.arrivals)
            except DeferredError as exc:
                await self._settle(self._defer_inbound(item, exc))
            except _PERMANENT as exc:
                await self._settle(self._park_inbound(item, _describe(exc)))
            except Exception as exc:
                await self._settle(self._retry_inbound(item, exc))
            else:
                batch.done.append((item, result))

    async def _finish_inbound(self, batch: _InboundBatch) -> None:
        """Mark the batch's processed deliveries in one unit, then record its web hook health."""
        if batch.done:
            try:
                async with self.deps.uow() as uow:
                    now = self.deps.clock.now()
                    for item, result in batch.done:
                        state = (
                            InboxState.IGNORED
                            if result.outcome == IGNORED
                            else InboxState.PROCESSED
                        )
                        await uow.inbox.mark(item.id, state, at=now, subject_id=result.subject_id)
                    await uow.commit()
            except Exception as exc:
                # The handlers' work is committed and idempotent: the deliveries are retried.
                for item, _ in batch.done:
                    await self._settle(self._retry_inbound(item, exc))
        try:
            await record_arrivals(self.deps, batch.arrivals)
        except Exception:
            # Only the health timestamps are late; the next delivery of the tenant records them.
            logger.exception("worker.health_not_recorded", worker=self.worker_id)

    async def _defer_inbound(self, item: InboundDelivery, exc: DeferredError) -> None:
        settings = self.deps.settings
        now = self.deps.clock.now()
        if now - item.received_at >= settings.retry_horizon:
            # Handlers bound their own waits (`defer_window`); this only stops a wait that never ends.
            await self._park_inbound(item, f"still waiting after {settings.retry_horizon}: {exc}")
            return
        not_before = max(exc.not_before, now + settings.defer_delay)
        logger.info("inbox.deferred", reason=exc.reason, not_before=not_before.isoformat())
        await self.deps.queue.defer_inbox(item.id, worker_id=self.worker_id, not_before=not_before)

    async def _park_inbound(self, item: InboundDelivery, error: str) -> None:
        logger.warning("inbox.dead", kind=item.kind, error=error)
        await self.deps.queue.park_inbox(
            item.id, worker_id=self.worker_id, error=error, now=self.deps.clock.now()
        )

    async def _retry_inbound(self, item: InboundDelivery, exc: Exception) -> None:
        error = _describe(exc)
        decision = self._next_attempt(exc, attempts=item.attempts, started_at=item.received_at)
        if decision.dead or decision.not_before is None:
            await self._park_inbound(item, f"{error} ({decision.reason})")
            return
        _log_failure("inbox.retry", exc, item.attempts, decision.not_before)
        await self.deps.queue.retry_inbox(
            item.id, worker_id=self.worker_id, not_before=decision.not_before, error=error
        )

    def _next_attempt(
        self, exc: Exception, *, attempts: int, started_at: datetime
    ) -> RetryDecision:
        """When to try an item again after `exc`, honouring the adapter's Retry-After; or dead."""
        retry_after = (
            exc.retry_after if isinstance(exc, AtsUnavailableError | PushFailedError) else None
        )
        return next_attempt(
            self.deps.settings,
            self.deps.rng,
            attempts=attempts,
            now=self.deps.clock.now(),
            started_at=started_at,
            retry_after=retry_after,
        )

    # -- outbox --------------------------------------------------------------------------------

    async def _targets(self, tenant_ids: set[str]) -> dict[str, Tenant | None]:
        """The tenants of an outbox batch, read once (an unreadable one is retried per item)."""
        try:
            async with self.deps.uow() as uow:
                return {tid: await uow.tenants.get(tid) for tid in sorted(tenant_ids)}
        except Exception:
            logger.warning("worker.targets_unreadable", worker=self.worker_id, exc_info=True)
            return {}

    async def _run_outbound(self, item: OutboundItem, batch: _OutboundBatch) -> None:
        with structlog.contextvars.bound_contextvars(tenant=item.tenant_id, delivery_id=item.id):
            try:
                await self._push(item, batch.tenants)
            except PushRefusedError as exc:
                await self._settle(self._park_outbound(item, _describe(exc)))
            except TenantGoneError as exc:
                await self._settle(self._park_outbound(item, str(exc)))
            except Exception as exc:
                await self._settle(self._retry_outbound(item, exc))
            else:
                logger.info("outbox.delivered", kind=item.kind, attempts=item.attempts)
                batch.pushed.append(item.id)

    async def _finish_outbound(self, batch: _OutboundBatch) -> None:
        """Complete the pushed items at once; if that fails, the leases run out and they are
        pushed again (Intrro deduplicates on the message id)."""
        await self._settle(
            self.deps.queue.complete_outbox_many(
                batch.pushed, worker_id=self.worker_id, now=self.deps.clock.now()
            )
        )

    async def _push(self, item: OutboundItem, tenants: dict[str, Tenant | None]) -> None:
        if item.tenant_id in tenants:
            tenant = tenants[item.tenant_id]
        else:
            async with self.deps.uow() as uow:
                tenant = await uow.tenants.get(item.tenant_id)
        if tenant is None:
            raise TenantGoneError(f"tenant {item.tenant_id!r} no longer exists")
        if not tenant.intrro_callback_url:
            raise MissingCallbackError(f"tenant {item.tenant_id!r} has no Intrro callback URL")
        await self.deps.platform.push(
            PushTarget(url=tenant.intrro_callback_url, secret=tenant.intrro_secret.current),
            OutboundMessage(
                message_id=item.id, type=item.kind, timestamp=item.created_at, data=item.payload
            ),
        )

    async def _park_outbound(self, item: OutboundItem, error: str) -> None:
        logger.warning("outbox.dead", kind=item.kind, error=error)
        await self.deps.queue.park_outbox(
            item.id, worker_id=self.worker_id, error=error, now=self.deps.clock.now()
        )

    async def _retry_outbound(self, item: OutboundItem, exc: Exception) -> None:
        error = _describe(exc)
        decision = self._next_attempt(exc, attempts=item.attempts, started_at=item.created_at)
        if decision.dead or decision.not_before is None:
            await self._park_outbound(item, f"{error} ({decision.reason})")
            return
        _log_failure("outbox.retry", exc, item.attempts, decision.not_before)
        await self.deps.queue.retry_outbox(
            item.id, worker_id=self.worker_id, not_before=decision.not_before, error=error
        )

    # -- settling ------------------------------------------------------------------------------

    async def _settle(self, settlement: Awaitable[None]) -> None:
        """Run a queue settlement; if it fails, the lease runs out and the item is claimed again."""
        try:
            await settlement
        except StorageError as exc:
            logger.warning("worker.settle_failed", worker=self.worker_id, error=_describe(exc))
        except Exception:
            logger.exception("worker.settle_failed", worker=self.worker_id)


CLAIM_BACKOFF_CAP_S = 5.0
TOGETHER_GROWTH = 5  # an inbox claim grows up to this many batches while batches go together whole
OUTBOX_GROWTH = 3  # an outbox claim grows up to this many batches while batches are pushed whole


def claim_backoff(poll_interval: timedelta, failures: int) -> float:
    """Seconds before polling again after `failures` failed polls in a row: doubling, capped."""
    base = poll_interval.total_seconds()
    return min(CLAIM_BACKOFF_CAP_S, base * 2.0 ** min(failures, 30))


@dataclass(slots=True)
class _InboundBatch:
    """What the items of an inbox batch leave to be settled together."""

    arrivals: Arrivals = field(default_factory=Arrivals)
    done: list[tuple[InboundDelivery, Processed]] = field(default_factory=list)


@dataclass(slots=True)
class _OutboundBatch:
    """The tenants an outbox batch pushes for, and the items pushed."""

    tenants: dict[str, Tenant | None]
    pushed: list[str] = field(default_factory=list)


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _log_failure(event: str, exc: Exception, attempts: int, not_before: datetime) -> None:
    # The other side or the database being unavailable is routine; anything else is a bug to see.
    expected = isinstance(exc, _ROUTINE)
    log = logger.warning if expected else logger.error
    log(
        event,
        error=_describe(exc),
        attempts=attempts,
        not_before=not_before.isoformat(),
        exc_info=not expected,
    )
