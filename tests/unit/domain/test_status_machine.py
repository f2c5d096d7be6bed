"""A state machine over ATS signals for one introduction, checked against the plain reference model.

The ATS makes changes (each at its own, later time) to one or two applications; the gateway receives
them in any order, some more than once, some without their time, and re-reads the ATS when the domain
asks it to (or when reconciliation does). After every step the aggregate must agree with the model: the
status of an application is that of the ATS state as of the newest evidence applied, one event is recorded
per change of status and none without one, and sequence numbers rise strictly.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from intrro_gateway.domain.events import ApplicationRemoved, ApplicationStatusChanged
from intrro_gateway.domain.introduction import Introduction, RemovalReason, Verdict
from intrro_gateway.domain.signals import (
    ApplicationCreated,
    ApplicationDeleted,
    ApplicationSignal,
    ApplicationUpdated,
    Hired,
    Rejected,
    RejectionKind,
    RejectionReason,
    StageChanged,
    Unhired,
    Unrejected,
)
from intrro_gateway.domain.status import ReferralStatus, StageMapping
from tests.unit.domain.builders import (
    OFFER,
    ONSITE,
    PHONE,
    REVIEW,
    STAGES,
    at,
    exported_introduction,
)
from tests.unit.domain.reference_model import StageTable, replay, snapshot, status_of, tells_status

# Two tenants' configurations: the default rule, and overrides by id and by name.
MAPPINGS: dict[str, tuple[StageMapping, StageTable]] = {
    "default": (
        StageMapping(),
        {
            REVIEW.id: ReferralStatus.APPLIED,
            PHONE.id: ReferralStatus.INTERVIEWING,
            ONSITE.id: ReferralStatus.INTERVIEWING,
            OFFER.id: ReferralStatus.OFFER,
        },
    ),
    "overrides": (
        StageMapping.from_plain({ONSITE.id: "offer"}, {"PHONE SCREEN": "applied"}),
        {
            REVIEW.id: ReferralStatus.APPLIED,
            PHONE.id: ReferralStatus.APPLIED,
            ONSITE.id: ReferralStatus.OFFER,
            OFFER.id: ReferralStatus.OFFER,
        },
    ),
}

stages = st.sampled_from(STAGES)
reasons = st.none() | st.builds(
    RejectionReason, id=st.just("r"), name=st.just("reason"), kind=st.sampled_from(RejectionKind)
)
app_indexes = st.integers(min_value=0, max_value=1)
changes = st.one_of(
    st.tuples(st.just(ApplicationCreated), st.fixed_dictionaries({"stage": st.none() | stages})),
    st.tuples(st.just(StageChanged), st.fixed_dictionaries({"stage": stages})),
    st.tuples(st.just(Rejected), st.fixed_dictionaries({"reason": reasons})),
    st.tuples(st.just(Unrejected), st.fixed_dictionaries({"stage": st.none() | stages})),
    st.tuples(st.just(Hired), st.just({})),
    st.tuples(st.just(Unhired), st.fixed_dictionaries({"stage": st.none() | stages})),
    st.tuples(st.just(ApplicationUpdated), st.fixed_dictionaries({"stage": st.none() | stages})),
    st.tuples(st.just(ApplicationDeleted), st.just({})),
)
# Most deliveries carry their time; a few lost it on the way.
timeless_deliveries = st.integers(min_value=0, max_value=4).map(lambda n: n == 4)


@dataclass(slots=True)
class ModelApplication:
    """The model's view of one application: the ATS's history, deliveries, and what was applied."""

    application_id: str
    job_id: str
    history: list[ApplicationSignal] = field(default_factory=list)
    pending: list[ApplicationSignal] = field(default_factory=list)
    delivered: list[ApplicationSignal] = field(default_factory=list)
    seen: datetime | None = None
    closed: bool = False
    withdrawn_by_intrro: bool = False  # Intrro's withdrawal holds until the ATS says more
    status: ReferralStatus = ReferralStatus.APPLIED

    @property
    def latest_time(self) -> datetime | None:
        """The ATS's time of its newest timed change."""
        times = [s.occurred_at for s in self.history if s.occurred_at is not None]
        return max(times) if times else None

    @property
    def deleted_in_ats(self) -> bool:
        """Whether the ATS destroyed the application."""
        return any(isinstance(s, ApplicationDeleted) for s in self.history)

    def status_as_of(self, time: datetime | None, table: StageTable) -> ReferralStatus:
        """The plain model's status: the ATS history up to `time` through the stage table."""
        upto = [
            s for s in self.history if s.occurred_at is not None and time and s.occurred_at <= time
        ]
        return status_of(replay(upto), table)


