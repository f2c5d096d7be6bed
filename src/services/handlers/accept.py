"""Accept an introduction: store it once; the export is its own command."""

from __future__ import annotations

import structlog

from intrro_gateway.domain.commands import AcceptIntroduction
from intrro_gateway.domain.introduction import Introduction
from intrro_gateway.ports.unit_of_work import ConcurrencyError
from intrro_gateway.services.deps import Dependencies
from intrro_gateway.services.handlers._common import load_tenant

logger = structlog.get_logger(__name__)


async def accept_introduction(cmd: AcceptIntroduction, deps: Dependencies) -> bool:
    """Store the introduction; returns False (and changes nothing) when its id is known already."""
    async with deps.uow() as uow:
        await load_tenant(uow, cmd.tenant_id)
        if await uow.introductions.get(cmd.tenant_id, cmd.introduction_id) is not None:
            logger.info("introduction.accept_repeated", introduction_id=cmd.introduction_id)
            return False
        intro = Introduction(
            tenant_id=cmd.tenant_id,
            introduction_id=cmd.introduction_id,
            candidate=cmd.candidate,
            referrer=cmd.referrer,
            job_ids=cmd.job_ids,
            message=cmd.message,
            accepted_at=cmd.accepted_at,
        )
        try:
            await uow.introductions.add(intro)
            await uow.commit()
        except ConcurrencyError:
            # Another worker stored the same introduction a moment ago: the same outcome.
            return False
    logger.info("introduction.accepted", introduction_id=cmd.introduction_id)
    return True
