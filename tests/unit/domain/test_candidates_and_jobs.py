"""Candidate profiles, their changes, and jobs as the ATS publishes them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intrro_gateway.domain.candidates import CandidateChanges, CandidateProfile
from intrro_gateway.domain.jobs import Job, JobStage, JobStatus
from tests.unit.domain.builders import OFFER, PHONE, REVIEW

ADA = CandidateProfile(
    first_name="Ada",
    last_name="Lovelace",
    emails=("ada@example.com",),
    phones=("+44 20 0000 0000",),
    linkedin_url="https://linkedin.com/in/ada",
    current_company="Analytical Engines",
)


def test_a_candidate_needs_an_email_address() -> None:
    with pytest.raises(ValueError, match="e-mail"):
        CandidateProfile(first_name="A", last_name="B", emails=())


def test_changes_replace_only_the_fields_they_name() -> None:
    changed = ADA.with_changes(CandidateChanges(last_name="King", phones=()))
    assert (changed.first_name, changed.last_name, changed.phones) == ("Ada", "King", ())
    assert changed.emails == ADA.emails
    assert changed.linkedin_url == ADA.linkedin_url


def test_no_changes_are_empty_and_change_nothing() -> None:
    assert CandidateChanges().is_empty()
    assert not CandidateChanges(location="London").is_empty()
    assert ADA.with_changes(CandidateChanges()) == ADA


@given(
    first=st.none() | st.text(max_size=5),
    title=st.none() | st.text(max_size=5),
    emails=st.none() | st.lists(st.emails(), min_size=1, max_size=2).map(tuple),
)
def test_a_change_takes_each_named_field_and_keeps_the_rest(
    first: str | None, title: str | None, emails: tuple[str, ...] | None
) -> None:
    changed = ADA.with_changes(
        CandidateChanges(first_name=first, current_title=title, emails=emails)
    )
    assert changed.first_name == (ADA.first_name if first is None else first)
    assert changed.current_title == (ADA.current_title if title is None else title)
    assert changed.emails == (ADA.emails if emails is None else emails)
    assert changed.current_company == ADA.current_company


def test_an_anonymised_profile_keeps_nothing_personal() -> None:
    erased = ADA.anonymized()
    personal = {
        "Ada",
        "Lovelace",
        "ada@example.com",
        "+44 20 0000 0000",
        "https://linkedin.com/in/ada",
    }
    assert personal.isdisjoint(
        {erased.first_name, erased.last_name, *erased.emails, *erased.phones}
    )
    assert erased.linkedin_url is None
    assert erased.current_company is None


def job(**fields: object) -> Job:
    base: dict[str, object] = {"ats_id": "j1", "title": "Engineer", "status": JobStatus.OPEN}
    return Job(**(base | fields))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "is_open"),
    [
        ({}, True),
        ({"status": JobStatus.CLOSED}, False),
        ({"status": JobStatus.DRAFT}, False),
        ({"deleted": True}, False),
        ({"is_template": True}, False),
    ],
)
def test_only_an_open_job_that_is_neither_deleted_nor_a_template_takes_candidates(
    fields: dict[str, object], is_open: bool
) -> None:
    assert job(**fields).is_open is is_open


def test_a_job_lists_its_stages_by_their_position_as_references() -> None:
    stages = tuple(
        JobStage(id=s.id, name=s.name, order=s.order or 0) for s in (OFFER, REVIEW, PHONE)
    )
    j = job(stages=stages)
    assert j.stage_refs() == (REVIEW, PHONE, OFFER)
    assert j.stage(PHONE.id) is not None
    assert j.stage("nope") is None
