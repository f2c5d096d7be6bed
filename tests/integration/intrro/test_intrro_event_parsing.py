"""Intrro's three event types are read strictly into commands; every bad field is named."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from intrro_gateway.adapters.intrro import IntrroEventReader
from intrro_gateway.domain.candidates import CandidateChanges, CandidateProfile, Referrer
from intrro_gateway.domain.commands import AcceptIntroduction, UpdateCandidate, WithdrawIntroduction
from intrro_gateway.ports.referral_events import (
    FieldError,
    InvalidEventError,
    NotJsonError,
    ParsedEvent,
)
from tests.integration.intrro._events import accepted, encode, updated, withdrawn

reader = IntrroEventReader()


def errors_of(event: Any) -> set[str]:
    with pytest.raises(InvalidEventError) as caught:
        reader.parse("acme", encode(event))
    assert caught.value.errors
    return {error.field for error in caught.value.errors}


def test_an_accepted_introduction_becomes_accept_introduction() -> None:
    parsed = reader.parse("acme", encode(accepted()))
    assert parsed == ParsedEvent(
        type="introduction.accepted",
        ordering_key="intro-1",
        command=AcceptIntroduction(
            tenant_id="acme",
            introduction_id="intro-1",
            candidate=CandidateProfile(
                first_name="Ana",
                last_name="Sousa",
                emails=("ana.sousa@example.com", "ana@work.example.org"),
                phones=("+351 910 000 000",),
                linkedin_url="https://www.linkedin.com/in/ana-sousa",
                social_profiles=("https://github.com/anasousa",),
                websites=("http://ana.example.org/",),
                current_company="Acme",
                current_title="Engineer",
                location="Lisbon",
            ),
            referrer=Referrer(name="Rita Referrer", email="rita@acme.example", employee_id="E-17"),
            job_ids=("5001", "5002"),
            message="Great engineer, worked with her for years.",
            accepted_at=datetime(2026, 11, 24, 3, 59, tzinfo=UTC),
        ),
    )


def test_an_accepted_introduction_needs_only_names_emails_referrer_jobs_and_time() -> None:
    event = accepted()
    candidate = event["data"]["candidate"]
    event["data"]["candidate"] = {k: candidate[k] for k in ("first_name", "last_name", "emails")}
    del event["data"]["message"]
    del event["data"]["referrer"]["employee_id"]
    command = reader.parse("acme", encode(event)).command
    assert isinstance(command, AcceptIntroduction)
    assert command.candidate == CandidateProfile(
        "Ana", "Sousa", ("ana.sousa@example.com", "ana@work.example.org")
    )
    assert command.message is None
    assert command.referrer.employee_id is None


def test_repeated_job_ids_are_kept_once_in_order() -> None:
    event = accepted()
    event["data"]["job_ids"] = ["7", "5", "7"]
    command = reader.parse("acme", encode(event)).command
    assert isinstance(command, AcceptIntroduction)
    assert command.job_ids == ("7", "5")


def test_a_candidate_update_carries_only_the_fields_sent() -> None:
    parsed = reader.parse("acme", encode(updated()))
    assert parsed == ParsedEvent(
        type="candidate.updated",
        ordering_key="intro-1",
        command=UpdateCandidate(
            tenant_id="acme",
            introduction_id="intro-1",
            changes=CandidateChanges(last_name="Sousa-Lima", emails=("ana.lima@example.com",)),
            updated_at=datetime(2026, 11, 24, 5, 1, tzinfo=UTC),
        ),
    )


def test_a_nullable_field_sent_as_null_in_an_update_is_left_alone() -> None:
    event = updated()
    event["data"]["candidate"] = {"current_title": None, "location": "Porto"}
    command = reader.parse("acme", encode(event)).command
    assert isinstance(command, UpdateCandidate)
    assert command.changes == CandidateChanges(location="Porto")


def test_a_withdrawal_becomes_withdraw_introduction() -> None:
    parsed = reader.parse("acme", encode(withdrawn()))
    assert parsed == ParsedEvent(
        type="introduction.withdrawn",
        ordering_key="intro-1",
        command=WithdrawIntroduction(
            tenant_id="acme",
            introduction_id="intro-1",
            reason="took another offer",
            withdrawn_at=datetime(2026, 11, 24, 5, 2, tzinfo=UTC),
        ),
    )


def test_an_unknown_type_is_parsed_without_a_command() -> None:
    event = {"type": "referrer.updated", "timestamp": "2026-11-24T05:00:00Z", "data": {"x": 1}}
    assert reader.parse("acme", encode(event)) == ParsedEvent(
        type="referrer.updated", command=None, ordering_key=None
    )


@pytest.mark.parametrize("body", [b"", b"{", b"not json", b"\xff\xfe\x00"])
def test_a_body_that_is_not_json_is_not_json(body: bytes) -> None:
    with pytest.raises(NotJsonError):
        reader.parse("acme", body)


@pytest.mark.parametrize("document", [[], "text", 3, None])
def test_json_that_is_not_an_object_is_invalid(document: Any) -> None:
    with pytest.raises(InvalidEventError):
        reader.parse("acme", json.dumps(document).encode())


def test_a_broken_envelope_names_each_bad_field() -> None:
    event = {"type": "", "timestamp": "yesterday", "data": []}
    assert errors_of(event) == {"type", "timestamp", "data"}


@pytest.mark.parametrize(
    "stamp", ["2026-11-24T05:00:00", "2026-11-24", "24/11/2026 05:00", "2026-11-24T25:00:00Z"]
)
def test_a_time_without_a_zone_or_not_iso_is_named(stamp: str) -> None:
    event = withdrawn()
    event["data"]["withdrawn_at"] = stamp
    assert errors_of(event) == {"data.withdrawn_at"}


def test_every_bad_field_of_an_accepted_introduction_is_named() -> None:
    event = accepted()
    data = event["data"]
    data["introduction_id"] = 12
    data["candidate"]["emails"] = ["ana.sousa@example.com", "not-an-email"]
    data["candidate"]["websites"] = ["ftp://files.example.org"]
    data["candidate"]["linkedin_url"] = "linkedin.com/in/ana"
    data["candidate"]["phones"] = [""]
    data["candidate"]["current_company"] = 3
    data["referrer"]["email"] = "rita at acme"
    data["job_ids"] = ["5001", ""]
    data["message"] = ["hi"]
    assert errors_of(event) == {
        "data.introduction_id",
        "data.candidate.emails[1]",
        "data.candidate.websites[0]",
        "data.candidate.linkedin_url",
        "data.candidate.phones[0]",
        "data.candidate.current_company",
        "data.referrer.email",
        "data.job_ids[1]",
        "data.message",
    }


def test_missing_required_fields_are_named() -> None:
    event = accepted()
    for key in ("introduction_id", "referrer", "job_ids", "accepted_at"):
        del event["data"][key]
    del event["data"]["candidate"]["emails"]
    assert errors_of(event) == {
        "data.introduction_id",
        "data.referrer",
        "data.job_ids",
        "data.accepted_at",
        "data.candidate.emails",
    }


@pytest.mark.parametrize("job_ids", [[], None, "5001", [5001]])
def test_job_ids_must_be_at_least_one_string(job_ids: Any) -> None:
    event = accepted()
    event["data"]["job_ids"] = job_ids
    assert errors_of(event) <= {"data.job_ids", "data.job_ids[0]"}


def test_an_empty_email_list_is_named() -> None:
    event = updated()
    event["data"]["candidate"] = {"emails": []}
    assert errors_of(event) == {"data.candidate.emails"}


def test_the_errors_carry_a_message_for_each_field() -> None:
    event = withdrawn()
    del event["data"]["introduction_id"]
    with pytest.raises(InvalidEventError) as caught:
        reader.parse("acme", encode(event))
    assert caught.value.errors == (FieldError("data.introduction_id", "is required"),)


@pytest.mark.parametrize(
    "email",
    ["a@b.co", "first.last+tag@sub.example.org", "x_y@example-domain.io"],
)
def test_ordinary_email_addresses_are_accepted(email: str) -> None:
    event = accepted()
    event["data"]["referrer"]["email"] = email
    assert reader.parse("acme", encode(event)).command is not None


@pytest.mark.parametrize(
    "email",
    [
        "plain",
        "@example.com",
        "a@",
        "a@b",
        "a b@example.com",
        "a@@example.com",
        "a@-x.com",
        "a..b@example.com",
        "a@example.com\n",
        "a@1.2.3.4",
    ],
)
def test_malformed_email_addresses_are_named(email: str) -> None:
    event = accepted()
    event["data"]["referrer"]["email"] = email
    assert errors_of(event) == {"data.referrer.email"}


def test_an_empty_candidate_in_an_accepted_introduction_names_the_required_fields() -> None:
    event = accepted()
    event["data"]["candidate"] = {}
    assert errors_of(event) == {
        "data.candidate.first_name",
        "data.candidate.last_name",
        "data.candidate.emails",
    }


def test_an_empty_candidate_in_an_update_changes_nothing() -> None:
    event = updated()
    event["data"]["candidate"] = {}
    command = reader.parse("acme", encode(event)).command
    assert isinstance(command, UpdateCandidate)
    assert command.changes.is_empty()
