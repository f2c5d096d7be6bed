"""Job, job post, stage and organisation payloads read into the jobs to re-read."""

from __future__ import annotations

from intrro_gateway.adapters.greenhouse.webhooks._reading import JsonObject, child, opt_id, req_id
from intrro_gateway.ports.ats_webhooks import JobsTouched


def job_changed(payload: JsonObject) -> JobsTouched:
    """`job_created` and `job_updated`: re-read the job."""
    return JobsTouched(job_ids=(req_id(child(payload, "job", "payload"), "id", "payload.job"),))


def job_deleted(payload: JsonObject) -> JobsTouched:
    """`job_deleted`: the job is gone."""
    job = child(payload, "job", "payload")
    return JobsTouched(deleted_job_ids=(req_id(job, "id", "payload.job"),))


def job_post_changed(payload: JsonObject) -> JobsTouched:
    """`job_post_created` and `job_post_updated` (flat payloads): re-read the post's job.

    A post without `job_id` is a prospect post, which belongs to no job: nothing to re-read.
    """
    req_id(payload, "id", "payload")
    return _posts_job(opt_id(payload, "job_id", "payload"))


def job_post_deleted(payload: JsonObject) -> JobsTouched:
    """`job_post_deleted`: re-read the job that lost a post."""
    post = child(payload, "job_post", "payload")
    req_id(post, "id", "payload.job_post")
    return _posts_job(opt_id(post, "job_id", "payload.job_post"))


def stage_deleted(payload: JsonObject) -> JobsTouched:
    """`job_interview_stage_deleted`: re-read the job whose stages changed."""
    stage = child(payload, "job_interview_stage", "payload")
    req_id(stage, "id", "payload.job_interview_stage")
    return JobsTouched(job_ids=(req_id(stage, "job_id", "payload.job_interview_stage"),))


def organisation_deleted(key: str, payload: JsonObject) -> JobsTouched:
    """`department_deleted` / `office_deleted`: any job may have changed, so re-import them all."""
    req_id(child(payload, key, "payload"), "id", f"payload.{key}")
    return JobsTouched(full_resync=True)


def _posts_job(job_id: str | None) -> JobsTouched:
    return JobsTouched(job_ids=(job_id,) if job_id is not None else ())
