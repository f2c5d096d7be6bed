"""The export's profile step: an existing candidate gains what the introduction brings and it lacks.

Nothing the ATS holds is replaced or removed: list entries (e-mails, phones, social profiles,
websites) are added when missing, LinkedIn, company, title and location only where the ATS has none,
names never. One merge write at most, and none when nothing is missing, so a second run sends nothing.
"""

from __future__ import annotations

from intrro_gateway.domain.profiles import HeldProfile
from intrro_gateway.ports.ats import AtsNotFoundError
from intrro_gateway.services.handlers._export_candidate import ExportRun
from intrro_gateway.services.handlers._profiles import expect_write, held_of


async def merge_profile(run: ExportRun, candidate_id: str) -> HeldProfile:
    """Add what the candidate lacks; returns what the ATS holds once the addition applied."""
    ctx, intro = run.ctx, run.intro
    ats = run.deps.registry.client(ctx)
    current = await ats.get_candidate(ctx, candidate_id)
    if current is None:
        raise AtsNotFoundError(f"candidate {candidate_id} not found", status=404)
    held = held_of(current)
    missing = held.lacks(intro.candidate)
    if missing.is_empty():
        return held
    # Other introductions of this person expect the addition, so its echo announces nothing.
    await expect_write(run.deps, intro.tenant_id, candidate_id, missing)
    await ats.update_candidate(ctx, candidate_id, missing)
    return held.expecting(missing)
