"""The candidate as the ATS holds it: read for ATS edits, expected for the gateway's own writes.

An ATS edit is told from an echo of the gateway's own write by comparing what the ATS holds now with
what the gateway last wrote or announced (`Introduction.ats_profile`); a write is expected (recorded,
committed) before it is sent, for every introduction of that candidate, so its echo compares equal.
"""

from __future__ import annotations

from intrro_gateway.domain.candidates import CandidateChanges
from intrro_gateway.domain.profiles import HeldProfile, split_social
from intrro_gateway.ports.ats import AtsCandidate
from intrro_gateway.services.deps import Dependencies
from intrro_gateway.services.handlers._common import (
    ats_context,
    load_tenant,
    retry_on_conflict,
    save_and_announce,
)


def held_of(candidate: AtsCandidate) -> HeldProfile:
    """The contract's candidate fields of an ATS candidate (a LinkedIn URL among its profiles)."""
    linkedin, social = split_social(candidate.social_profiles)
    return HeldProfile(
        first_name=candidate.first_name,
        last_name=candidate.last_name,
        emails=candidate.emails,
        phones=candidate.phones,
        linkedin_url=linkedin,
        social_profiles=social,
        websites=candidate.websites,
        current_company=candidate.company,
        current_title=candidate.title,
        location=candidate.location,
    )


async def expect_write(
    deps: Dependencies, tenant_id: str, candidate_id: str, changes: CandidateChanges
) -> None:
    """Before a merge into an ATS candidate is sent: its introductions expect the outcome."""

    async def run() -> None:
        async with deps.uow() as uow:
            for intro in await uow.introductions.by_candidate(tenant_id, candidate_id):
                if intro.ats_profile is not None:
                    intro.expect_ats_profile(intro.ats_profile.expecting(changes))
                    await uow.introductions.save(intro)
            await uow.commit()

    await retry_on_conflict(run)


async def observe_candidate(deps: Dependencies, tenant_id: str, candidate_id: str) -> int:
    """Read the candidate and announce what an ATS edit changed; returns how many announcements.

    A candidate that is gone is left to its own signal (deleted or merged).
    """
    async with deps.uow() as uow:
        tenant = await load_tenant(uow, tenant_id)
        if not await uow.introductions.by_candidate(tenant_id, candidate_id):
            return 0
    ctx = ats_context(tenant)
    if ctx is None:
        return 0
    current = await deps.registry.client(ctx).get_candidate(ctx, candidate_id)
    if current is None:
        return 0
    held = held_of(current)

    async def run() -> int:
        announced = 0
        async with deps.uow() as uow:
            for intro in await uow.introductions.by_candidate(tenant_id, candidate_id):
                if intro.observe_ats_profile(held):
                    announced += 1
                await save_and_announce(uow, deps, intro)
            await uow.commit()
        return announced

    return await retry_on_conflict(run)
