"""Reconcile a tenant: repair what lost web hooks missed.

Two reads per pass, each in batches of linked application ids:
- the applications changed since the previous pass, less an overlap window (a skewed clock or a
  lagging ATS index cannot lose a change); a snapshot already applied compares equal, and one older
  than what was applied is stale, so the overlap pushes nothing twice;
- the cheap check: who owns each linked application now. One gone, or owned by another candidate,
  is repaired as its lost web hook would have been (deleted, merged, candidate deleted).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import structlog

from intrro_gateway.domain.commands import ApplyAtsSignal, Reconcile
from intrro_gateway.domain.signals import (
    AtsSignal,
    CandidateDeleted,
    CandidateMerged,
)
from intrro_gateway.ports.ats import AtsContext
from intrro_gateway.services.deps import Dependencies
from intrro_gateway.services.handlers._common import ats_context, load_tenant
from intrro_gateway.services.handlers.signals import (
    SignalOutcome,
    apply_ats_signal,
    apply_snapshot,
    close_application,
)

logger = structlog.get_logger(__name__)

READ_BATCH = 100  # application ids per ATS read


@dataclass(frozen=True, slots=True)
class ReconcileResult:
    """What a reconciliation pass found and repaired, and what it cost in ATS calls."""

    checked: int
    repairs: int
    silent_webhooks: bool
    ats_calls: int = field(default=0, compare=False)


class _Counted:
    """Counts the ATS calls of one pass."""

    def __init__(self) -> None:
        self.calls = 0


async def reconcile(cmd: Reconcile, deps: Dependencies) -> ReconcileResult:
    """Apply the current state of every linked application changed since the last pass (with the
    overlap), and repair the applications and candidates that vanished or were merged.

    A snapshot equal to what the web hooks already applied changes nothing: only real repairs are
    pushed. Repairs while no web hook arrived since the previous pass mean the web hooks are silent.
    """
    started = deps.clock.now()
    async with deps.uow() as uow:
        tenant = await load_tenant(uow, cmd.tenant_id)
        linked = list(await uow.introductions.linked_applications(cmd.tenant_id))
    ctx = ats_context(tenant)
    if ctx is None or tenant.connection is None:
        return ReconcileResult(checked=0, repairs=0, silent_webhooks=False)
    previous_pass = tenant.reconciled_at
    since = (previous_pass or tenant.connection.connected_at) - deps.settings.reconcile_overlap
    cost = _Counted()
    ids = [app_id for app_id, _ in linked]
    checked = repairs = 0
    for start in range(0, len(ids), READ_BATCH):
        batch = ids[start : start + READ_BATCH]
        cost.calls += 1
        for snapshot in await deps.registry.client(ctx).applications_changed_since(
            ctx, since, batch
        ):
            checked += 1
            if await apply_snapshot(cmd.tenant_id, snapshot, deps):
                repairs += 1
    repairs += await _vanished_and_merged(cmd.tenant_id, ctx, linked, deps, cost)

    async with deps.uow() as uow:
        tenant = await load_tenant(uow, cmd.tenant_id)
        heard = tenant.last_webhook_at
        no_webhook_since = heard is None or (previous_pass is not None and heard <= previous_pass)
        silent = repairs > 0 and no_webhook_since
        if silent:
            tenant.webhooks_silent = True
            logger.warning("reconcile.webhooks_silent", repairs=repairs)
        tenant.reconciled_at = started
        tenant.reconcile_repairs += repairs
        await uow.tenants.save(tenant)
        await uow.commit()
    logger.info("reconcile.done", checked=checked, repairs=repairs, ats_calls=cost.calls)
    return ReconcileResult(
        checked=checked, repairs=repairs, silent_webhooks=silent, ats_calls=cost.calls
    )


async def _vanished_and_merged(
    tenant_id: str,
    ctx: AtsContext,
    linked: Sequence[tuple[str, str]],
    deps: Dependencies,
    cost: _Counted,
) -> int:
    """The cheap check of the linked ids; returns how many repairs it made."""
    moved: dict[str, str] = {}  # candidate merged away -> the candidate that now owns its apps
    vanished: dict[str, list[str]] = {}  # candidate -> its applications that are gone
    for start in range(0, len(linked), READ_BATCH):
        batch = linked[start : start + READ_BATCH]
        cost.calls += 1
        owners = await deps.registry.client(ctx).application_owners(
            ctx, [app_id for app_id, _ in batch]
        )
        for app_id, candidate_id in batch:
            owner = owners.get(app_id)
            if owner is None:
                vanished.setdefault(candidate_id, []).append(app_id)
            elif owner != candidate_id:
                moved[candidate_id] = owner
    signals: list[AtsSignal] = [
        CandidateMerged(candidate_id=old, into_candidate_id=new) for old, new in moved.items()
    ]
    repairs = 0
    for candidate_id, gone in vanished.items():
        if candidate_id in moved:
            continue  # the merge repair follows the survivor, its duplicates included
        cost.calls += 1
        if await deps.registry.client(ctx).get_candidate(ctx, candidate_id) is not None:
            # The person is there: these applications alone were deleted.
            for app_id in gone:
                repairs += await close_application(tenant_id, app_id, deps)
            continue
        signals.append(await _why_gone(tenant_id, ctx, candidate_id, gone, deps, cost))
    for signal in signals:
        outcome = await apply_ats_signal(ApplyAtsSignal(tenant_id=tenant_id, signal=signal), deps)
        if outcome is not SignalOutcome.IGNORED:
            repairs += 1
    return repairs


async def _why_gone(
    tenant_id: str,
    ctx: AtsContext,
    candidate_id: str,
    gone: list[str],
    deps: Dependencies,
    cost: _Counted,
) -> AtsSignal:
    """What became of a person who is gone with their applications: merged into a person who has
    the introduction's e-mail address, or else deleted."""
    async with deps.uow() as uow:
        intros = await uow.introductions.by_candidate(tenant_id, candidate_id)
    emails = sorted({e for intro in intros for e in intro.candidate.emails})
    cost.calls += 1
    found = [
        c
        for c in await deps.registry.client(ctx).find_candidates_by_email(ctx, emails)
        if c.id != candidate_id
    ]
    if found:
        survivor = min(found, key=lambda c: (len(c.id), c.id))
        return CandidateMerged(candidate_id=candidate_id, into_candidate_id=survivor.id)
    return CandidateDeleted(candidate_id=candidate_id, application_ids=tuple(gone))
