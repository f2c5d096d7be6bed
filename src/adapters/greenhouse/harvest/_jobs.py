"""Jobs with their departments, offices, posts and stages, in the fewest list calls."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from intrro_gateway.adapters.greenhouse.harvest import _fields as f
from intrro_gateway.adapters.greenhouse.harvest import _mappers as m
from intrro_gateway.adapters.greenhouse.harvest._http import HarvestHttp
from intrro_gateway.adapters.greenhouse.harvest._settings import HarvestSettings
from intrro_gateway.domain.jobs import Job, JobPost
from intrro_gateway.ports.ats import AtsContext

Record = Mapping[str, Any]

# What the mappers read of a job and of an interview stage: a page's records are cut down to these as
# it arrives, so a full import of 10,000 jobs never holds every page whole (bench/job_import.py).
_JOB_KEYS = (
    "id",
    "name",
    "title",
    "status",
    "is_template",
    "department_id",
    "departments",
    "office_ids",
    "offices",
    "updated_at",
)
_STAGE_KEYS = ("id", "job_id", "active", "sort_order", "priority", "name")


def _kept(raw: Record, keys: tuple[str, ...]) -> Record:
    return {key: raw[key] for key in keys if key in raw}


async def load_jobs(
    http: HarvestHttp,
    ctx: AtsContext,
    settings: HarvestSettings,
    *,
    updated_since: datetime | None,
    job_ids: Sequence[str],
) -> list[Job]:
    """Open jobs (or those changed since a time, or those ids), templates excluded, fully described.

    Requests: one paginated list of jobs, then one each of job posts, interview stages,
    departments and offices; posts and stages are filtered by `job_ids` (50 a request) when
    the job set is small, and listed whole otherwise.
    """
    if job_ids:
        raw_jobs = await http.list_by_ids(ctx, "/v3/jobs", "ids", job_ids)
    elif updated_since is not None:
        raw_jobs = await http.list_since(ctx, "/v3/jobs", "updated_at", updated_since)
    else:
        raw_jobs = [
            _kept(r, _JOB_KEYS)
            async for page in http.pages(ctx, "/v3/jobs", {"status": "open"})
            for r in page
        ]
    jobs = {i: r for r in raw_jobs if (i := f.ident(r.get("id"))) and not m.is_template(r)}
    del raw_jobs
    if not jobs:
        return []
    ids = list(jobs)
    posts, stages = await _children(http, ctx, settings, ids)
    departments = await _names(http, ctx, "/v3/departments")
    offices = await _names(http, ctx, "/v3/offices")
    out: list[Job] = []
    for ident in (
        ids
    ):  # each job's records let go once it is built, so they and the jobs never peak together
        job = m.job(
            jobs.pop(ident),
            departments=departments,
            offices=offices,
            posts=posts.pop(ident, ()),
            stages=m.job_stages(stages.pop(ident, ())),
        )
        if job is not None:
            out.append(job)
    return out


async def _children(
    http: HarvestHttp, ctx: AtsContext, settings: HarvestSettings, ids: list[str]
) -> tuple[dict[str, list[JobPost]], dict[str, list[Record]]]:
    if len(ids) <= settings.small_job_set:
        raw_posts = await http.list_by_ids(ctx, "/v3/job_posts", "job_ids", ids)
        raw_stages = await http.list_by_ids(ctx, "/v3/job_interview_stages", "job_ids", ids)
        return _posts_of(raw_posts, set(ids)), _stages_of(raw_stages, set(ids))
    wanted = set(ids)
    posts: dict[str, list[JobPost]] = defaultdict(list)
    async for page in http.pages(ctx, "/v3/job_posts"):
        for job_id, found in _posts_of(page, wanted).items():
            posts[job_id].extend(found)
    stages: dict[str, list[Record]] = defaultdict(list)
    async for page in http.pages(ctx, "/v3/job_interview_stages"):
        for job_id, rows in _stages_of(page, wanted).items():
            stages[job_id].extend(rows)
    return posts, stages


def _posts_of(raw_posts: Sequence[Record], wanted: set[str]) -> dict[str, list[JobPost]]:
    posts: dict[str, list[JobPost]] = defaultdict(list)
    for raw in raw_posts:
        job_id = f.ident(raw.get("job_id"))
        post = m.job_post(raw)
        if job_id in wanted and job_id is not None and post is not None:
            posts[job_id].append(post)
    return posts


def _stages_of(raw_stages: Sequence[Record], wanted: set[str]) -> dict[str, list[Record]]:
    stages: dict[str, list[Record]] = defaultdict(list)
    for raw in raw_stages:
        job_id = f.ident(raw.get("job_id"))
        if job_id in wanted and job_id is not None:
            stages[job_id].append(_kept(raw, _STAGE_KEYS))
    return stages


async def _names(http: HarvestHttp, ctx: AtsContext, path: str) -> dict[str, str]:
    return dict(p for p in (m.named(r) for r in await http.list_all(ctx, path)) if p is not None)
