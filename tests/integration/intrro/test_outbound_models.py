"""What the services put in each outbound event's `data` is what the published schema allows."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC

from hypothesis import given
from hypothesis import strategies as st

from intrro_gateway.adapters.intrro.outbound import check_data
from intrro_gateway.domain import events
from intrro_gateway.domain.jobs import Job
from intrro_gateway.domain.profiles import HeldProfile
from intrro_gateway.services import outbound

TIMES = st.datetimes(timezones=st.just(UTC))
VIEWS = st.builds(
    events.ApplicationView,
    problem=st.sampled_from([None, "job_not_open", "export_incomplete"]),
    closed=st.none(),
)
SNAPSHOT = st.lists(VIEWS, max_size=3).map(tuple)
SEQ = st.integers(min_value=0, max_value=2**31)
JOBS = st.builds(Job, updated_at=st.none() | TIMES)

EVENTS = st.one_of(
    st.builds(
        events.IntroductionExported,
        ats=st.sampled_from(["greenhouse", "lever"]),
        referral_credit=st.sampled_from(["referrer", "custom_field", "follower", "none"]),
        applications=SNAPSHOT,
        sequence=SEQ,
    ),
    st.builds(
        events.ApplicationStatusChanged, occurred_at=TIMES, applications=SNAPSHOT, sequence=SEQ
    ),
    st.builds(
        events.ApplicationRemoved,
        reason=st.sampled_from(["deleted", "merged"]),
        applications=SNAPSHOT,
        sequence=SEQ,
    ),
    st.builds(
        events.IntroductionFailed,
        code=st.sampled_from(
            ["job_not_open", "permission_missing", "ats_rejected", "not_connected"]
        ),
        sequence=SEQ,
    ),
    st.builds(
        events.CandidateChanged,
        changed=st.lists(st.sampled_from([f.name for f in fields(HeldProfile)]), unique=True).map(
            tuple
        ),
        sequence=SEQ,
    ),
    st.builds(events.JobsChanged, jobs=st.lists(JOBS, max_size=2).map(tuple), sequence=SEQ),
)


@given(EVENTS)
def test_every_outbound_payload_reads_back_through_its_model(event: events.DomainEvent) -> None:
    kind = outbound.event_type(event)
    data = outbound.payload(event)

    model = check_data(kind, data)

    assert set(model.model_dump()) == set(data)
