"""Applications read with their current interview stage and, when rejected, their reason."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from intrro_gateway.adapters.greenhouse.harvest import _fields as f
from intrro_gateway.adapters.greenhouse.harvest import _mappers as m
from intrro_gateway.adapters.greenhouse.harvest._http import HarvestHttp
from intrro_gateway.domain.signals import ApplicationSnapshot, ApplicationState, RejectionReason
from intrro_gateway.domain.status import StageRef
from intrro_gateway.ports.ats import AtsContext

Record = Mapping[str, Any]


async def snapshots(
    http: HarvestHttp, ctx: AtsContext, raw_apps: Sequence[Record]
) -> list[ApplicationSnapshot]:
    """Applications as they are now, each with its current stage and rejection reason.

    Requests: `application_stages?current=true` for the active ones that do not name their
    stage, `job_interview_stages?ids=` for the stage names and orders, and for rejected ones
    `rejection_details` plus one list of rejection reasons; each by ids, 50 a request.
    """
    stages = await current_stages(http, ctx, raw_apps)
    rejections = await _rejections(http, ctx, raw_apps)
    out: list[ApplicationSnapshot] = []
    for raw in raw_apps:
        ident = f.ident(raw.get("id")) or ""
        snap = m.snapshot(raw, stage=stages.get(ident), rejection=rejections.get(ident))
        if snap is not None:
            out.append(snap)
    return out


async def current_stages(
    http: HarvestHttp, ctx: AtsContext, raw_apps: Sequence[Record]
) -> dict[str, StageRef]:
    """The current job interview stage of each active application, by application id."""
    stage_of: dict[str, str] = {}
    unknown: list[str] = []
    for raw in raw_apps:
        ident = f.ident(raw.get("id"))
        if ident is None or m.application_state(raw) is not ApplicationState.ACTIVE:
            continue
        named = m.application_stage_id(raw)
        if named is not None:
            stage_of[ident] = named
        else:
            unknown.append(ident)
    if unknown:
        rows = await http.list_by_ids(
            ctx, "/v3/application_stages", "application_ids", unknown, {"current": "true"}
        )
        for row in rows:
            app_id = f.ident(row.get("application_id"))
            stage_id = f.ident(row.get("job_interview_stage_id"))
            if app_id in unknown and stage_id is not None and _is_current(row):
                stage_of[app_id] = stage_id
    if not stage_of:
        return {}
    defs = await http.list_by_ids(
        ctx, "/v3/job_interview_stages", "ids", sorted(set(stage_of.values()))
    )
    refs = {ref.id: ref for ref in (m.stage_ref(d) for d in defs) if ref is not None}
    return {app: refs.get(stage) or StageRef(id=stage, name="") for app, stage in stage_of.items()}


def _is_current(row: Record) -> bool:
    current = f.flag(row.get("current"))
    if current is not None:
        return current
    return row.get("exited_at") is None


async def _rejections(
    http: HarvestHttp, ctx: AtsContext, raw_apps: Sequence[Record]
) -> dict[str, RejectionReason]:
    reason_of: dict[str, str] = {}
    unknown: list[str] = []
    for raw in raw_apps:
        ident = f.ident(raw.get("id"))
        if ident is None or m.application_state(raw) is not ApplicationState.REJECTED:
            continue
        named = f.ident(raw.get("rejection_reason_id")) or f.ident(
            f.record(raw.get("rejection_reason")).get("id")
        )
        if named is not None:
            reason_of[ident] = named
        else:
            unknown.append(ident)
    if unknown:
        rows = await http.list_by_ids(ctx, "/v3/rejection_details", "application_ids", unknown)
        for row in rows:
            app_id = f.ident(row.get("application_id"))
            reason_id = f.ident(row.get("rejection_reason_id"))
            if app_id in unknown and reason_id is not None:
                reason_of[app_id] = reason_id
    if not reason_of:
        return {}
    reasons = await list_rejection_reasons(http, ctx)
    by_id = {r.id: r for r in reasons}
    return {app: by_id[reason] for app, reason in reason_of.items() if reason in by_id}


async def list_rejection_reasons(http: HarvestHttp, ctx: AtsContext) -> list[RejectionReason]:
    """Every rejection reason of the account, Greenhouse's defaults included."""
    rows = await http.list_all(ctx, "/v3/rejection_reasons", {"include_defaults": "true"})
    return [r for r in (m.rejection_reason(row) for row in rows) if r is not None]


def for_job(raw_apps: Sequence[Record], job_id: str, *, prospect: bool) -> Record | None:
    """The candidate's application for this job (a prospect's may name it among several)."""
    matches = [r for r in raw_apps if job_id in m.application_jobs(r)]
    preferred = [r for r in matches if (f.flag(r.get("prospect")) is True) == prospect]
    chosen = preferred or matches
    return chosen[0] if chosen else None
