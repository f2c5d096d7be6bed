"""Apply one ATS signal: move the linked application, or follow the person (merged, deleted, erased).

The ATS stays the truth: a signal that cannot be ordered against what was applied is settled by reading
the application as it is now. A signal about an application whose link is not committed yet (the export
is still running) is deferred; one about an application the gateway never made is ignored.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Sequence

import structlog

from intrro_gateway.domain.commands import ApplyAtsSignal
from intrro_gateway.domain.introduction import ExportState, Introduction, RemovalReason, Verdict
from intrro_gateway.domain.signals import (
    ApplicationDeleted,
    ApplicationSignal,
    ApplicationSnapshot,
    CandidateAnonymized,
    CandidateDeleted,
    CandidateMerged,
    CandidateProfileChanged,
    CandidateSignal,
)
from intrro_gateway.domain.tenant import Tenant
from intrro_gateway.ports.ats import AtsContext
from intrro_gateway.ports.unit_of_work import UnitOfWork
from intrro_gateway.services.deps import Dependencies
from intrro_gateway.services.errors import DeferredError
from intrro_gateway.services.handlers._common import (
    ats_context,
    job_stages,
    load_tenant,
    retry_on_conflict,
    save_and_announce,
)
from intrro_gateway.services.handlers._profiles import observe_candidate
from intrro_gateway.services.outbound import add_events

logger = structlog.get_logger(__name__)


class SignalOutcome(enum.StrEnum):
    """What applying a signal came to."""

    APPLIED = "applied"
    STALE = "stale"
    CLOSED = "closed"
    REREAD = "reread"  # settled by reading the application from the ATS
    IGNORED = "ignored"  # about nothing the gateway follows, or an echo


async def apply_ats_signal(cmd: ApplyAtsSignal, deps: Dependencies) -> SignalOutcome:
    """Apply the signal to whatever the gateway follows of it."""
    signal = cmd.signal
    if isinstance(signal, ApplicationSignal):
        return await _application(cmd.tenant_id, signal, deps)
    return await _candidate(cmd.tenant_id, signal, deps)


async def _application(
    tenant_id: str, signal: ApplicationSignal, deps: Dependencies
) -> SignalOutcome:
    if isinstance(signal, ApplicationDeleted) and await _owner_gone(
        tenant_id, signal.application_id, deps
    ):
        return SignalOutcome.IGNORED

    async def first_pass() -> Verdict:
        async with deps.uow() as uow:
            tenant = await load_tenant(uow, tenant_id)
            intro = await uow.introductions.by_application(tenant_id, signal.application_id)
            if intro is None:
                _defer_if_export_pending(
                    await uow.introductions.pending_exports(tenant_id), signal, deps
                )
                return Verdict.UNKNOWN
            link = intro.link_for_application(signal.application_id)
            stages = await job_stages(uow, tenant_id, link.job_id if link else None)
            verdict = intro.apply_signal(
                signal,
                mapping=tenant.stage_mapping,
                job_stages=stages,
                at=deps.clock.now(),
                rejections=tenant.rejection_mapping,
            )
            if verdict is Verdict.APPLIED:
                await save_and_announce(uow, deps, intro)
                await uow.commit()
            return verdict

    verdict = await retry_on_conflict(first_pass)
    if verdict is Verdict.NEEDS_REREAD:
        await reread(tenant_id, signal.application_id, deps)
        return SignalOutcome.REREAD
    return {
        Verdict.APPLIED: SignalOutcome.APPLIED,
        Verdict.STALE: SignalOutcome.STALE,
        Verdict.CLOSED: SignalOutcome.CLOSED,
    }.get(verdict, SignalOutcome.IGNORED)


async def apply_signals_together(
    tenant_id: str,
    signals: Sequence[ApplicationSignal],
    deps: Dependencies,
    finish: Callable[[UnitOfWork, Sequence[int]], Awaitable[None]],
) -> list[SignalOutcome | None]:
    """Apply several application signals of one tenant in one unit of work, as `apply_ats_signal`
    would one after the other: the introductions and the jobs' stages read set-wise, the changed
    introductions and their events saved set-wise, one commit.

    Per signal, its outcome, or None for one this does not settle (no introduction links its
    application, it must be re-read from the ATS, or it deletes the application): those are left to
    `apply_ats_signal`, after this. `finish` runs in the same unit of work, just before the commit,
    with the positions of the settled signals (to mark their deliveries processed with them).
    Raises whatever the storage raises, ConcurrencyError included: nothing is then committed, and
    every signal is left to `apply_ats_signal`.
    """
    outcomes: list[SignalOutcome | None] = []
    async with deps.uow() as uow:
        tenant = await load_tenant(uow, tenant_id)
        intros = await uow.introductions.by_applications(
            tenant_id, [s.application_id for s in signals]
        )
        job_ids = set()
        for signal in signals:
            intro = intros.get(signal.application_id)
            link = intro.link_for_application(signal.application_id) if intro else None
            if link is not None and link.job_id is not None:
                job_ids.add(link.job_id)
        stages = await uow.jobs.stage_refs_many(tenant_id, sorted(job_ids))
        changed: dict[str, Introduction] = {}
        for signal in signals:
            intro = intros.get(signal.application_id)
            link = intro.link_for_application(signal.application_id) if intro else None
            if intro is None or link is None or isinstance(signal, ApplicationDeleted):
                outcomes.append(None)
                continue
            verdict = intro.apply_signal(
                signal,
                mapping=tenant.stage_mapping,
                job_stages=stages.get(link.job_id, ()) if link.job_id is not None else (),
                at=deps.clock.now(),
                rejections=tenant.rejection_mapping,
            )
            if verdict is Verdict.APPLIED:
                changed[intro.introduction_id] = intro
            outcomes.append(_TOGETHER.get(verdict))
        if changed:
            events = [event for intro in changed.values() for event in intro.events]
            # In one order for every worker, so that two units never wait for each other's rows.
            await uow.introductions.save_many(sorted(changed.values(), key=_by_id))
            await add_events(uow, deps, events)
        await finish(uow, [n for n, outcome in enumerate(outcomes) if outcome is not None])
        await uow.commit()
    for intro in changed.values():
        intro.events.clear()
    return outcomes


def _by_id(intro: Introduction) -> str:
    return intro.introduction_id


_TOGETHER = {
    Verdict.APPLIED: SignalOutcome.APPLIED,
    Verdict.STALE: SignalOutcome.STALE,
    Verdict.CLOSED: SignalOutcome.CLOSED,
}  # a verdict not named here leaves its signal to `apply_ats_signal`


def _defer_if_export_pending(pending: int, signal: ApplicationSignal, deps: Dependencies) -> None:
    """An application no introduction links: wait when an export may be about to link it.

    Only while the application's activity is younger than `defer_window`: exports link their
    applications within it, so older ones (or ones without a time) were never the gateway's.
    """
    now = deps.clock.now()
    window = deps.settings.defer_window
    recent = signal.occurred_at is not None and now - signal.occurred_at <= window
    if pending > 0 and recent:
        raise DeferredError(
            "the application may belong to an export not committed yet",
            not_before=now + deps.settings.defer_delay,
        )


async def reread(tenant_id: str, application_id: str, deps: Dependencies) -> bool:
    """Read the application from the ATS and apply it; returns whether its status changed."""
    async with deps.uow() as uow:
        tenant = await load_tenant(uow, tenant_id)
    ctx = ats_context(tenant)
    if ctx is None:
        return False
    snapshots = await deps.registry.client(ctx).get_applications(ctx, [application_id])
    if not snapshots:
        person = await _deleted_owner(tenant_id, application_id, deps)
        if person is not None:
            # The person went with the application (an ATS whose only deletion signal is the
            # application's): erased as a deleted candidate is.
            deleted = CandidateDeleted(candidate_id=person, application_ids=())
            return await _candidate(tenant_id, deleted, deps) is SignalOutcome.APPLIED
        return await close_application(tenant_id, application_id, deps)
    return await apply_snapshot(tenant_id, snapshots[0], deps)


async def apply_snapshot(tenant_id: str, snapshot: ApplicationSnapshot, deps: Dependencies) -> bool:
    """Apply an application read from the ATS; returns whether its status changed.

    A snapshot equal to what was applied changes nothing and announces nothing.
    """

    async def run() -> bool:
        async with deps.uow() as uow:
            tenant = await load_tenant(uow, tenant_id)
            intro = await uow.introductions.by_application(tenant_id, snapshot.application_id)
            if intro is None or intro.export_state is not ExportState.EXPORTED:
                return False
            link = intro.link_for_application(snapshot.application_id)
            if link is None:
                return False
            before = (link.status, link.stage, link.rejection, link.last_change_at)
            stages = await job_stages(uow, tenant_id, link.job_id)
            intro.apply_snapshot(
                snapshot,
                mapping=tenant.stage_mapping,
                job_stages=stages,
                at=deps.clock.now(),
                rejections=tenant.rejection_mapping,
            )
            after = (link.status, link.stage, link.rejection, link.last_change_at)
            if before == after:
                return False
            changed = bool(intro.events)
            await save_and_announce(uow, deps, intro)
            await uow.commit()
            return changed

    return await retry_on_conflict(run)


async def close_application(tenant_id: str, application_id: str, deps: Dependencies) -> bool:
    """The ATS no longer has the application: close its link (`application.removed`, deleted)."""

    async def run() -> bool:
        async with deps.uow() as uow:
            intro = await uow.introductions.by_application(tenant_id, application_id)
            if intro is None or not intro.close_application(application_id, RemovalReason.DELETED):
                return False
            await save_and_announce(uow, deps, intro)
            await uow.commit()
            return True

    return await retry_on_conflict(run)


async def _candidate(tenant_id: str, signal: CandidateSignal, deps: Dependencies) -> SignalOutcome:
    if isinstance(signal, CandidateProfileChanged):
        # Echoes of the gateway's own writes compare equal to what it wrote: nothing is announced.
        announced = await observe_candidate(deps, tenant_id, signal.candidate_id)
        return SignalOutcome.APPLIED if announced else SignalOutcome.IGNORED
    survivors: dict[str, ApplicationSnapshot] = {}
    if isinstance(signal, CandidateMerged):
        survivors = await _survivor_applications(tenant_id, signal, deps)

    async def run() -> SignalOutcome:
        async with deps.uow() as uow:
            tenant = await load_tenant(uow, tenant_id)
            intros = await uow.introductions.by_candidate(tenant_id, signal.candidate_id)
            for intro in intros:
                if isinstance(signal, CandidateMerged):
                    intro.relink_candidate(signal.into_candidate_id)
                    await _follow_merged_applications(uow, tenant, intro, survivors, deps)
                elif isinstance(signal, CandidateDeleted):
                    gone = signal.application_ids or tuple(
                        lk.application_id for lk in intro.links if lk.application_id
                    )
                    for application_id in gone:
                        intro.close_application(application_id, RemovalReason.DELETED)
                    intro.erase_personal_data()
                elif isinstance(signal, CandidateAnonymized):
                    intro.erase_personal_data()
                await save_and_announce(uow, deps, intro)
            if isinstance(signal, CandidateDeleted | CandidateAnonymized):
                await uow.inbox.erase_subject(tenant_id, signal.candidate_id)
            await uow.commit()
            return SignalOutcome.APPLIED if intros else SignalOutcome.IGNORED

    outcome = await retry_on_conflict(run)
    logger.info("candidate.signal", kind=type(signal).__name__, outcome=str(outcome))
    return outcome


async def _survivor_applications(
    tenant_id: str, signal: CandidateMerged, deps: Dependencies
) -> dict[str, ApplicationSnapshot]:
    """The surviving candidate's applications by job: where merged-away duplicates went."""
    async with deps.uow() as uow:
        tenant = await load_tenant(uow, tenant_id)
        if not await uow.introductions.by_candidate(tenant_id, signal.candidate_id):
            return {}
    ctx = ats_context(tenant)
    if ctx is None:
        return {}
    apps = await deps.registry.client(ctx).applications_of_candidate(ctx, signal.into_candidate_id)
    return {a.application_id: a for a in apps}