class IntroductionSignals(RuleBasedStateMachine):
    """ATS signals for one introduction with one or two applications."""

    def __init__(self) -> None:
        super().__init__()
        self.intro: Introduction
        self.mapping: StageMapping
        self.table: StageTable
        self.apps: list[ModelApplication] = []
        self.clock = 0
        self.events_checked = 0

    @initialize(
        applications=st.integers(min_value=1, max_value=2),
        mapping=st.sampled_from(sorted(MAPPINGS)),
    )
    def export(self, applications: int, mapping: str) -> None:
        jobs = [f"job-{n}" for n in range(1, applications + 1)]
        self.intro = exported_introduction(jobs, stage=REVIEW)
        self.mapping, self.table = MAPPINGS[mapping]
        self.apps = [ModelApplication(application_id=f"app-{j}", job_id=j) for j in jobs]
        self.events_checked = len(self.intro.events)

    # -- the ATS changes ------------------------------------------------------------------------

    def _ats(self, index: int, make: type[ApplicationSignal], **fields: object) -> None:
        app = self.apps[index % len(self.apps)]
        if app.deleted_in_ats:
            return
        occurred_at = None
        if make is not ApplicationDeleted:
            self.clock += 1
            occurred_at = at(self.clock)
        signal = make(application_id=app.application_id, occurred_at=occurred_at, **fields)
        app.history.append(signal)
        app.pending.append(signal)

    @rule(index=app_indexes, change=changes)
    def ats_changes(
        self, index: int, change: tuple[type[ApplicationSignal], dict[str, object]]
    ) -> None:
        make, fields = change
        app = self.apps[index % len(self.apps)]
        if make is ApplicationCreated and app.history:
            return  # the creation comes first in the ATS's history
        if make is ApplicationUpdated and fields.get("stage") is not None:
            # An update carries the application as it is now: its current stage, if anything.
            fields = {"stage": replay(app.history).stage}
        self._ats(index, make, **fields)

    # -- the gateway receives and re-reads ------------------------------------------------------

    @precondition(lambda self: any(app.pending for app in self.apps))
    @rule(data=st.data(), timeless=timeless_deliveries)
    def deliver(self, data: st.DataObject, timeless: bool) -> None:
        app = data.draw(st.sampled_from([a for a in self.apps if a.pending]))
        signal = app.pending.pop(data.draw(st.integers(0, len(app.pending) - 1)))
        app.delivered.append(signal)
        if timeless:
            signal = replace(signal, occurred_at=None)
        self._receive(app, signal)

    @precondition(lambda self: any(app.delivered for app in self.apps))
    @rule(data=st.data())
    def deliver_again(self, data: st.DataObject) -> None:
        app = data.draw(st.sampled_from([a for a in self.apps if a.delivered]))
        signal = data.draw(st.sampled_from(app.delivered))
        up_to_date = not app.pending and not app.withdrawn_by_intrro
        before = [(lk.status, lk.stage, lk.last_change_at, lk.closed) for lk in self.intro.links]
        events_before = len(self.intro.events)

        verdict = self._receive(app, signal)

        # A duplicate is never applied as news; once the ATS has nothing undelivered, not even the
        # re-read it may trigger changes anything.
        assert verdict in {Verdict.STALE, Verdict.NEEDS_REREAD, Verdict.CLOSED}
        if up_to_date:
            after = [(lk.status, lk.stage, lk.last_change_at, lk.closed) for lk in self.intro.links]
            assert after == before
            assert len(self.intro.events) == events_before

    @precondition(lambda self: self.intro.withdrawn_at is None)
    @rule()
    def intrro_withdraws(self) -> None:
        before = self._model_statuses()
        self.intro.withdraw(at=at(10_000))
        settled = {ReferralStatus.HIRED, ReferralStatus.REJECTED, ReferralStatus.WITHDRAWN}
        for app in self.apps:
            # An application the ATS already settled keeps its status; the others are withdrawn.
            if not app.closed and app.status not in settled:
                app.status = ReferralStatus.WITHDRAWN
                app.withdrawn_by_intrro = True
        self._check_new_events(before)

    @rule(index=app_indexes)
    def reconcile(self, index: int) -> None:
        app = self.apps[index % len(self.apps)]
        before = self._model_statuses()
        self._reread(app)
        self._check_new_events(before)

    # -- the service's part, simulated ----------------------------------------------------------

    def _receive(self, app: ModelApplication, signal: ApplicationSignal) -> Verdict:
        before = self._model_statuses()
        expected = self._expected_verdict(app, signal)
        verdict = self.intro.apply_signal(
            signal, mapping=self.mapping, job_stages=STAGES, at=at(10_000)
        )
        assert verdict is expected, (signal, app.seen)
        if verdict is Verdict.APPLIED:
            if isinstance(signal, ApplicationDeleted):
                app.closed = True
            else:
                app.seen = signal.occurred_at
                app.withdrawn_by_intrro = False
                app.status = app.status_as_of(app.seen, self.table)
            self._check_new_events(before)
        elif verdict is Verdict.NEEDS_REREAD:
            self._check_new_events(before)
            self._reread(app)
            self._check_new_events(before)
        else:
            self._check_new_events(before)
        return verdict

    def _expected_verdict(self, app: ModelApplication, signal: ApplicationSignal) -> Verdict:
        if app.closed:
            return Verdict.CLOSED
        if isinstance(signal, ApplicationDeleted):
            return Verdict.APPLIED
        time = signal.occurred_at
        if time is None or time == app.seen:
            return Verdict.NEEDS_REREAD
        if app.seen is not None and time < app.seen:
            return Verdict.STALE
        return Verdict.APPLIED if tells_status(signal) else Verdict.NEEDS_REREAD

    def _reread(self, app: ModelApplication) -> None:
        """What the service does: read the application now; a 404 closes it."""
        if app.deleted_in_ats:
            changed = self.intro.close_application(app.application_id, RemovalReason.DELETED)
            assert changed is not app.closed
            app.closed = True
            return
        read = snapshot(app.application_id, app.history, app.latest_time)
        verdict = self.intro.apply_snapshot(
            read, mapping=self.mapping, job_stages=STAGES, at=at(10_000)
        )
        if app.closed:
            assert verdict is Verdict.CLOSED
            return
        assert verdict is Verdict.APPLIED
        app.withdrawn_by_intrro = False
        if app.latest_time is not None and (app.seen is None or app.latest_time > app.seen):
            app.seen = app.latest_time
        app.status = status_of(replay(app.history), self.table)

    # -- checks -----------------------------------------------------------------------------------

    def _model_statuses(self) -> list[tuple[ReferralStatus, bool]]:
        return [(app.status, app.closed) for app in self.apps]

    def _check_new_events(self, before: list[tuple[ReferralStatus, bool]]) -> None:
        """Exactly one status event per status change the model made, one removal per closing."""
        new = self.intro.events[self.events_checked :]
        self.events_checked = len(self.intro.events)
        expected: list[tuple[str, str, object, object]] = []
        for app, (status, closed) in zip(self.apps, before, strict=True):
            if app.status is not status:
                expected.append(("status", app.job_id, status, app.status))
            if app.closed and not closed:
                expected.append(("removed", app.job_id, "deleted", None))
        got: list[tuple[str, str, object, object]] = []
        for event in new:
            if isinstance(event, ApplicationStatusChanged):
                assert event.previous_status is not event.status
                got.append(("status", event.job_id, event.previous_status, event.status))
            else:
                assert isinstance(event, ApplicationRemoved)
                got.append(("removed", event.job_id, event.reason, None))
        assert got == expected

    @invariant()
    def statuses_agree_with_the_reference_model(self) -> None:
        for app, link in zip(self.apps, self.intro.links, strict=True):
            assert link.status is app.status
            assert (link.closed is not None) is app.closed
            assert link.last_change_at == app.seen
            if not app.closed and not app.withdrawn_by_intrro:
                assert app.status is app.status_as_of(app.seen, self.table)

    @invariant()
    def with_everything_delivered_the_newest_signal_decides(self) -> None:
        for app, link in zip(self.apps, self.intro.links, strict=True):
            if not (app.pending or app.deleted_in_ats or app.withdrawn_by_intrro):
                assert link.status is status_of(replay(app.history), self.table)

    @invariant()
    def sequence_numbers_rise_strictly(self) -> None:
        sequences = [e.sequence for e in self.intro.events]
        assert sequences == sorted(set(sequences))
        assert not sequences or sequences[-1] == self.intro.sequence

    @invariant()
    def every_history_entry_is_a_change(self) -> None:
        for link in self.intro.links:
            assert all(change.previous is not change.status for change in link.history)


IntroductionSignals.TestCase.settings = settings(settings.default, stateful_step_count=40)
TestIntroductionSignalsAgreeWithTheReferenceModel = IntroductionSignals.TestCase
