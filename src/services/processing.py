"""Processing one stored inbox delivery: read it, and hand what it asks for to the message bus.

Handlers are idempotent (on the introduction id, on the ATS evidence, on job contents), so a crash
between a handler's commit and the worker's marking the delivery processed is harmless: the delivery is
claimed again and its handlers find the work already done.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

import structlog

from intrro_gateway.domain.commands import (
    AcceptIntroduction,
    ApplyAtsSignal,
    Command,
    ExportIntroduction,
    ImportJobs,
)
from intrro_gateway.domain.signals import (
    ApplicationDeleted,
    ApplicationSignal,
    AtsSignal,
    CandidateSignal,
)
from intrro_gateway.ports.ats_webhooks import (
    PING_KIND,
    AtsWebhookTranslator,
    MalformedWebhookError,
    Translation,
)
from intrro_gateway.ports.referral_events import InvalidEventError, NotJsonError
from intrro_gateway.ports.unit_of_work import InboundDelivery, InboxMark, InboxState, UnitOfWork
from intrro_gateway.services.deps import Dependencies
from intrro_gateway.services.errors import PermanentError
from intrro_gateway.services.handlers.signals import apply_signals_together

logger = structlog.get_logger(__name__)

PROCESSED = "processed"
IGNORED = "ignored"


class CommandBus(Protocol):
    """What processing needs of the message bus: one command in, its handler's result out."""

    async def handle(self, command: Command) -> object:
        """Run the command's one handler; its errors propagate."""
        ...


@runtime_checkable
class SignalBus(CommandBus, Protocol):
    """A bus that says whether `ApplyAtsSignal` goes to the standard handler, so that
    `process_together` may apply several signals at once without it."""

    applies_signals_together: bool


@dataclass(frozen=True, slots=True)
class Processed:
    """How processing a delivery ended, and the ATS candidate it was about (for erasure)."""

    outcome: str  # "processed" | "ignored"
    subject_id: str | None = None


async def process_delivery(deps: Dependencies, bus: CommandBus, delivery: InboundDelivery) -> str:
    """Process one delivery; returns "processed" or "ignored".

    Raises PermanentError for a body that can never be processed, DeferredError when a handler must
    wait, and the ports' errors (ATS, storage) for the worker to retry.
    """
    return (await process(deps, bus, delivery)).outcome


@dataclass(slots=True)
class Arrivals:
    """Web hook health noted while a batch runs, recorded once per tenant when it ends.

    Per tenant: the newest receipt of a signed ATS delivery, and of a ping (see `_record_webhook`).
    """

    webhooks: dict[str, datetime] = field(default_factory=dict)
    pings: dict[str, datetime] = field(default_factory=dict)

    def note(self, delivery: InboundDelivery, *, ping: bool) -> None:
        """Note that this delivery arrived."""
        seen = self.pings if ping else self.webhooks
        known = seen.get(delivery.tenant_id)
        if known is None or delivery.received_at > known:
            seen[delivery.tenant_id] = delivery.received_at


async def process(
    deps: Dependencies,
    bus: CommandBus,
    delivery: InboundDelivery,
    arrivals: Arrivals | None = None,
) -> Processed:
    """Process one delivery, with the `tenant` and `delivery_id` log context bound while it runs.

    With `arrivals`, the web hook health is only noted there, for `record_arrivals` to store once
    for the whole batch; without, it is recorded in a unit of work of its own.
    """
    with structlog.contextvars.bound_contextvars(
        tenant=delivery.tenant_id, delivery_id=delivery.id
    ):
        if delivery.body is None:
            raise PermanentError("the delivery's body was purged; it cannot be processed")
        if delivery.source == deps.events_in.source:
            return await _process_referral_event(deps, bus, delivery, delivery.body)
        ats = deps.registry.by_source(delivery.source)
        if ats is not None:
            return await _process_ats_webhook(
                deps, bus, delivery, ats.translator, delivery.body, arrivals
            )
        raise PermanentError(f"unknown delivery source {delivery.source!r}")


