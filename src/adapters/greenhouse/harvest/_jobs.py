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
        raw_jobs = await http.list_all(ctx, "/v3/jobs", {"status": "open"})
    jobs = {i: r for r in raw_jobs if (i := f.ident(r.get("id"))) and not m.is_template(r)}
    if not jobs:
        return []
    ids = list(jobs)
    posts, stages = await _children(http, ctx, settings, ids)
    departments = await _names(http, ctx, "/v3/departments")
    offices = await _names(http, ctx, "/v3/offices")
    out: list[Job] = []
    for ident, raw in jobs.items():
        job = m.job(
            raw,
            departments=departments,
            offices=offices,
            posts=posts.get(ident, ()),
            stages=m.job_stages(stages.get(ident, ())),
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
    else:
        raw_posts = await http.list_all(ctx, "/v3/job_posts")
        raw_stages = await http.list_all(ctx, "/v3/job_interview_stages")
    wanted = set(ids)
    posts: dict[str, list[JobPost]] = defaultdict(list)
    for raw in raw_posts:
        job_id = f.ident(raw.get("job_id"))
        post = m.job_post(raw)
        if job_id in wanted and job_id is not None and post is not None:
            posts[job_id].append(post)
    stages: dict[str, list[Record]] = defaultdict(list)
    for raw in raw_stages:
        job_id = f.ident(raw.get("job_id"))
        if job_id in wanted and job_id is not None:
            stages[job_id].append(raw)
    return posts, stages


async def _names(http: HarvestHttp, ctx: AtsContext, path: str) -> dict[str, str]:
    return dict(p for p in (m.named(r) for r in await http.list_all(ctx, path)) if p is not None)
