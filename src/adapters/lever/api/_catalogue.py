"""The account-wide lists every opportunity read needs: stages and archive reasons, kept briefly."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass

from intrro_gateway.adapters.lever.api import _mappers as m
from intrro_gateway.adapters.lever.api._http import LeverHttp
from intrro_gateway.domain.signals import RejectionReason
from intrro_gateway.domain.status import StageRef
from intrro_gateway.ports.ats import AtsContext


@dataclass(frozen=True, slots=True)
class Catalogue:
    """One account's stages (in pipeline order) and archive reasons (with whether each is hired)."""

    stages: tuple[StageRef, ...]
    reasons: Mapping[str, tuple[RejectionReason, bool]]

    @property
    def stages_by_id(self) -> dict[str, StageRef]:
        """The stages by id."""
        return {s.id: s for s in self.stages}


class Catalogues:
    """Each tenant's catalogue, read at most once per `ttl` seconds (and again on an unknown id)."""

    def __init__(self, http: LeverHttp, ttl: float) -> None:
        self._http = http
        self._ttl = ttl
        self._kept: dict[str, tuple[float, Catalogue]] = {}

    async def get(self, ctx: AtsContext, *, fresh: bool = False) -> Catalogue:
        """The tenant's catalogue; `fresh` reads it again."""
        now = asyncio.get_running_loop().time()
        kept = self._kept.get(ctx.tenant_id)
        if kept is not None and not fresh and now - kept[0] < self._ttl:
            return kept[1]
        stages = m.stage_refs(await self._http.list_all(ctx, "/stages"))
        reasons = {
            reason.id: (reason, hired)
            for raw in await self._http.list_all(ctx, "/archive_reasons")
            if (read := m.archive_reason(raw)) is not None
            for reason, hired in (read,)
        }
        catalogue = Catalogue(stages=stages, reasons=reasons)
        self._kept[ctx.tenant_id] = (now, catalogue)
        return catalogue