async def _process_ats_webhook(
    deps: Dependencies,
    bus: CommandBus,
    delivery: InboundDelivery,
    translator: AtsWebhookTranslator,
    body: bytes,
    arrivals: Arrivals | None,
) -> Processed:
    if delivery.kind == PING_KIND:  # stored without its body: nothing to translate
        if arrivals is None:
            await _record_webhook(deps, delivery.tenant_id, delivery.received_at, ping=True)
        else:
            arrivals.note(delivery, ping=True)
        logger.info("webhook.ping")
        return Processed(PROCESSED)
    try:
        translation = translator.translate(body)
    except MalformedWebhookError as exc:
        raise PermanentError(f"malformed web hook: {exc}") from exc
    if arrivals is None:
        await _record_webhook(deps, delivery.tenant_id, delivery.received_at, ping=translation.ping)
    else:
        arrivals.note(delivery, ping=translation.ping)
    if translation.ping:
        logger.info("webhook.ping")
        return Processed(PROCESSED)
    commands = _commands_of(delivery.tenant_id, translation)
    for command in commands:
        await bus.handle(command)
    outcome = PROCESSED if commands else IGNORED
    logger.info("webhook.processed", action=translation.action, outcome=outcome)
    return Processed(outcome, subject_id=_subject_of(translation.signals))


async def process_together(
    deps: Dependencies,
    bus: CommandBus,
    deliveries: Sequence[InboundDelivery],
) -> list[InboundDelivery]:
    """Process, in one unit of work per tenant, the deliveries that each carry one ATS signal about
    an application (the bulk of the traffic: stage changes, rejections, hires), and mark them
    processed, and the tenant's web hook health, in that same unit; returns the deliveries left to
    `process`, in their order.

    Left: every other kind of delivery, those the signal handler settles only on its own (see
    `apply_signals_together`), and all of a tenant's when its unit of work fails (a lost
    optimistic-lock race, storage): `process` then retries and settles each as it always does.
    The deliveries must be of distinct ordering keys.
    """
    if not (isinstance(bus, SignalBus) and bus.applies_signals_together):
        return list(deliveries)
    settled: set[str] = set()
    by_tenant: dict[str, list[_Entry]] = {}
    for delivery in deliveries:
        entry = _one_application_signal(deps, delivery)
        if entry is not None:
            by_tenant.setdefault(delivery.tenant_id, []).append(entry)
    for tenant_id, entries in by_tenant.items():
        with structlog.contextvars.bound_contextvars(tenant=tenant_id):
            settled |= await _together(deps, tenant_id, entries)
    return [d for d in deliveries if d.id not in settled]


async def _together(
    deps: Dependencies,
    tenant_id: str,
    entries: list[_Entry],
) -> set[str]:
    signals = [entry.signal for entry in entries]

    async def finish(uow: UnitOfWork, positions: Sequence[int]) -> None:
        marks = [
            InboxMark(
                entries[n].delivery.id,
                InboxState.PROCESSED,
                subject_id=_subject_of((entries[n].signal,)),
            )
            for n in positions
        ]
        await uow.inbox.mark_many(marks, at=deps.clock.now())
        if positions:  # the web hook health, last: the tenant's row is locked until the commit
            newest = max(entries[n].delivery.received_at for n in positions)
            await uow.tenants.note_webhook(tenant_id, newest)

    try:
        outcomes = await apply_signals_together(tenant_id, signals, deps, finish)
    except Exception as exc:
        # Nothing was committed: each delivery goes through `process` (which retries a lost race).
        logger.info("webhook.one_by_one", deliveries=len(entries), reason=type(exc).__name__)
        return set()
    settled = set()
    for entry, outcome in zip(entries, outcomes, strict=True):
        if outcome is None:
            continue
        settled.add(entry.delivery.id)  # its web hook health is recorded with it
        logger.info(
            "webhook.processed",
            delivery_id=entry.delivery.id,
            action=entry.action,
            outcome=PROCESSED,
        )
    return settled


@dataclass(frozen=True, slots=True)
class _Entry:
    delivery: InboundDelivery
    action: str
    signal: ApplicationSignal


