"""A plain reference model of one ATS application, for the domain's property tests.

It replays the application's ATS history, oldest first, the way the issue states the rules, without
using the aggregate: a stage means what the (plain) stage table says, a hire means `hired`, a rejection of
kind "candidate" means `withdrawn` and any other rejection `rejected`, an unreject or unhire returns to the
stage-derived status, an update changes nothing of its own. The same replay gives the snapshot a
re-read of the ATS returns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from intrro_gateway.domain.signals import (
    ApplicationCreated,
    ApplicationDeleted,
    ApplicationSignal,
    ApplicationSnapshot,
    ApplicationState,
    ApplicationUpdated,
    Hired,
    Rejected,
    RejectionKind,
    RejectionReason,
    StageChanged,
    Unhired,
    Unrejected,
)
from intrro_gateway.domain.status import ReferralStatus, StageRef
from tests.unit.domain.builders import REVIEW

StageTable = Mapping[str, ReferralStatus]


@dataclass(frozen=True, slots=True)
class AtsApplication:
    """An application as the ATS holds it after some history."""

    state: ApplicationState = ApplicationState.ACTIVE
    stage: StageRef = REVIEW
    rejection: RejectionReason | None = None
    deleted: bool = False


def replay(
    history: Sequence[ApplicationSignal], start: AtsApplication | None = None
) -> AtsApplication:
    """The application after these signals, in the order given (the ATS's own order)."""
    app = start or AtsApplication()
    for signal in history:
        if isinstance(signal, ApplicationCreated | Unrejected | Unhired):
            app = replace(
                app,
                state=ApplicationState.ACTIVE,
                stage=signal.stage or app.stage,
                rejection=None,
            )
        elif isinstance(signal, StageChanged):
            app = replace(app, state=ApplicationState.ACTIVE, stage=signal.stage, rejection=None)
        elif isinstance(signal, Rejected):
            app = replace(app, state=ApplicationState.REJECTED, rejection=signal.reason)
        elif isinstance(signal, Hired):
            app = replace(app, state=ApplicationState.HIRED, rejection=None)
        elif isinstance(signal, ApplicationDeleted):
            app = replace(app, deleted=True)
        else:
            assert isinstance(signal, ApplicationUpdated)
    return app


def status_of(app: AtsApplication, table: StageTable) -> ReferralStatus:
    """The referral status an ATS application means."""
    if app.state is ApplicationState.HIRED:
        return ReferralStatus.HIRED
    if app.state is ApplicationState.REJECTED:
        if app.rejection is not None and app.rejection.kind is RejectionKind.CANDIDATE:
            return ReferralStatus.WITHDRAWN
        return ReferralStatus.REJECTED
    return table[app.stage.id]


def tells_status(signal: ApplicationSignal) -> bool:
    """Whether the signal alone says which status the application has after it."""
    if isinstance(signal, ApplicationUpdated):
        return False
    if isinstance(signal, Unrejected | Unhired):
        return signal.stage is not None
    return True


def snapshot(
    application_id: str, history: Sequence[ApplicationSignal], as_of: datetime | None
) -> ApplicationSnapshot:
    """What a read of the ATS returns for an application with this history (not deleted)."""
    app = replay(history)
    return ApplicationSnapshot(
        application_id=application_id,
        candidate_id="cand-1",
        job_id=None,
        state=app.state,
        stage=app.stage,
        rejection=app.rejection,
        as_of=as_of,
    )
