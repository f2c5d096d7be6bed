"""The scheduler: periodic reconciliation, incremental job sync, connection re-checks, body purge.

Due times live in memory: a fresh process runs everything on its first tick, then each task every
interval. Each run happens under a named lock, so two processes that tick at the same moment do not
both run it; a process that finds the lock taken skips that round. Errors of one tenant are logged
and do not stop the others.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import structlog

from intrro_gateway.domain.commands import ImportJobs, Reconcile
from intrro_gateway.domain.tenant import Tenant
from intrro_gateway.ports.unit_of_work import StorageError
from intrro_gateway.services.connection import recheck_connection
from intrro_gateway.services.deps import Dependencies
from intrro_gateway.services.processing import CommandBus

logger = structlog.get_logger(__name__)

RECONCILE = "reconcile"
JOBS_SYNC = "jobs_sync"
CONNECTION_CHECK = "connection_check"
BODY_PURGE = "body_purge"

TenantTask = Callable[[Tenant], Awaitable[object]]


class Scheduler:
    """Runs the periodic tasks that are due, for every connected tenant."""

    def __init__(self, deps: Dependencies, bus: CommandBus) -> None:
        self.deps = deps
        self.bus = bus
        self.owner = f"scheduler-{deps.ids.new_id()}"
        self.next_due: dict[str, datetime] = {}

    def intervals(self) -> dict[str, timedelta]:
        """Each task and how often it runs."""
        settings = self.deps.settings
        return {
            RECONCILE: settings.reconcile_interval,
            JOBS_SYNC: settings.jobs_sync_interval,
            CONNECTION_CHECK: settings.connection_check_interval,
            BODY_PURGE: settings.body_retention / 24,
        }

    async def tick(self) -> None:
        """Run every task that is due now (everything, the first time)."""
        now = self.deps.clock.now()
        for task, interval in self.intervals().items():
            due = self.next_due.get(task)
            if due is not None and due > now:
                continue
            self.next_due[task] = now + interval
            await self._locked(task, interval)

    async def run(self, stop: asyncio.Event) -> None:
        """Tick every poll interval until `stop` is set."""
        while not stop.is_set():
            try:
                await self.tick()
            except Exception:
                logger.exception("scheduler.tick_failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    stop.wait(), self.deps.settings.poll_interval.total_seconds()
                )

    # -- the tasks -----------------------------------------------------------------------------

    async def _locked(self, task: str, interval: timedelta) -> None:
        key = f"scheduler:{task}"
        now = self.deps.clock.now()
        try:
            # Held for most of the interval, so it has surely expired when this process is due again.
            held = await self.deps.locks.acquire(key, owner=self.owner, ttl=interval * 0.9, now=now)
        except StorageError as exc:
            logger.warning("scheduler.lock_failed", task=task, error=str(exc))
            return
        except Exception:
            logger.exception("scheduler.lock_failed", task=task)
            return
        if not held:
            logger.debug("scheduler.skipped", task=task, reason="another process runs it")
            return
        # The lock is kept until it expires: that is what stops another process from running the
        # same task again within the interval.
        try:
            await self._run(task)
        except Exception:
            logger.exception("scheduler.task_failed", task=task)

    async def _run(self, task: str) -> None:
        if task == BODY_PURGE:
            await self._purge()
        elif task == RECONCILE:
            await self._for_tenants(task, self._reconcile)
        elif task == JOBS_SYNC:
            await self._for_tenants(task, self._sync_jobs)
        elif task == CONNECTION_CHECK:
            await self._for_tenants(task, self._recheck, include_failing=True)

    async def _reconcile(self, tenant: Tenant) -> object:
        return await self.bus.handle(Reconcile(tenant_id=tenant.id))

    async def _sync_jobs(self, tenant: Tenant) -> object:
        return await self.bus.handle(ImportJobs(tenant_id=tenant.id, full=False))

    async def _recheck(self, tenant: Tenant) -> object:
        await recheck_connection(self.deps, tenant.id)
        return None

    async def _purge(self) -> None:
        older_than = self.deps.clock.now() - self.deps.settings.body_retention
        purged = await self.deps.queue.purge_bodies(older_than=older_than)
        logger.info("scheduler.bodies_purged", count=purged)

    async def _for_tenants(
        self, task: str, run: TenantTask, *, include_failing: bool = False
    ) -> None:
        """Run a task for each connected tenant; a tenant whose credential fails is left to the
        connection check, which clears the flag once the credential works again."""
        async with self.deps.uow() as uow:
            tenant_ids = list(await uow.tenants.list_ids())
        for tenant_id in tenant_ids:
            with structlog.contextvars.bound_contextvars(tenant=tenant_id):
                try:
                    async with self.deps.uow() as uow:
                        tenant = await uow.tenants.get(tenant_id)
                    if tenant is None or tenant.connection is None:
                        continue
                    if tenant.connection.credential_failing and not include_failing:
                        continue
                    result = await run(tenant)
                    logger.info("scheduler.ran", task=task, result=repr(result))
                except Exception:
                    logger.exception("scheduler.tenant_failed", task=task)
