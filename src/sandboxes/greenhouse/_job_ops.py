"""Job and job post changes made in the Greenhouse UI, each firing its web hook."""

from __future__ import annotations

from intrro_gateway.sandboxes.greenhouse import _payloads
from intrro_gateway.sandboxes.greenhouse._webhooks import DeliveryOptions
from intrro_gateway.sandboxes.greenhouse.errors import InvalidStateError
from intrro_gateway.sandboxes.greenhouse.state import SandboxState


def close_job(
    state: SandboxState, job_id: int, options: DeliveryOptions | None = None
) -> list[str]:
    """Close an open job; fires `job_updated`."""
    job = state.get("jobs", job_id)
    if job["status"] == "closed":
        raise InvalidStateError(f"job {job_id} is already closed")
    job["status"] = "closed"
    state.touch(job, "closed_at")
    return state.webhooks.fire("job_updated", {"job": _payloads.job_payload(state, job)}, options)


def reopen_job(
    state: SandboxState, job_id: int, options: DeliveryOptions | None = None
) -> list[str]:
    """Open a closed job again; fires `job_updated`."""
    job = state.get("jobs", job_id)
    if job["status"] == "open":
        raise InvalidStateError(f"job {job_id} is already open")
    job["status"] = "open"
    job["closed_at"] = None
    state.touch(job, "opened_at")
    return state.webhooks.fire("job_updated", {"job": _payloads.job_payload(state, job)}, options)


def update_job(
    state: SandboxState, job_id: int, name: str, options: DeliveryOptions | None = None
) -> list[str]:
    """Rename a job; fires `job_updated`."""
    job = state.get("jobs", job_id)
    job["name"] = name
    state.touch(job)
    return state.webhooks.fire("job_updated", {"job": _payloads.job_payload(state, job)}, options)


def delete_job(
    state: SandboxState, job_id: int, options: DeliveryOptions | None = None
) -> list[str]:
    """Delete a closed job with its stages and posts; fires `job_deleted`."""
    job = state.get("jobs", job_id)
    if job["status"] != "closed":
        raise InvalidStateError(
            f"only a closed job can be deleted; job {job_id} is {job['status']}"
        )
    if any(a["job_id"] == job_id for a in state.tables["applications"].values()):
        raise InvalidStateError(f"job {job_id} has applications; delete them first")
    for resource in ("job_interview_stages", "job_posts"):
        table = state.tables[resource]
        for row_id in [r["id"] for r in table.values() if r["job_id"] == job_id]:
            del table[row_id]
    del state.tables["jobs"][job_id]
    return state.webhooks.fire("job_deleted", {"job": {"id": job_id, "name": job["name"]}}, options)


def update_job_post(
    state: SandboxState,
    job_post_id: int,
    *,
    title: str | None = None,
    live: bool | None = None,
    options: DeliveryOptions | None = None,
) -> list[str]:
    """Retitle or (un)publish a job post; fires the flat `job_post_updated`."""
    post = state.get("job_posts", job_post_id)
    if title is not None:
        post["title"] = title
    if live is not None:
        post["live"] = live
    state.touch(post)
    return state.webhooks.fire("job_post_updated", _payloads.job_post_payload(post), options)
