"""Export an introduction: find or create the candidate, add the applications, credit, note, tag.

Every step is safe to run again: it reads before it writes, and records each write it attempts in the
introduction's journal, committed, before sending it (the ATS may apply a write whose answer is lost).

Once a write is applied its ids are recorded before anything else can fail, and from then on the
introduction is never reported failed (its candidate would be an orphan and later web hooks about it
dropped): a run that fails after a write is counted and retried like an unavailability, and after
`settings.export_attempts_after_write` such runs the introduction is reported exported with what it has,
each application carrying the problem `export_incomplete`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

import structlog

from intrro_gateway.domain.commands import ExportIntroduction
from intrro_gateway.domain.introduction import ExportState, Introduction, snapshot_status
from intrro_gateway.domain.jobs import Job
from intrro_gateway.domain.profiles import HeldProfile
from intrro_gateway.domain.signals import ApplicationSnapshot, ApplicationState
from intrro_gateway.domain.status import ReferralStatus, StageRef
from intrro_gateway.domain.tenant import ClosedJobPolicy, Tenant
from intrro_gateway.ports.ats import (
    AtsContext,
    AtsError,
    AtsIncompleteWriteError,
    AtsNotFoundError,
    AtsPermissionError,
    AtsRejectedError,
    AtsUnavailableError,
    CreatedApplication,
    NewApplication,
    ReferralCredit,
)
from intrro_gateway.ports.unit_of_work import StorageError
from intrro_gateway.services.deps import Dependencies
from intrro_gateway.services.handlers._common import (
    ats_context,
    load_introduction,
    load_tenant,
    retry_on_conflict,
    save_and_announce,
)
from intrro_gateway.services.handlers._export_candidate import (
    ExportRun,
    ExportStoppedError,
    find_or_create,
)
from intrro_gateway.services.handlers._export_profile import merge_profile
from intrro_gateway.services.handlers._journal import CANDIDATE, NOTE, REFERRER, TAG, app_key

logger = structlog.get_logger(__name__)

JOB_NOT_OPEN = "job_not_open"
EXPORT_INCOMPLETE = "export_incomplete"


class ExportOutcome(enum.StrEnum):
    """What an export run came to."""

    EXPORTED = "exported"
    FAILED = "failed"
    SKIPPED = "skipped"  # not pending any more (exported, failed, cancelled)


@dataclass(frozen=True, slots=True)
class _Plan:
    tenant: Tenant
    intro: Introduction
    ctx: AtsContext
    jobs: dict[str, Job]
    targets: tuple[str, ...]
    problems: dict[str, str]
    prospect: bool


async def export_introduction(cmd: ExportIntroduction, deps: Dependencies) -> ExportOutcome:
    """Put the introduced candidate into the ATS under the chosen open jobs; safe to run again."""
    log = logger.bind(introduction_id=cmd.introduction_id)
    started: tuple[_Plan, ExportRun] | None = None
    try:
        plan = await _plan(cmd, deps)
        if isinstance(plan, ExportOutcome):
            return plan
        started = plan, ExportRun(deps, plan.intro, plan.ctx)
        await started[1].hold()
        try:
            outcome = await _export(*started)
        finally:
            await _release(started[1])
    except ExportStoppedError:
        return ExportOutcome.SKIPPED
    except AtsError as exc:
        if started is not None and started[1].progress.wrote():
            return await _after_applied_write(*started, exc)
        if isinstance(exc, AtsPermissionError):
            log.warning("export.failed", code="permission_missing", scope=exc.scope)
            scope = f" ({exc.scope})" if exc.scope else ""
            message = f"the ATS credential lacks a permission the export needs{scope}"
            return await _fail(deps, cmd, "permission_missing", message)
        if isinstance(exc, AtsRejectedError | AtsNotFoundError):
            log.warning("export.failed", code="ats_rejected", status=exc.status)
            details = "; ".join(getattr(exc, "errors", ())) or exc.message
            return await _fail(deps, cmd, "ats_rejected", f"the ATS refused the export: {details}")
        raise
    log.info("export.done", outcome=str(outcome))
    return outcome


async def _release(run: ExportRun) -> None:
    try:
        await run.release()
    except StorageError as exc:  # it expires on its own
        logger.warning("export.lock_release_failed", error=str(exc))


async def _after_applied_write(plan: _Plan, run: ExportRun, exc: AtsError) -> ExportOutcome:
    """A run failed after one of its writes was applied: retry it, or report what it has."""
    log = logger.bind(introduction_id=plan.intro.introduction_id)
    try:
        failures = await run.count_failure()
    except ExportStoppedError:
        return ExportOutcome.SKIPPED
    limit = run.deps.settings.export_attempts_after_write
    if failures < limit:
        log.warning("export.incomplete", failures=failures, limit=limit, error=exc.message)
        if isinstance(exc, AtsUnavailableError):
            raise exc
        raise AtsUnavailableError(
            f"the export stopped after an applied ATS write, tried again: {exc.message}",
            status=exc.status,
        ) from exc
    log.warning("export.reported_incomplete", failures=failures, error=exc.message)
    progress = run.progress
    candidate_id = progress.value(CANDIDATE)
    if candidate_id is None:  # pragma: no cover - writes come after the candidate is known
        raise exc
    applications = {
        job_id: app_id for job_id in plan.targets if (app_id := progress.value(app_key(job_id)))
    }
    problems = {**plan.problems, **{job_id: EXPORT_INCOMPLETE for job_id in plan.targets}}
    credit = run.credit or ReferralCredit("custom_field" if progress.is_done(REFERRER) else "none")
    return await _mark_exported(
        plan, run.deps, candidate_id, credit, applications, {}, None, problems=problems
    )


async def _plan(cmd: ExportIntroduction, deps: Dependencies) -> _Plan | ExportOutcome:
    """Which jobs get an application, or the reason nothing can be exported."""
    async with deps.uow() as uow:
        tenant = await load_tenant(uow, cmd.tenant_id)
        intro = await load_introduction(uow, cmd.tenant_id, cmd.introduction_id)
        if intro.export_state is not ExportState.PENDING:
            return ExportOutcome.SKIPPED
        ctx = ats_context(tenant, priority=True)
        if ctx is None:
            intro.fail(code="not_connected", message="the company has not connected its ATS")
            await save_and_announce(uow, deps, intro)
            await uow.commit()
            return ExportOutcome.FAILED
        jobs: dict[str, Job] = {}
        for job_id in intro.job_ids:
            job = await uow.jobs.get(cmd.tenant_id, job_id)
            if job is not None:
                jobs[job_id] = job
    missing = [job_id for job_id in intro.job_ids if job_id not in jobs]
    if missing:
        for job in await deps.registry.client(ctx).list_jobs(ctx, job_ids=missing):
            jobs[job.ats_id] = job
    open_ids = tuple(j for j in intro.job_ids if j in jobs and jobs[j].is_open)
    prospect = False
    if not open_ids and tenant.closed_job_policy is ClosedJobPolicy.PROSPECT:
        open_ids = tuple(
            j for j in intro.job_ids if j in jobs and not (jobs[j].deleted or jobs[j].is_template)
        )
        prospect = True
    problems = {j: JOB_NOT_OPEN for j in intro.job_ids if j not in open_ids}
    if not open_ids:
        return await _fail(
            deps, cmd, JOB_NOT_OPEN, "none of the chosen jobs is open", problems=problems
        )
    return _Plan(tenant, intro, ctx, jobs, open_ids, problems, prospect)


async def _export(plan: _Plan, run: ExportRun) -> ExportOutcome:
    deps = run.deps
    intro, ctx = plan.intro, plan.ctx
    ats = deps.registry.client(ctx)
    credit = await ats.resolve_referral(ctx, intro.referrer)
    run.credit = credit
    source_id = plan.tenant.connection.source_id if plan.tenant.connection else None

    def new_application(job_id: str) -> NewApplication:
        return NewApplication(
            job_id=job_id, source_id=source_id, referral=credit, prospect=plan.prospect
        )

    candidate_id, created = await find_or_create(run, new_application(plan.targets[0]))
    held = (
        HeldProfile.of(intro.candidate)
        if created is not None
        else await merge_profile(run, candidate_id)
    )
    existing = {s.application_id: s for s in await ats.applications_of_candidate(ctx, candidate_id)}
    applications = await _applications(run, candidate_id, plan, existing, new_application)
    if created is not None:
        applications[created.job_id] = created.application_id
    await _credit_note_tag(run, candidate_id, credit, applications[plan.targets[0]])
    return await _mark_exported(
        plan, deps, candidate_id, credit, applications, existing, created, held=held
    )


async def _applications(
    run: ExportRun,
    candidate_id: str,
    plan: _Plan,
    existing: dict[str, ApplicationSnapshot],
    new_application: Callable[[str], NewApplication],
) -> dict[str, str]:
    """The application of each target job: known, found on the candidate, or added."""
    by_job = {s.job_id: s.application_id for s in existing.values() if s.job_id is not None}
    result: dict[str, str] = {}
    for job_id in plan.targets:
        key = app_key(job_id)
        app_id = run.progress.value(key)
        if app_id is None and job_id in by_job:
            app_id = by_job[job_id]
            await run.record(confirm={key: app_id})
        if app_id is None:
            await run.record(attempt=(key,))
            try:
                made: CreatedApplication = await run.deps.registry.client(run.ctx).add_application(
                    run.ctx, candidate_id, new_application(job_id)
                )
            except AtsIncompleteWriteError as exc:
                await run.record_applied(exc, candidate=False)
                raise
            app_id = made.application_id
            existing[app_id] = _snapshot_of(made)
            await run.record(confirm={key: made.application_id})
        result[job_id] = app_id
    return result


async def _credit_note_tag(
    run: ExportRun, candidate_id: str, credit: ReferralCredit, first_application_id: str
) -> None:
    """The referral credit fallback, the note (once, by its marker) and the tag."""
    ctx, intro = run.ctx, run.intro
    ats = run.deps.registry.client(ctx)
    if credit.kind == "custom_field" and not run.progress.is_done(REFERRER):
        await run.record(attempt=(REFERRER,))
        await ats.record_referrer(ctx, candidate_id, intro.referrer)
        await run.record(confirm={REFERRER: None})
    if not run.progress.is_done(NOTE):
        marker = note_marker(intro.introduction_id)
        if not await ats.has_note(ctx, candidate_id, marker):
            await run.record(attempt=(NOTE,))
            await ats.add_note(ctx, candidate_id, first_application_id, note_body(intro, marker))
        await run.record(confirm={NOTE: None})
    if not run.progress.is_done(TAG):
        await run.record(attempt=(TAG,))
        await ats.tag_candidate(ctx, candidate_id, run.deps.settings.tag_name)
        await run.record(confirm={TAG: None})


def note_marker(introduction_id: str) -> str:
    """The marker of the export's note, bracketed so that `intro-1` never matches `intro-10`."""
    return f"[intrro:{introduction_id}]"


