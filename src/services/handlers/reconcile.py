"""Reconcile a tenant: re-read the linked applications that changed and repair what web hooks missed."""

from __future__ import annotations

from dataclasses import dataclass

import structlog

from intrro_gateway.domain.commands import Reconcile
from intrro_gateway.services.deps import Dependencies
from intrro_gateway.services.handlers._common import ats_context, load_tenant
from intrro_gateway.services.handlers.signals import apply_snapshot

logger = structlog.get_logger(__name__)

READ_BATCH = 100  # application ids per ATS read


@dataclass(frozen=True, slots=True)
class ReconcileResult:
    """What a reconciliation pass found and repaired."""

    checked: int
    repairs: int
    silent_webhooks: bool


async def reconcile(cmd: Reconcile, deps: Dependencies) -> ReconcileResult:
    """Apply the current state of every linked application changed since the last pass.

    A snapshot equal to what the web hooks already applied changes nothing: only real repairs are
    pushed. Repairs while no web hook arrived since the previous pass mean the web hooks are silent.
    """
    started = deps.clock.now()
    async with deps.uow() as uow:
        tenant = await load_tenant(uow, cmd.tenant_id)
        linked = list(await uow.introductions.linked_application_ids(cmd.tenant_id))
    ctx = ats_context(tenant)
    if ctx is None or tenant.connection is None:
        return ReconcileResult(checked=0, repairs=0, silent_webhooks=False)
    previous_pass = tenant.reconciled_at
    since = previous_pass or tenant.connection.connected_at
    checked = repairs = 0
    for start in range(0, len(linked), READ_BATCH):
        batch = linked[start : start + READ_BATCH]
        for snapshot in await deps.registry.client(ctx).applications_changed_since(
            ctx, since, batch
        ):
            checked += 1
            if await apply_snapshot(cmd.tenant_id, snapshot, deps):
                repairs += 1

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
    logger.info("reconcile.done", checked=checked, repairs=repairs)
    return ReconcileResult(checked=checked, repairs=repairs, silent_webhooks=silent)