def _one_application_signal(deps: Dependencies, delivery: InboundDelivery) -> _Entry | None:
    """The translation of an ATS delivery that carries exactly one signal about an application
    (not its deletion) and nothing else; None for any other delivery (or one that fails)."""
    if delivery.body is None or delivery.kind == PING_KIND:
        return None
    if delivery.source == deps.events_in.source:
        return None
    ats = deps.registry.by_source(delivery.source)
    if ats is None:
        return None
    try:
        translation = ats.translator.translate(delivery.body)
    except Exception:
        return None  # `process` says what is wrong with it
    jobs = translation.jobs
    if (
        translation.ping
        or translation.ignored
        or len(translation.signals) != 1
        or (jobs is not None and (jobs.job_ids or jobs.deleted_job_ids or jobs.full_resync))
    ):
        return None
    signal = translation.signals[0]
    if not isinstance(signal, ApplicationSignal) or isinstance(signal, ApplicationDeleted):
        return None
    return _Entry(delivery, translation.action, signal)


def _commands_of(tenant_id: str, translation: Translation) -> list[Command]:
    if translation.ignored:
        return []
    commands: list[Command] = [
        ApplyAtsSignal(tenant_id=tenant_id, signal=signal) for signal in translation.signals
    ]
    jobs = translation.jobs
    if jobs is not None and (jobs.job_ids or jobs.deleted_job_ids or jobs.full_resync):
        commands.append(
            ImportJobs(
                tenant_id=tenant_id,
                full=jobs.full_resync,
                job_ids=jobs.job_ids,
                deleted_job_ids=jobs.deleted_job_ids,
            )
        )
    return commands


def _subject_of(signals: tuple[AtsSignal, ...]) -> str | None:
    for signal in signals:
        if isinstance(signal, CandidateSignal):
            return signal.candidate_id
        if isinstance(signal, ApplicationSignal) and signal.candidate_id:
            return signal.candidate_id
    return None


async def record_arrivals(deps: Dependencies, arrivals: Arrivals) -> None:
    """Store the web hook health noted during a batch: one unit of work per tenant."""
    for tenant_id in sorted(arrivals.webhooks.keys() | arrivals.pings.keys()):
        webhook, ping = arrivals.webhooks.get(tenant_id), arrivals.pings.get(tenant_id)
        try:
            await _record_health(deps, tenant_id, webhook=webhook, ping=ping)
        except PermanentError:
            continue  # the tenant is gone; its deliveries' handlers say so
    arrivals.webhooks.clear()
    arrivals.pings.clear()


async def _record_webhook(
    deps: Dependencies, tenant_id: str, received: datetime, *, ping: bool
) -> None:
    """Note for the tenant's web hook health that a signed delivery, or a ping, arrived.

    The time recorded is when the delivery was received, not when it is processed, so a delivery
    retried for hours does not make silent web hooks look alive; an older delivery moves nothing back.
    """
    if ping:
        await _record_health(deps, tenant_id, webhook=None, ping=received)
    else:
        await _record_health(deps, tenant_id, webhook=received, ping=None)


async def _record_health(
    deps: Dependencies, tenant_id: str, *, webhook: datetime | None, ping: datetime | None
) -> None:
    async with deps.uow() as uow:
        # In place, each moved only forward: a concurrent change to the rest of the tenant stays.
        exists = True
        # A ping is accepted unsigned (the contract answers it 200 either way), so it only
        # proves a web hook was saved in the ATS: it must not clear the silence flag.
        if ping is not None:
            exists = await uow.tenants.note_ping(tenant_id, ping)
        if exists and webhook is not None:
            exists = await uow.tenants.note_webhook(tenant_id, webhook)
        if not exists:
            raise PermanentError(f"tenant {tenant_id!r} no longer exists")
        await uow.commit()


async def _process_referral_event(
    deps: Dependencies, bus: CommandBus, delivery: InboundDelivery, body: bytes
) -> Processed:
    try:
        parsed = deps.events_in.parse(delivery.tenant_id, body)
    except (NotJsonError, InvalidEventError) as exc:
        raise PermanentError(f"malformed event: {exc}") from exc
    command = parsed.command
    if command is None:
        logger.info("event.ignored", type=parsed.type)
        return Processed(IGNORED)
    await bus.handle(command)
    if isinstance(command, AcceptIntroduction):
        # The export is its own command so that a failed export retries without re-accepting.
        await bus.handle(
            ExportIntroduction(tenant_id=command.tenant_id, introduction_id=command.introduction_id)
        )
    logger.info("event.processed", type=parsed.type)
    return Processed(PROCESSED)
