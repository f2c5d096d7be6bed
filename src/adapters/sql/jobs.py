"""The job repository: a tenant's job mirror, with stages and posts in tables of their own."""

from __future__ import annotations

import builtins
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, or_, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from intrro_gateway.adapters.sql._cursor import decode_cursor, encode_cursor
from intrro_gateway.adapters.sql._db import translated, upsert_insert
from intrro_gateway.adapters.sql.tables import JobPostRow, JobRow, JobStageRow, table
from intrro_gateway.adapters.system import SystemClock
from intrro_gateway.domain.jobs import Department, Job, JobPost, JobStage, JobStatus, Office
from intrro_gateway.domain.status import StageRef
from intrro_gateway.ports.clock import Clock
from intrro_gateway.ports.unit_of_work import JobRepository, Page

__all__ = ["SqlJobRepository"]

_JOBS = table(JobRow)
_STAGES = table(JobStageRow)
_POSTS = table(JobPostRow)

_STAGE_REFS = select(_STAGES.c.stage_id, _STAGES.c.name, _STAGES.c.position).where(
    _STAGES.c.tenant_id == bindparam("tenant_id"), _STAGES.c.job_id == bindparam("job_id")
)
_STAGE_REFS_MANY = select(
    _STAGES.c.job_id, _STAGES.c.stage_id, _STAGES.c.name, _STAGES.c.position
).where(
    _STAGES.c.tenant_id == bindparam("tenant_id"),
    _STAGES.c.job_id.in_(bindparam("job_ids", expanding=True)),
)


