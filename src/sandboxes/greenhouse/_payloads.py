"""Recruiting web hook payloads in their v1 shapes, built from the sandbox's v3 records."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from intrro_gateway.sandboxes.greenhouse.state import Record, SandboxState

_WEBHOOK_STATUS = {"in_process": "active", "rejected": "rejected", "hired": "hired"}


def _user_ref(state: SandboxState, user_id: int | None) -> dict[str, Any] | None:
    user = state.tables["users"].get(user_id) if user_id is not None else None
    if user is None:
        return None
    return {
        "id": user["id"],
        "email": user["primary_email"],
        "name": user["name"],
        "employee_id": user["employee_id"],
    }


def _department(state: SandboxState, department_id: int | None) -> list[dict[str, Any]]:
    department = state.tables["departments"].get(department_id) if department_id else None
    if department is None:
        return []
    return [{k: department[k] for k in ("id", "name", "parent_id", "external_id")}]


def _offices(state: SandboxState, office_ids: list[int]) -> list[dict[str, Any]]:
    offices = [state.tables["offices"][i] for i in office_ids if i in state.tables["offices"]]
    return [
        {
            "id": o["id"],
            "name": o["name"],
            "location": {"name": o["location"]},
            "parent_id": o["parent_id"],
            "external_id": o["external_id"],
        }
        for o in offices
    ]


def job_payload(state: SandboxState, job: Record) -> dict[str, Any]:
    """A job as job web hooks and `application.jobs[]` carry it."""
    posts = [p for p in state.tables["job_posts"].values() if p["job_id"] == job["id"]]
    return {
        "id": job["id"],
        "name": job["name"],
        "requisition_id": job["requisition_id"],
        "notes": job["notes"],
        "confidential": job["confidential"],
        "status": job["status"],
        "is_template": job["is_template"],
        "copied_from_id": job["copied_from_id"],
        "job_post_id": posts[0]["id"] if posts else None,
        "created_at": job["created_at"],
        "opened_at": job["opened_at"],
        "closed_at": job["closed_at"],
        "updated_at": job["updated_at"],
        "departments": _department(state, job["department_id"]),
        "offices": _offices(state, job["office_ids"]),
        "custom_fields": job["custom_fields"],
        "keyed_custom_fields": job["custom_fields"],
        "hiring_team": {
            "hiring_managers": [],
            "recruiters": [],
            "coordinators": [],
            "sourcers": [],
        },
        "openings": [],
    }


def job_post_payload(job_post: Record) -> dict[str, Any]:
    """A job post as the flat `job_post_*` payloads carry it."""
    return {
        "id": job_post["id"],
        "title": job_post["title"],
        "location": job_post["_location"],
        "content": job_post["content"],
        "internal_content": job_post["internal_content"],
        "updated_at": job_post["updated_at"],
        "job_id": job_post["job_id"],
        "external": not job_post["internal"],
        "internal": job_post["internal"],
        "live": job_post["live"],
        "questions": job_post["questions"],
    }


def candidate_payload(state: SandboxState, candidate: Record) -> dict[str, Any]:
    """A candidate as `update_candidate` and `application.candidate` carry it."""
    application_ids = [
        a["id"]
        for a in state.tables["applications"].values()
        if a["candidate_id"] == candidate["id"]
    ]
    recruiter = coordinator = None
    for application in state.tables["applications"].values():
        if application["candidate_id"] == candidate["id"]:
            recruiter = recruiter or _user_ref(state, application["recruiter_id"])
            coordinator = coordinator or _user_ref(state, application["coordinator_id"])
    return {
        "id": candidate["id"],
        "first_name": candidate["first_name"],
        "last_name": candidate["last_name"],
        "title": candidate["title"],
        "company": candidate["company"],
        "created_at": candidate["created_at"],
        "updated_at": candidate["updated_at"],
        "external_id": None,
        "photo_url": None,
        "url": f"https://app.greenhouse.io/people/{candidate['id']}",
        "is_private": candidate["private"],
        "can_email": candidate["can_email"],
        "phone_numbers": candidate["phone_numbers"],
        "email_addresses": candidate["email_addresses"],
        "addresses": candidate["addresses"],
        "website_addresses": candidate["website_addresses"],
        "social_media_addresses": candidate["social_media_addresses"],
        "educations": [],
        "employments": [],
        "recruiter": recruiter,
        "coordinator": coordinator,
        "attachments": [],
        "tags": candidate["tags"],
        "application_ids": application_ids,
        "custom_fields": candidate["custom_fields"],
        "keyed_custom_fields": candidate["custom_fields"],
    }


def _credited_to(state: SandboxState, referrer_id: int | None) -> dict[str, Any] | None:
    referrer = state.tables["referrers"].get(referrer_id) if referrer_id else None
    if referrer is None:
        return None
    user = _user_ref(state, referrer["user_id"])
    return user if user is not None else {"name": referrer["name"]}


def _rejection_reason(state: SandboxState, reason_id: int | None) -> dict[str, Any] | None:
    reason = state.tables["rejection_reasons"].get(reason_id) if reason_id else None
    if reason is None:
        return None
    kind = reason["type"]
    return {
        "id": reason["id"],
        "name": reason["name"],
        "type": {"id": kind["id"], "name": kind["name"]},
    }


def _current_stage(state: SandboxState, application: Record) -> dict[str, Any] | None:
    row = state.tables["application_stages"].get(application["stage_id"])
    stage = state.tables["job_interview_stages"].get(row["job_interview_stage_id"]) if row else None
    if stage is None:
        return None
    return {"id": stage["id"], "name": stage["name"], "interviews": []}


def application_payload(state: SandboxState, application: Record) -> dict[str, Any]:
    """An application with its candidate and jobs, as the application web hooks carry it."""
    candidate = state.tables["candidates"][application["candidate_id"]]
    job = state.tables["jobs"].get(application["job_id"]) if application["job_id"] else None
    source = state.tables["sources"].get(application["source_id"])
    jobs = [job] if job is not None else []
    if application["prospect"]:
        prospective = [state.tables["jobs"].get(i) for i in application["prospective_job_ids"]]
        jobs = [j for j in prospective if j is not None]
    rejected = application["status"] == "rejected"
    return {
        "id": application["id"],
        "prospect": application["prospect"],
        "status": _WEBHOOK_STATUS.get(application["status"], application["status"]),
        "applied_at": application["created_at"],
        "rejected_at": application["rejected_at"],
        "last_activity_at": application["last_activity_at"],
        "location": {"address": application["location_address"]},
        "source": {"id": source["id"], "public_name": source["name"]} if source else None,
        "credited_to": _credited_to(state, application["referrer_id"]),
        "recruiter": _user_ref(state, application["recruiter_id"]),
        "coordinator": _user_ref(state, application["coordinator_id"]),
        "rejection_reason": _rejection_reason(state, application["rejection_reason_id"]),
        "rejection_details": {"custom_fields": {}, "keyed_custom_fields": {}} if rejected else None,
        "jobs": [job_payload(state, j) for j in jobs],
        "job_post_id": application["job_post_id"],
        "current_stage": _current_stage(state, application),
        "answers": application["answers"],
        "prospect_detail": {"prospect_pool": None, "prospect_stage": None, "prospect_owner": None},
        "custom_fields": application["custom_fields"],
        "keyed_custom_fields": application["custom_fields"],
        "attachments": [],
        "candidate": candidate_payload(state, candidate),
    }


def hire_payload(state: SandboxState, application: Record) -> dict[str, Any]:
    """`hire_candidate`: the application (no current stage) with its offer and opening."""
    body = application_payload(state, application)
    stamp = application["updated_at"]
    body["offer"] = {
        "id": application["id"] + 7,
        "version": 1,
        "created_at": stamp,
        "sent_at": stamp[:10],
        "resolved_at": stamp,
        "starts_at": stamp[:10],
        "custom_fields": {},
    }
    body["opening"] = {"opening_id": None, "custom_fields": {}}
    body["job"] = body["jobs"][0] if body["jobs"] else None
    return body


def flat_application_payload(application: Record) -> dict[str, Any]:
    """`delete_application`: the flat application row."""
    return {
        "id": application["id"],
        "candidate_id": application["candidate_id"],
        "job_id": application["job_id"],
        "created_at": application["created_at"],
        "source_id": application["source_id"],
        "candidate_rejection_reason_id": application["rejection_reason_id"],
        "rejection_note_id": None,
        "rejected_at": application["rejected_at"],
        "referrer_id": application["referrer_id"],
        "prospect": application["prospect"],
        "rejected_by_user_id": None,
    }


def person_payload(
    candidate: Record, deleted_application_ids: list[int], new_candidate_id: int | None = None
) -> dict[str, Any]:
    """`delete_candidate` / `merge_candidate`: the person, plus the winner's id on a merge."""
    person: dict[str, Any] = {
        "id": candidate["id"],
        "first_name": candidate["first_name"],
        "last_name": candidate["last_name"],
        "company": candidate["company"],
        "title": candidate["title"],
        "created_at": candidate["created_at"],
        "headline": None,
        "is_private": candidate["private"],
        "recruiter_user_id": None,
        "coordinator_user_id": None,
        "can_email": candidate["can_email"],
        "deleted_application_ids": deleted_application_ids,
    }
    if new_candidate_id is not None:
        person["new_candidate_id"] = new_candidate_id
    return person
