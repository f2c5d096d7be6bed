"""Candidate payloads (`payload.candidate`, `payload.person`, anonymisation) read into candidate signals."""

from __future__ import annotations

from intrro_gateway.adapters.greenhouse.webhooks._reading import (
    JsonObject,
    array,
    as_id,
    child,
    req_id,
)
from intrro_gateway.domain.signals import (
    CandidateAnonymized,
    CandidateDeleted,
    CandidateMerged,
    CandidateProfileChanged,
    CandidateSignal,
)
from intrro_gateway.ports.ats_webhooks import MalformedWebhookError


def profile_changed(payload: JsonObject) -> CandidateSignal:
    """`update_candidate`: a standard or custom field of the candidate changed."""
    candidate = child(payload, "candidate", "payload")
    return CandidateProfileChanged(candidate_id=req_id(candidate, "id", "payload.candidate"))


def deleted(payload: JsonObject) -> CandidateSignal:
    """`delete_candidate`: the person and the applications that went with them."""
    where = "payload.person"
    person = child(payload, "person", "payload")
    ids = array(person, "deleted_application_ids", where)
    return CandidateDeleted(
        candidate_id=req_id(person, "id", where),
        application_ids=tuple(
            as_id(value, f"{where}.deleted_application_ids[{i}]") for i, value in enumerate(ids)
        ),
    )


def merged(payload: JsonObject) -> CandidateSignal:
    """`merge_candidate`: `id` was merged away into `new_candidate_id`, which survives."""
    where = "payload.person"
    person = child(payload, "person", "payload")
    return CandidateMerged(
        candidate_id=req_id(person, "id", where),
        into_candidate_id=req_id(person, "new_candidate_id", where),
    )


def anonymized(payload: JsonObject) -> CandidateSignal:
    """`candidate_anonymized`: the candidate and the fields Greenhouse erased."""
    fields = array(payload, "anonymized_fields", "payload")
    for index, field in enumerate(fields):
        if not isinstance(field, str):
            raise MalformedWebhookError(f"payload.anonymized_fields[{index}]: expected a string")
    return CandidateAnonymized(
        candidate_id=req_id(payload, "candidate_id", "payload"), fields=tuple(fields)
    )
