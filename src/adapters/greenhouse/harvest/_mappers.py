"""Greenhouse v3 records mapped to the port's ATS-neutral values; odd records map, never raise."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from intrro_gateway.adapters.greenhouse.harvest import _fields as f
from intrro_gateway.adapters.greenhouse.harvest._parsing import parse_timestamp
from intrro_gateway.adapters.greenhouse.harvest._readings import (
    ACTIVE_STATUSES,
    current_stage_id_on_application,
)
from intrro_gateway.adapters.greenhouse.rejections import (
    rejection_kind as greenhouse_rejection_kind,
)
from intrro_gateway.domain.jobs import Department, Job, JobPost, JobStage, JobStatus, Office
from intrro_gateway.domain.signals import (
    ApplicationSnapshot,
    ApplicationState,
    RejectionKind,
    RejectionReason,
)
from intrro_gateway.domain.status import StageRef
from intrro_gateway.ports.ats import AtsCandidate, AtsSource, AtsUser

_JOB_STATUSES = {s.value: s for s in JobStatus}
_APPLICATION_STATES = {
    "rejected": ApplicationState.REJECTED,
    "hired": ApplicationState.HIRED,
    "converted": ApplicationState.CONVERTED,
}


def job_status(value: Any) -> JobStatus:
    """A job's status; anything unknown reads as closed (never offered to candidates)."""
    key = f.text(value)
    return _JOB_STATUSES.get(key.lower(), JobStatus.CLOSED) if key else JobStatus.CLOSED


def is_template(raw: Mapping[str, Any]) -> bool:
    """Whether a job is a template (`is_template` may be null on old jobs: not a template)."""
    return f.flag(raw.get("is_template")) is True


def department_ids(raw: Mapping[str, Any]) -> tuple[str, ...]:
    """A job's departments: v3 `department_id`, or v1-style `departments[]`."""
    single = f.ident(raw.get("department_id"))
    many = [f.ident(d.get("id")) for d in f.records(raw.get("departments"))]
    return tuple(dict.fromkeys(i for i in [single, *many] if i))


def office_ids(raw: Mapping[str, Any]) -> tuple[str, ...]:
    """A job's offices: v3 `office_ids[]`, or v1-style `offices[]`."""
    many = [f.ident(o.get("id")) for o in f.records(raw.get("offices"))]
    return tuple(dict.fromkeys([*f.idents(raw.get("office_ids")), *(i for i in many if i)]))


def named(raw: Mapping[str, Any]) -> tuple[str, str] | None:
    """The `(id, name)` of a department or office record."""
    ident = f.ident(raw.get("id"))
    if ident is None:
        return None
    return ident, f.text(raw.get("name")) or ""


def job_post(raw: Mapping[str, Any]) -> JobPost | None:
    """A job post with its public URL; inactive posts are left out."""
    ident = f.ident(raw.get("id"))
    if ident is None or f.flag(raw.get("active")) is False:
        return None
    url = f.text(raw.get("public_url")) or f.text(raw.get("absolute_url"))
    return JobPost(id=ident, title=f.text(raw.get("title")) or "", url=url)


def job_stages(rows: Iterable[Mapping[str, Any]]) -> tuple[JobStage, ...]:
    """A job's active interview stages, in plan order, numbered from 0."""
    keyed: list[tuple[int, int, str, str]] = []
    for index, row in enumerate(rows):
        ident = f.ident(row.get("id"))
        if ident is None or f.flag(row.get("active")) is False:
            continue
        order = f.integer(row.get("sort_order"))
        if order is None:
            order = f.integer(row.get("priority"))
        keyed.append((order if order is not None else index, index, ident, _name(row)))
    keyed.sort(key=lambda k: (k[0], k[1]))
    return tuple(JobStage(id=i, name=n, order=pos) for pos, (_, _, i, n) in enumerate(keyed))


def job(
    raw: Mapping[str, Any],
    *,
    departments: Mapping[str, str],
    offices: Mapping[str, str],
    posts: Iterable[JobPost],
    stages: tuple[JobStage, ...],
) -> Job | None:
    """A job with its department, offices, posts and stages; None for a record without an id."""
    ident = f.ident(raw.get("id"))
    if ident is None:
        return None
    return Job(
        ats_id=ident,
        title=f.text(raw.get("name")) or f.text(raw.get("title")) or "",
        status=job_status(raw.get("status")),
        is_template=is_template(raw),
        departments=tuple(
            Department(id=d, name=departments.get(d, "")) for d in department_ids(raw)
        ),
        offices=tuple(Office(id=o, name=offices.get(o, "")) for o in office_ids(raw)),
        posts=tuple(posts),
        stages=stages,
        updated_at=parse_timestamp(raw.get("updated_at")),
    )


