"""Withdraw an introduction: a note in the ATS when it is there, `withdrawn` for every application.

The gateway never rejects on the company's behalf: the ATS application stays as it is, and later ATS
signals still move it.
"""

from __future__ import annotations

import structlog

from intrro_gateway.domain.commands import WithdrawIntroduction
from intrro_gateway.domain.introduction import Introduction
from intrro_gateway.ports.ats import AtsNotFoundError
from intrro_gateway.services.deps import Dependencies
from intrro_gateway.services.handlers._common import (
    ats_context,
    load_introduction,
    load_tenant,
    retry_on_conflict,
    save_and_announce,
)

logger = structlog.get_logger(__name__)


async def withdraw_introduction(cmd: WithdrawIntroduction, deps: Dependencies) -> bool:
    """Record the withdrawal; returns False when it was recorded already."""
    async with deps.uow() as uow:
        tenant = await load_tenant(uow, cmd.tenant_id)
        intro = await load_introduction(uow, cmd.tenant_id, cmd.introduction_id)
    if intro.withdrawn_at is not None:
        return False
    ctx = ats_context(tenant, priority=True)
    if intro.is_exported and intro.ats_candidate_id is not None and ctx is not None:
        # The note goes first: a retry after a failure finds it by its marker and sends no second.
        marker = f"[intrro:{intro.introduction_id}:withdrawn]"
        try:
            if not await deps.registry.client(ctx).has_note(ctx, intro.ats_candidate_id, marker):
                await deps.registry.client(ctx).add_note(
                    ctx, intro.ats_candidate_id, None, _note(cmd, marker)
                )
        except AtsNotFoundError:
            # The candidate is gone from the ATS: there is nowhere to note it.
            logger.warning("withdraw.note_target_gone", introduction_id=cmd.introduction_id)

    async def run() -> bool:
        async with deps.uow() as uow:
            current: Introduction = await load_introduction(uow, cmd.tenant_id, cmd.introduction_id)
            if current.withdrawn_at is not None:
                return False
            current.withdraw(at=cmd.withdrawn_at)
            await save_and_announce(uow, deps, current)
            await uow.commit()
            return True

    changed = await retry_on_conflict(run)
    logger.info("introduction.withdrawn", introduction_id=cmd.introduction_id, changed=changed)
    return changed


def _note(cmd: WithdrawIntroduction, marker: str) -> str:
    lines = ["The introduction was withdrawn on Intrro."]
    if cmd.reason:
        lines.append(f"Reason given: {cmd.reason}")
    lines += [
        "Nothing was changed on the application: the decision stays with the company.",
        marker,
    ]
    return "\n".join(lines)