class SqlJobRepository(JobRepository):
    """A tenant's job mirror in SQL."""

    def __init__(self, conn: AsyncConnection, clock: Clock | None = None) -> None:
        self._conn = conn
        self._clock: Clock = clock or SystemClock()

    async def get(self, tenant_id: str, job_id: str) -> Job | None:
        """One job of the mirror."""
        jobs = await self._load(tenant_id, [job_id])
        return jobs[0] if jobs else None

    async def stage_refs(self, tenant_id: str, job_id: str) -> tuple[StageRef, ...]:
        """The job's stages in interview-plan order (one query; no job row, no posts)."""
        async with translated():
            rows = (
                await self._conn.execute(_STAGE_REFS, {"tenant_id": tenant_id, "job_id": job_id})
            ).all()
        stages = (JobStage(r[0], r[1], r[2]) for r in rows)
        return tuple(s.as_ref() for s in sorted(stages, key=lambda s: (s.order, s.id)))

    async def stage_refs_many(
        self, tenant_id: str, job_ids: Sequence[str]
    ) -> Mapping[str, tuple[StageRef, ...]]:
        """`stage_refs` of several jobs in one query, by job id (an unknown job has none)."""
        if not job_ids:
            return {}
        found: dict[str, list[JobStage]] = {job_id: [] for job_id in job_ids}
        async with translated():
            result = await self._conn.execute(
                _STAGE_REFS_MANY, {"tenant_id": tenant_id, "job_ids": sorted(set(job_ids))}
            )
            for job_id, stage_id, name, position in result.all():
                found[job_id].append(JobStage(stage_id, name, position))
        return {
            job_id: tuple(s.as_ref() for s in sorted(stages, key=lambda s: (s.order, s.id)))
            for job_id, stages in found.items()
        }

    async def upsert(self, tenant_id: str, job: Job) -> bool:
        """Store a job; returns whether anything changed."""
        if await self.get(tenant_id, job.ats_id) == job:
            return False
        values = {
            "tenant_id": tenant_id,
            "ats_id": job.ats_id,
            "title": job.title,
            "status": str(job.status),
            "is_template": job.is_template,
            "departments": [{"id": d.id, "name": d.name} for d in job.departments],
            "offices": [{"id": o.id, "name": o.name} for o in job.offices],
            "updated_at": job.updated_at,
            "deleted": job.deleted,
            "mirrored_at": self._clock.now(),
        }
        insert = upsert_insert(self._conn, _JOBS).values(values)
        insert = insert.on_conflict_do_update(
            index_elements=[_JOBS.c.tenant_id, _JOBS.c.ats_id],
            set_={k: v for k, v in values.items() if k not in ("tenant_id", "ats_id")},
        )
        key = {"tenant_id": tenant_id, "job_id": job.ats_id}
        async with translated():
            await self._conn.execute(insert)
            for child in (_STAGES, _POSTS):
                await self._conn.execute(
                    delete(child).where(
                        child.c.tenant_id == tenant_id, child.c.job_id == job.ats_id
                    )
                )
            if job.stages:
                await self._conn.execute(
                    _STAGES.insert(),
                    [
                        {**key, "stage_id": s.id, "name": s.name, "position": s.order, "rank": i}
                        for i, s in enumerate(job.stages)
                    ],
                )
            if job.posts:
                await self._conn.execute(
                    _POSTS.insert(),
                    [
                        {**key, "post_id": p.id, "title": p.title, "url": p.url, "rank": i}
                        for i, p in enumerate(job.posts)
                    ],
                )
        return True

    async def list(
        self,
        tenant_id: str,
        *,
        status: str = "open",
        updated_after: datetime | None = None,
        cursor: str | None = None,
        limit: int = 100,
    ) -> Page[Job]:
        """Jobs by status (`open`, `closed`, `all`); deleted ones only with `updated_after`."""
        query = select(_JOBS.c.ats_id).where(
            _JOBS.c.tenant_id == tenant_id, _JOBS.c.is_template.is_(False)
        )
        if status != "all":
            query = query.where(_JOBS.c.status == str(JobStatus(status)))
        if updated_after is None:
            query = query.where(_JOBS.c.deleted.is_(False))
        else:
            query = query.where(
                or_(_JOBS.c.updated_at > updated_after, _JOBS.c.mirrored_at > updated_after)
            )
        if cursor is not None:
            (after,) = decode_cursor(cursor, 1)
            query = query.where(_JOBS.c.ats_id > str(after))
        query = query.order_by(_JOBS.c.ats_id).limit(limit + 1)
        async with translated():
            ids = [str(v) for v in (await self._conn.execute(query)).scalars()]
        more = len(ids) > limit
        ids = ids[:limit]
        jobs = await self._load(tenant_id, ids)
        return Page(items=jobs, next_cursor=encode_cursor(ids[-1]) if more and ids else None)

    async def _load(self, tenant_id: str, job_ids: Sequence[str]) -> builtins.list[Job]:
        if not job_ids:
            return []
        async with translated():
            rows = (
                await self._conn.execute(
                    select(_JOBS).where(_JOBS.c.tenant_id == tenant_id, _JOBS.c.ats_id.in_(job_ids))
                )
            ).mappings()
            by_id = {row["ats_id"]: row for row in rows}
            stages = await self._children(_STAGES, tenant_id, job_ids)
            posts = await self._children(_POSTS, tenant_id, job_ids)
        return [
            _job(
                by_id[job_id],
                stages=[JobStage(r["stage_id"], r["name"], r["position"]) for r in stages[job_id]],
                posts=[JobPost(r["post_id"], r["title"], r["url"]) for r in posts[job_id]],
            )
            for job_id in job_ids
            if job_id in by_id
        ]

    async def _children(
        self, child: Any, tenant_id: str, job_ids: Sequence[str]
    ) -> dict[str, builtins.list[RowMapping]]:
        result = await self._conn.execute(
            select(child)
            .where(and_(child.c.tenant_id == tenant_id, child.c.job_id.in_(job_ids)))
            .order_by(child.c.rank)
        )
        grouped: dict[str, builtins.list[RowMapping]] = defaultdict(builtins.list)
        for row in result.mappings():
            grouped[row["job_id"]].append(row)
        return grouped


def _job(row: RowMapping, *, stages: list[JobStage], posts: list[JobPost]) -> Job:
    return Job(
        ats_id=row["ats_id"],
        title=row["title"],
        status=JobStatus(row["status"]),
        is_template=row["is_template"],
        departments=tuple(Department(d["id"], d["name"]) for d in row["departments"]),
        offices=tuple(Office(o["id"], o["name"]) for o in row["offices"]),
        posts=tuple(posts),
        stages=tuple(stages),
        updated_at=row["updated_at"],
        deleted=row["deleted"],
    )
