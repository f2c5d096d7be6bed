"""The export's candidate step: find the person by e-mail, or create them exactly once.

Creation is serialised per tenant (lock `candidate:<tenant>`). The ATS's e-mail search lags behind its
writes, so two guards keep a person from being created twice while a new candidate is not searchable yet:
the introduction's own unconfirmed attempt (younger than `defer_window`: wait, never create again), and a
marker per e-mail address held for `defer_window` after any creation (another introduction of the same
person waits instead of creating).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Mapping, Sequence

from intrro_gateway.domain.introduction import ExportState, Introduction
from intrro_gateway.ports.ats import (
    AtsContext,
    AtsIncompleteWriteError,
    AtsNotFoundError,
    AtsPermissionError,
    AtsRejectedError,
    CreatedApplication,
    NewApplication,
    ReferralCredit,
)
from intrro_gateway.ports.unit_of_work import StorageError
from intrro_gateway.services.deps import Dependencies
from intrro_gateway.services.errors import DeferredError
from intrro_gateway.services.handlers._common import load_introduction, retry_on_conflict
from intrro_gateway.services.handlers._journal import CANDIDATE, ExportProgress, app_key

LOCK_TRIES = 100
LOCK_PAUSE = 0.05  # seconds between tries: the lock is held for one search and one create


class ExportStoppedError(Exception):
    """Raised when the introduction stopped being pending while the export ran (withdrawn, say)."""


class ExportRun:
    """One export run: the introduction as this run sees it, and its journal kept durable."""

    def __init__(self, deps: Dependencies, intro: Introduction, ctx: AtsContext) -> None:
        self.deps = deps
        self.intro = intro
        self.ctx = ctx
        self.progress = ExportProgress(intro.journal)
        self.credit: ReferralCredit | None = None  # how the referrer is credited, once resolved
        self._lock = f"export:{intro.tenant_id}:{intro.introduction_id}"
        self._owner = deps.ids.new_id()

    async def hold(self) -> None:
        """Take (or renew) the introduction's export lock; DeferredError while another run has it.

        A run that outlives its lease (a slow ATS, a long wait for the rate allowance) must not race
        the run that claimed the delivery after it: each write's attempt renews the lock first, so two
        runs never send the same introduction's writes at once.
        """
        now = self.deps.clock.now()
        if not await self.deps.locks.acquire(
            self._lock, owner=self._owner, ttl=self.deps.settings.lock_ttl, now=now
        ):
            raise DeferredError(
                "another run is exporting this introduction",
                not_before=now + self.deps.settings.defer_delay,
            )

    async def release(self) -> None:
        """Give the export lock back."""
        await self.deps.locks.release(self._lock, owner=self._owner)

    async def record(
        self, *, attempt: Sequence[str] = (), confirm: Mapping[str, str | None] | None = None
    ) -> None:
        """Note attempts (before sending) or confirmed writes, here and durably in storage."""
        if attempt:
            await self.hold()
        now = self.deps.clock.now()

        def change(progress: ExportProgress) -> None:
            for key in attempt:
                progress.attempt(key, now)
            for key, value in (confirm or {}).items():
                progress.confirm(key, value)

        change(self.progress)

        async def run() -> None:
            async with self.deps.uow() as uow:
                intro = await load_introduction(
                    uow, self.intro.tenant_id, self.intro.introduction_id
                )
                if intro.export_state is not ExportState.PENDING:
                    raise ExportStoppedError(intro.introduction_id)
                change(ExportProgress(intro.journal))
                await uow.introductions.save(intro)
                await uow.commit()

        await retry_on_conflict(run)

    async def count_failure(self) -> int:
        """Count, durably, one more run that failed after a write was applied; returns the count."""
        count = 0

        async def run() -> None:
            nonlocal count
            async with self.deps.uow() as uow:
                intro = await load_introduction(
                    uow, self.intro.tenant_id, self.intro.introduction_id
                )
                if intro.export_state is not ExportState.PENDING:
                    raise ExportStoppedError(intro.introduction_id)
                count = ExportProgress(intro.journal).count_failure()
                await uow.introductions.save(intro)
                await uow.commit()

        await retry_on_conflict(run)
        self.progress.count_failure()
        return count

    async def record_applied(self, exc: AtsIncompleteWriteError, *, candidate: bool) -> None:
        """Record the ids of a write that was applied although a call after it failed."""
        confirm: dict[str, str | None] = {CANDIDATE: exc.candidate_id} if candidate else {}
        if exc.application is not None:
            confirm[app_key(exc.application.job_id)] = exc.application.application_id
        await self.record(confirm=confirm)


async def find_or_create(
    run: ExportRun, first: NewApplication
) -> tuple[str, CreatedApplication | None]:
    """The candidate's ATS id, and the first application when this run created the candidate."""
    known = run.progress.value(CANDIDATE)
    if known is not None:
        return known, None
    deps = run.deps
    key = f"candidate:{run.intro.tenant_id}"
    owner = deps.ids.new_id()
    await _acquire(deps, key, owner)
    try:
        return await _find_or_create_locked(run, first)
    finally:
        await deps.locks.release(key, owner=owner)


