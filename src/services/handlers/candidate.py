"""Intrro changed the candidate: merge the changes into the ATS candidate, keep the local profile."""

from __future__ import annotations

import structlog

from intrro_gateway.domain.commands import UpdateCandidate
from intrro_gateway.ports.ats import AtsNotFoundError, AtsRejectedError
from intrro_gateway.services.deps import Dependencies
from intrro_gateway.services.errors import PermanentError
from intrro_gateway.services.handlers._common import (
    ats_context,
    load_introduction,
    load_tenant,
    retry_on_conflict,
)
from intrro_gateway.services.handlers._profiles import expect_write

logger = structlog.get_logger(__name__)


async def update_candidate(cmd: UpdateCandidate, deps: Dependencies) -> bool:
    """Apply the changes; returns whether they were sent to the ATS (before export: local only)."""
    if cmd.changes.is_empty():
        return False
    async with deps.uow() as uow:
        tenant = await load_tenant(uow, cmd.tenant_id)
        intro = await load_introduction(uow, cmd.tenant_id, cmd.introduction_id)
    ctx = ats_context(tenant, priority=True)
    sent = False
    if intro.is_exported and intro.ats_candidate_id is not None and ctx is not None:
        # A merge: sending it again after a crash changes nothing more.
        try:
            # Expected first, so that the ATS's web hook about this write announces nothing.
            await expect_write(deps, cmd.tenant_id, intro.ats_candidate_id, cmd.changes)
            await deps.registry.client(ctx).update_candidate(
                ctx, intro.ats_candidate_id, cmd.changes
            )
            sent = True
        except AtsNotFoundError:
            logger.warning("candidate.update_target_gone", introduction_id=cmd.introduction_id)
        except AtsRejectedError as exc:
            raise PermanentError(f"the ATS refused the candidate update: {exc.message}") from exc

    async def run() -> None:
        async with deps.uow() as uow:
            current = await load_introduction(uow, cmd.tenant_id, cmd.introduction_id)
            current.update_candidate(cmd.changes)
            await uow.introductions.save(current)
            await uow.commit()

    await retry_on_conflict(run)
    logger.info("candidate.updated", introduction_id=cmd.introduction_id, sent_to_ats=sent)
    return sent