async def _follow_merged_applications(
    uow: UnitOfWork,
    tenant: Tenant,
    intro: Introduction,
    survivors: dict[str, ApplicationSnapshot],
    deps: Dependencies,
) -> None:
    """An application the survivor no longer has was merged into the survivor's one on its job."""
    if not survivors:
        return
    by_job = {s.job_id: s for s in survivors.values() if s.job_id is not None}
    for link in list(intro.links):
        app_id = link.application_id
        if app_id is None or link.closed is not None or app_id in survivors:
            continue
        survivor = by_job.get(link.job_id)
        if survivor is not None:
            intro.merge_application(
                app_id,
                survivor,
                mapping=tenant.stage_mapping,
                rejections=tenant.rejection_mapping,
                job_stages=await job_stages(uow, tenant.id, link.job_id),
                at=deps.clock.now(),
            )


async def _deleted_owner(tenant_id: str, application_id: str, deps: Dependencies) -> str | None:
    """The candidate of a vanished application when they are gone too and nobody else holds the
    introduction's e-mail addresses (so not merged away): deleted. None otherwise."""
    linked = await _linked_person(tenant_id, application_id, deps)
    if linked is None:
        return None
    ctx, person, intro = linked
    ats = deps.registry.client(ctx)
    if await ats.get_candidate(ctx, person) is not None:
        return None
    others = await ats.find_candidates_by_email(ctx, intro.candidate.emails)
    return None if any(c.id != person for c in others) else person


async def _owner_gone(tenant_id: str, application_id: str, deps: Dependencies) -> bool:
    """Whether the candidate of a deleted application is gone too (deleted or merged away).

    An ATS may delete a duplicate application when it merges two people: the candidate's own
    signal (merged or deleted) then says what became of it, so the deletion alone decides nothing.
    """
    linked = await _linked_person(tenant_id, application_id, deps)
    if linked is None:
        return False
    ctx, person, _ = linked
    return await deps.registry.client(ctx).get_candidate(ctx, person) is None


async def _linked_person(
    tenant_id: str, application_id: str, deps: Dependencies
) -> tuple[AtsContext, str, Introduction] | None:
    """The ATS context, the linked person's id and the introduction of an application, if linked."""
    async with deps.uow() as uow:
        tenant = await load_tenant(uow, tenant_id)
        intro = await uow.introductions.by_application(tenant_id, application_id)
    ctx = ats_context(tenant)
    if intro is None or intro.ats_candidate_id is None or ctx is None:
        return None
    return ctx, intro.ats_candidate_id, intro
