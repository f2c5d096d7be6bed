"""The referral status an application read from the ATS means."""

from __future__ import annotations

from collections.abc import Sequence

from intrro_gateway.domain.signals import ApplicationSnapshot, ApplicationState, RejectionKind
from intrro_gateway.domain.status import ReferralStatus, StageMapping, StageRef


def status_of(
    snapshot: ApplicationSnapshot | None, mapping: StageMapping, job_stages: Sequence[StageRef]
) -> ReferralStatus:
    """Hired, rejected (withdrawn when the candidate said no), or what its stage means."""
    if snapshot is None:
        return ReferralStatus.APPLIED
    if snapshot.state is ApplicationState.HIRED:
        return ReferralStatus.HIRED
    if snapshot.state is ApplicationState.REJECTED:
        if snapshot.rejection is not None and snapshot.rejection.kind is RejectionKind.CANDIDATE:
            return ReferralStatus.WITHDRAWN
        return ReferralStatus.REJECTED
    if snapshot.stage is None:
        return ReferralStatus.APPLIED
    return mapping.status_for(snapshot.stage, job_stages)