def candidate(raw: Mapping[str, Any]) -> AtsCandidate | None:
    """A candidate as Greenhouse holds it; None for a record without an id."""
    ident = f.ident(raw.get("id"))
    if ident is None:
        return None
    tags = tuple(
        t
        for t in (f.text(x) or f.text(f.record(x).get("name")) for x in _list(raw.get("tags")))
        if t
    )
    return AtsCandidate(
        id=ident,
        first_name=f.text(raw.get("first_name")) or "",
        last_name=f.text(raw.get("last_name")) or "",
        emails=f.values(raw.get("email_addresses")),
        phones=f.values(raw.get("phone_numbers")),
        social_profiles=f.values(raw.get("social_media_addresses")),
        websites=f.values(raw.get("website_addresses")),
        company=f.text(raw.get("company")),
        title=f.text(raw.get("title")),
        tags=tags,
        updated_at=parse_timestamp(raw.get("updated_at")),
        location=next(iter(f.values(raw.get("addresses"))), None),
    )


def user(raw: Mapping[str, Any], searched_email: str = "") -> AtsUser | None:
    """A Greenhouse user; None for a record without an id."""
    ident = f.ident(raw.get("id"))
    if ident is None:
        return None
    first, last = f.text(raw.get("first_name")), f.text(raw.get("last_name"))
    name = f.text(raw.get("name")) or " ".join(p for p in (first, last) if p)
    email = (
        f.text(raw.get("primary_email"))
        or f.text(raw.get("primary_email_address"))
        or searched_email
    )
    return AtsUser(
        id=ident, name=name, email=email, site_admin=f.flag(raw.get("site_admin")) is True
    )


def source(raw: Mapping[str, Any]) -> AtsSource | None:
    """A candidate source with its sourcing strategy's name."""
    ident = f.ident(raw.get("id"))
    if ident is None:
        return None
    kind = f.record(raw.get("type"))
    return AtsSource(
        id=ident,
        name=f.text(raw.get("name")) or f.text(raw.get("public_name")) or "",
        type=f.text(kind.get("name")) or f.text(kind.get("key")) or f.text(raw.get("type")),
    )


def rejection_kind(raw: Mapping[str, Any]) -> RejectionKind:
    """Who said no, by the reason's `type.key` (or, failing that, `type.name`)."""
    kind = f.record(raw.get("type"))
    return greenhouse_rejection_kind(f.text(kind.get("key")), f.text(kind.get("name")))


def rejection_reason(raw: Mapping[str, Any]) -> RejectionReason | None:
    """A rejection reason with its kind."""
    ident = f.ident(raw.get("id"))
    if ident is None:
        return None
    return RejectionReason(id=ident, name=_name(raw), kind=rejection_kind(raw))


def stage_ref(raw: Mapping[str, Any]) -> StageRef | None:
    """A job interview stage as a reference, ordered by its `sort_order`."""
    ident = f.ident(raw.get("id"))
    if ident is None:
        return None
    order = f.integer(raw.get("sort_order"))
    return StageRef(id=ident, name=_name(raw), order=order if order is not None else None)


def application_state(raw: Mapping[str, Any]) -> ApplicationState:
    """The application's state; `in_process` (and the filter spelling `active`) is active."""
    status = (f.text(raw.get("status")) or "").lower()
    if status in ACTIVE_STATUSES:
        return ApplicationState.ACTIVE
    return _APPLICATION_STATES.get(status, ApplicationState.ACTIVE)


def application_job_id(raw: Mapping[str, Any]) -> str | None:
    """The job of an application: `job_id`, v1 `jobs[0]`, or a prospect's only prospective job."""
    ident = f.ident(raw.get("job_id"))
    if ident:
        return ident
    jobs = [f.ident(j.get("id")) for j in f.records(raw.get("jobs"))]
    if jobs and jobs[0]:
        return jobs[0]
    prospective = f.idents(raw.get("prospective_job_ids"))
    return prospective[0] if len(prospective) == 1 else None


def application_jobs(raw: Mapping[str, Any]) -> tuple[str, ...]:
    """Every job an application is for (a prospect may name several)."""
    main = application_job_id(raw)
    others = f.idents(raw.get("prospective_job_ids"))
    return tuple(dict.fromkeys([*([main] if main else []), *others]))


def application_stage_id(raw: Mapping[str, Any]) -> str | None:
    """The job interview stage the application itself names, if it names one."""
    return current_stage_id_on_application(raw)


def application_time(raw: Mapping[str, Any]) -> datetime | None:
    """The application's latest activity (`last_activity_at`, else `updated_at`)."""
    return parse_timestamp(raw.get("last_activity_at")) or parse_timestamp(raw.get("updated_at"))


def snapshot(
    raw: Mapping[str, Any],
    *,
    stage: StageRef | None,
    rejection: RejectionReason | None,
) -> ApplicationSnapshot | None:
    """An application as read now; None without an application or candidate id."""
    ident = f.ident(raw.get("id"))
    candidate_id = f.ident(raw.get("candidate_id")) or f.ident(
        f.record(raw.get("candidate")).get("id")
    )
    if ident is None or candidate_id is None:
        return None
    state = application_state(raw)
    return ApplicationSnapshot(
        application_id=ident,
        candidate_id=candidate_id,
        job_id=application_job_id(raw),
        state=state,
        stage=stage,
        rejection=rejection if state is ApplicationState.REJECTED else None,
        as_of=application_time(raw),
        prospect=f.flag(raw.get("prospect")) is True,
    )


def _name(raw: Mapping[str, Any]) -> str:
    return f.text(raw.get("name")) or ""


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []
