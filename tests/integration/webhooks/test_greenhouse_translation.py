"""Each documented Greenhouse action translates into the neutral signals the gateway acts on."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from intrro_gateway.adapters.greenhouse.webhooks import GreenhouseWebhookTranslator
from intrro_gateway.domain.signals import (
    ApplicationCreated,
    ApplicationDeleted,
    ApplicationUpdated,
    CandidateAnonymized,
    CandidateDeleted,
    CandidateMerged,
    CandidateProfileChanged,
    Hired,
    Rejected,
    RejectionKind,
    RejectionReason,
    StageChanged,
    Unhired,
    Unrejected,
)
from intrro_gateway.domain.status import StageRef
from intrro_gateway.ports.ats_webhooks import (
    AtsWebhookTranslator,
    JobsTouched,
    MalformedWebhookError,
    Translation,
)
from tests.integration.webhooks._payloads import fixture_bytes, fixture_json, fixture_names

translator = GreenhouseWebhookTranslator()
TECH = StageRef(id="801", name="Technical Interview")
APP = {"application_id": "9001", "candidate_id": "7001", "job_id": "5001", "source": "Intrro"}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


EXPECTED: dict[str, Translation] = {
    "candidate_stage_change": Translation(
        action="candidate_stage_change",
        signals=(StageChanged(stage=TECH, occurred_at=at("2026-11-20T10:15:00Z"), **APP),),
    ),
    "reject_candidate": Translation(
        action="reject_candidate",
        signals=(
            Rejected(
                reason=RejectionReason("14", "Not enough experience", RejectionKind.COMPANY),
                occurred_at=at("2026-11-21T08:00:00Z"),
                **APP,
            ),
        ),
    ),
    "reject_candidate_they_rejected_us": Translation(
        action="reject_candidate",
        signals=(
            Rejected(
                reason=RejectionReason("15", "Accepted another offer", RejectionKind.CANDIDATE),
                occurred_at=at("2026-11-21T07:00:00Z"),
                **APP,
            ),
        ),
    ),
    "reject_candidate_other_reason": Translation(
        action="reject_candidate",
        signals=(
            Rejected(
                reason=RejectionReason("16", "Position filled", RejectionKind.UNSPECIFIED),
                occurred_at=at("2026-11-20T10:15:00Z"),
                **APP,
            ),
        ),
    ),
    "unreject_candidate": Translation(
        action="unreject_candidate",
        signals=(Unrejected(stage=TECH, occurred_at=at("2026-11-22T09:30:00Z"), **APP),),
    ),
    "hire_candidate": Translation(
        action="hire_candidate",
        signals=(Hired(**{**APP, "source": "Intrro referrals"}),),
    ),
    "unhire_candidate": Translation(
        action="unhire_candidate",
        signals=(
            Unhired(
                stage=StageRef(id="805", name="Offer"),
                occurred_at=at("2026-11-24T07:45:00Z"),
                **APP,
            ),
        ),
    ),
    "new_candidate_application": Translation(
        action="new_candidate_application",
        signals=(
            ApplicationCreated(
                stage=StageRef(id="800", name="Application Review"),
                occurred_at=at("2026-11-01T12:00:00Z"),
                **APP,
            ),
        ),
    ),
    "new_prospect_application": Translation(
        action="new_prospect_application",
        signals=(
            ApplicationCreated(
                application_id="9002",
                candidate_id="7001",
                job_id=None,
                source="Intrro",
                prospect=True,
                occurred_at=at("2026-11-02T12:00:00Z"),
            ),
        ),
    ),
    "application_updated": Translation(
        action="application_updated",
        signals=(ApplicationUpdated(stage=TECH, occurred_at=at("2026-11-20T11:00:00Z"), **APP),),
    ),
    "update_candidate": Translation(
        action="update_candidate", signals=(CandidateProfileChanged(candidate_id="7001"),)
    ),
    "delete_application": Translation(
        action="delete_application",
        signals=(ApplicationDeleted(application_id="9001", candidate_id="7001", job_id="5001"),),
    ),
    "delete_candidate": Translation(
        action="delete_candidate",
        signals=(CandidateDeleted(candidate_id="7001", application_ids=("9001", "9002")),),
    ),
    "merge_candidate": Translation(
        action="merge_candidate",
        signals=(CandidateMerged(candidate_id="7001", into_candidate_id="7002"),),
    ),
    "candidate_anonymized": Translation(
        action="candidate_anonymized",
        signals=(
            CandidateAnonymized(candidate_id="7001", fields=("full_name", "email_addresses")),
        ),
    ),
    "job_created": Translation(action="job_created", jobs=JobsTouched(job_ids=("5001",))),
    "job_updated": Translation(action="job_updated", jobs=JobsTouched(job_ids=("5002",))),
    "job_deleted": Translation(action="job_deleted", jobs=JobsTouched(deleted_job_ids=("5004",))),
    "job_post_created": Translation(action="job_post_created", jobs=JobsTouched(job_ids=("5001",))),
    "job_post_updated": Translation(action="job_post_updated", jobs=JobsTouched(job_ids=("5001",))),
    "job_post_updated_prospect_post": Translation(action="job_post_updated", jobs=JobsTouched()),
    "job_post_deleted": Translation(action="job_post_deleted", jobs=JobsTouched(job_ids=("5002",))),
    "job_interview_stage_deleted": Translation(
        action="job_interview_stage_deleted", jobs=JobsTouched(job_ids=("5001",))
    ),
    "department_deleted": Translation(
        action="department_deleted", jobs=JobsTouched(full_resync=True)
    ),
    "office_deleted": Translation(action="office_deleted", jobs=JobsTouched(full_resync=True)),
    "ping": Translation(action="ping", ping=True),
    "offer_created": Translation(action="offer_created", ignored=True),
}


def test_every_fixture_has_an_expected_translation() -> None:
    assert sorted(EXPECTED) == fixture_names()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_documented_payload_translates_to_its_signals(name: str) -> None:
    assert translator.translate(fixture_bytes(name)) == EXPECTED[name]


def test_the_translator_is_an_ats_webhook_translator_for_greenhouse() -> None:
    port: AtsWebhookTranslator = translator
    assert port.source == "greenhouse"


def test_every_subscribed_action_is_used_and_translated_by_a_fixture() -> None:
    subscribed = {action for action, _ in translator.subscriptions()}
    translated = {translation.action for translation in EXPECTED.values()}
    assert subscribed <= translated
    assert all(translator.is_used(action) for action in subscribed)
    assert len(subscribed) == 22


def test_subscription_labels_are_the_ones_greenhouse_shows() -> None:
    labels = dict(translator.subscriptions())
    assert labels["hire_candidate"] == "Candidate has been hired"
    assert labels["candidate_stage_change"] == "Candidate has changed stage"
    assert labels["reject_candidate"] == "Candidate or prospect rejected"
    assert labels["merge_candidate"] == "Merged candidate"


def test_actions_the_gateway_does_not_subscribe_to_are_not_used() -> None:
    assert not translator.is_used("offer_created")
    assert not translator.is_used("interview_deleted")
    assert translator.is_used("ping")


def test_an_unknown_action_is_ignored_without_reading_its_payload() -> None:
    body = json.dumps({"action": "something_new", "payload": "not an object"}).encode()
    assert translator.translate(body) == Translation(action="something_new", ignored=True)


def test_a_stage_change_without_a_stage_is_malformed() -> None:
    document = fixture_json("candidate_stage_change")
    document["payload"]["application"]["current_stage"] = None
    with pytest.raises(MalformedWebhookError):
        translator.translate(json.dumps(document).encode())


def test_a_rejection_reason_type_given_as_a_bare_string_is_read() -> None:
    document = fixture_json("reject_candidate")
    document["payload"]["application"]["rejection_reason"]["type"] = "They rejected us"
    [signal] = translator.translate(json.dumps(document).encode()).signals
    assert isinstance(signal, Rejected)
    assert signal.reason is not None
    assert signal.reason.kind is RejectionKind.CANDIDATE


def test_a_rejection_without_a_reason_has_none() -> None:
    document = fixture_json("reject_candidate")
    document["payload"]["application"]["rejection_reason"] = None
    [signal] = translator.translate(json.dumps(document).encode()).signals
    assert isinstance(signal, Rejected)
    assert signal.reason is None


def test_string_ids_are_kept_as_strings() -> None:
    document = fixture_json("merge_candidate")
    document["payload"]["person"]["new_candidate_id"] = "abc-7002"
    [signal] = translator.translate(json.dumps(document).encode()).signals
    assert signal == CandidateMerged(candidate_id="7001", into_candidate_id="abc-7002")


def test_a_time_without_a_zone_is_read_as_utc() -> None:
    document = fixture_json("candidate_stage_change")
    document["payload"]["application"]["last_activity_at"] = "2026-11-20T10:15:00"
    [signal] = translator.translate(json.dumps(document).encode()).signals
    assert isinstance(signal, StageChanged)
    assert signal.occurred_at == datetime(2026, 11, 20, 10, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[1, 2]", b'{"payload": {}}', b'{"action": 7}', b'{"action": ""}'],
)
def test_a_body_without_an_action_is_malformed(body: bytes) -> None:
    with pytest.raises(MalformedWebhookError):
        translator.translate(body)
    assert translator.action_of(body) is None


def test_the_action_is_read_from_any_json_object_naming_one() -> None:
    assert translator.action_of(fixture_bytes("hire_candidate")) == "hire_candidate"
    assert translator.action_of(b'{"action": "ping"}') == "ping"
    assert translator.action_of(b"\xff\xfe garbage") is None


def test_the_delivery_id_is_the_greenhouse_event_id_header_in_any_case() -> None:
    assert translator.delivery_id({"Greenhouse-Event-ID": "evt-1"}, b"{}") == "evt-1"
    assert translator.delivery_id({"greenhouse-event-id": "evt-2"}, b"{}") == "evt-2"


def test_without_an_event_id_the_delivery_id_is_the_body_hash() -> None:
    body = fixture_bytes("ping")
    first = translator.delivery_id({}, body)
    assert first.startswith("sha256:")
    assert len(first) == len("sha256:") + 64
    assert translator.delivery_id({"Greenhouse-Event-ID": " "}, body) == first
    assert translator.delivery_id({}, body + b" ") != first