def note_body(intro: Introduction, marker: str) -> str:
    """The note on the candidate: who referred them, their message, and the export's marker."""
    referrer = intro.referrer
    lines = [f"Referred through Intrro by {referrer.name} ({referrer.email})."]
    if intro.message:
        lines += ["", intro.message]
    lines += ["", marker]
    return "\n".join(lines)


async def _mark_exported(
    plan: _Plan,
    deps: Dependencies,
    candidate_id: str,
    credit: ReferralCredit,
    applications: dict[str, str],
    existing: dict[str, ApplicationSnapshot],
    created: CreatedApplication | None,
    *,
    problems: dict[str, str] | None = None,
    held: HeldProfile | None = None,
) -> ExportOutcome:
    if created is not None and created.application_id not in existing:
        existing[created.application_id] = _snapshot_of(created)

    async def run() -> ExportOutcome:
        async with deps.uow() as uow:
            intro = await load_introduction(uow, plan.tenant.id, plan.intro.introduction_id)
            if intro.export_state is not ExportState.PENDING:
                return ExportOutcome.SKIPPED
            ats = deps.registry.client(plan.ctx)
            exported: dict[str, tuple[str, StageRef | None, ReferralStatus]] = {}
            for job_id, app_id in applications.items():
                snapshot = existing.get(app_id)
                stages = plan.jobs[job_id].stage_refs()
                stage = snapshot.stage if snapshot else None
                status = snapshot_status(
                    snapshot,
                    plan.tenant.stage_mapping,
                    stages,
                    rejections=plan.tenant.rejection_mapping,
                )
                exported[job_id] = (app_id, stage, status)
            if held is not None:  # an incomplete export does not know it: the next read notes it
                intro.expect_ats_profile(held)
            intro.mark_exported(
                ats=ats.name,
                candidate_id=candidate_id,
                candidate_url=ats.candidate_url(candidate_id),
                referral_credit=credit.kind,
                applications=exported,
                problems=plan.problems if problems is None else problems,
                at=deps.clock.now(),
            )
            await save_and_announce(uow, deps, intro)
            await uow.commit()
            return ExportOutcome.EXPORTED

    return await retry_on_conflict(run)


def _snapshot_of(made: CreatedApplication) -> ApplicationSnapshot:
    return ApplicationSnapshot(
        application_id=made.application_id,
        candidate_id=made.candidate_id,
        job_id=made.job_id,
        state=ApplicationState.ACTIVE,
        stage=made.stage,
    )


async def _fail(
    deps: Dependencies,
    cmd: ExportIntroduction,
    code: str,
    message: str,
    *,
    problems: dict[str, str] | None = None,
) -> ExportOutcome:
    async def run() -> ExportOutcome:
        async with deps.uow() as uow:
            intro = await load_introduction(uow, cmd.tenant_id, cmd.introduction_id)
            if intro.export_state is not ExportState.PENDING:
                return ExportOutcome.SKIPPED
            intro.fail(code=code, message=message, problems=problems)
            await save_and_announce(uow, deps, intro)
            await uow.commit()
            return ExportOutcome.FAILED

    return await retry_on_conflict(run)