async def _find_or_create_locked(
    run: ExportRun, first: NewApplication
) -> tuple[str, CreatedApplication | None]:
    deps, ctx, intro = run.deps, run.ctx, run.intro
    found = await deps.registry.client(ctx).find_candidates_by_email(ctx, intro.candidate.emails)
    if found:
        candidate_id = min(found, key=lambda c: (len(c.id), c.id)).id
        await run.record(confirm={CANDIDATE: candidate_id})
        return candidate_id, None
    now = deps.clock.now()
    attempted_at = run.progress.attempted_at(CANDIDATE)
    if (
        run.progress.unconfirmed(CANDIDATE)
        and attempted_at is not None
        and now - attempted_at < deps.settings.defer_window
    ):
        # The create may have been applied and not be searchable yet: never create twice.
        raise DeferredError(
            "candidate creation not confirmed yet", not_before=now + deps.settings.defer_delay
        )
    marker_owner = f"introduction:{intro.introduction_id}"
    markers = await _claim_markers(run, marker_owner)
    try:
        await run.record(attempt=(CANDIDATE, app_key(first.job_id)))
        created = await deps.registry.client(ctx).create_candidate(ctx, intro.candidate, first)
    except AtsIncompleteWriteError as exc:
        # The candidate exists: its ids are recorded before anything else can fail.
        await run.record_applied(exc, candidate=True)
        raise
    except (AtsPermissionError, AtsRejectedError, AtsNotFoundError, StorageError):
        for marker in markers:  # nothing was sent, or it was refused: nobody was created
            await deps.locks.release(marker, owner=marker_owner)
        raise
    await run.record(
        confirm={
            CANDIDATE: created.candidate_id,
            app_key(created.job_id): created.application_id,
        }
    )
    return created.candidate_id, created


async def _claim_markers(run: ExportRun, owner: str) -> list[str]:
    """Hold a marker per e-mail for `defer_window`; wait when another export created this person.

    The introduction owns its markers, so its own retries pass them.
    """
    deps = run.deps
    now = deps.clock.now()
    held: list[str] = []
    for email in sorted({e.strip().casefold() for e in run.intro.candidate.emails}):
        digest = hashlib.sha256(email.encode()).hexdigest()[:32]
        marker = f"candidate-created:{run.intro.tenant_id}:{digest}"
        if not await deps.locks.acquire(
            marker, owner=owner, ttl=deps.settings.defer_window, now=now
        ):
            for taken in held:
                await deps.locks.release(taken, owner=owner)
            raise DeferredError(
                "this person was created in the ATS moments ago and is not searchable yet",
                not_before=now + deps.settings.defer_delay,
            )
        held.append(marker)
    return held


async def _acquire(deps: Dependencies, key: str, owner: str) -> None:
    for _ in range(LOCK_TRIES):
        now = deps.clock.now()
        if await deps.locks.acquire(key, owner=owner, ttl=deps.settings.lock_ttl, now=now):
            return
        await asyncio.sleep(LOCK_PAUSE)
    raise DeferredError(
        "candidate creation is busy for this tenant",
        not_before=deps.clock.now() + deps.settings.defer_delay,
    )
