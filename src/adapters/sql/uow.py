"""The SQL unit of work: one connection, one transaction, repositories that never commit."""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from intrro_gateway.adapters.sql._db import translated
from intrro_gateway.adapters.sql._writer_gate import take_turn
from intrro_gateway.adapters.sql.inbox import SqlInboxRepository, SqlOutboxRepository
from intrro_gateway.adapters.sql.introductions import SqlIntroductionRepository
from intrro_gateway.adapters.sql.jobs import SqlJobRepository
from intrro_gateway.adapters.sql.notify import notify_work
from intrro_gateway.adapters.sql.secrets import SecretCipher
from intrro_gateway.adapters.sql.tenants import SqlTenantRepository
from intrro_gateway.adapters.sql.tokens import SqlTokenRepository
from intrro_gateway.ports.clock import Clock
from intrro_gateway.ports.unit_of_work import (
    InboxRepository,
    IntroductionRepository,
    JobRepository,
    OutboxRepository,
    TenantRepository,
    TokenRepository,
    UnitOfWork,
    UnitOfWorkFactory,
)
from intrro_gateway.services.tenant_cache import TenantCache
from intrro_gateway.services.wakeup import Wakeup

__all__ = ["SqlUnitOfWork", "SqlUnitOfWorkFactory"]


class SqlUnitOfWork(UnitOfWork):
    """One transaction over the gateway's tables; rolled back on exit unless committed."""

    tenants: TenantRepository
    tokens: TokenRepository
    jobs: JobRepository
    introductions: IntroductionRepository
    inbox: InboxRepository
    outbox: OutboxRepository

    def __init__(
        self,
        engine: AsyncEngine,
        cipher: SecretCipher,
        clock: Clock | None = None,
        wakeup: Wakeup | None = None,
        tenant_cache: TenantCache | None = None,
    ) -> None:
        self._engine = engine
        self._cipher = cipher
        self._clock = clock
        self._wakeup = wakeup
        self._tenant_cache = tenant_cache
        self._changed_tenants: set[str] = set()  # forgotten by the cache again after the commit
        self._conn: AsyncConnection | None = None
        self._turn: asyncio.Lock | None = None
        self._inbox: SqlInboxRepository | None = None
        self._outbox: SqlOutboxRepository | None = None

    async def __aenter__(self) -> Self:
        turn = await take_turn(self._engine)
        try:
            async with translated():
                conn = await self._engine.connect()
                try:
                    await conn.begin()
                except BaseException:
                    await conn.close()
                    raise
        except BaseException:
            if turn is not None:
                turn.release()
            raise
        self._conn, self._turn = conn, turn
        self.tenants = SqlTenantRepository(conn, self._cipher, changed=self._tenant_changed)
        self.tokens = SqlTokenRepository(conn)
        self.jobs = SqlJobRepository(conn, self._clock)
        self.introductions = SqlIntroductionRepository(conn)
        self.inbox = self._inbox = SqlInboxRepository(conn)
        self.outbox = self._outbox = SqlOutboxRepository(conn)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed."""
        conn, self._conn = self._conn, None
        turn, self._turn = self._turn, None
        if conn is None:
            return
        try:
            async with translated():
                if conn.in_transaction():
                    await conn.rollback()
        finally:
            try:
                await conn.close()
            finally:
                if turn is not None:
                    turn.release()

    async def commit(self) -> None:
        """Make every change of this unit durable at once; ring the work signal if it queued work."""
        conn = self._connection()
        queued = self._queued()
        async with translated():
            if queued:
                await notify_work(conn)  # delivered to other processes on commit only
            await conn.commit()
        for tenant_id in self._changed_tenants:
            if self._tenant_cache is not None:
                self._tenant_cache.forget(tenant_id)
        self._changed_tenants.clear()
        if queued:
            self._clear_queued()
            if self._wakeup is not None:
                self._wakeup.ready()

    async def rollback(self) -> None:
        """Drop every change of this unit."""
        self._clear_queued()
        async with translated():
            await self._connection().rollback()

    def _tenant_changed(self, tenant_id: str) -> None:
        """A tenant row was written: the cache forgets it now, and again after the commit."""
        self._changed_tenants.add(tenant_id)
        if self._tenant_cache is not None:
            self._tenant_cache.forget(tenant_id)

    def _queued(self) -> bool:
        return bool(
            (self._inbox is not None and self._inbox.queued)
            or (self._outbox is not None and self._outbox.queued)
        )

    def _clear_queued(self) -> None:
        if self._inbox is not None:
            self._inbox.queued = False
        if self._outbox is not None:
            self._outbox.queued = False

    def _connection(self) -> AsyncConnection:
        if self._conn is None:
            raise RuntimeError("the unit of work is used outside `async with`")
        return self._conn


class SqlUnitOfWorkFactory(UnitOfWorkFactory):
    """Makes a fresh SQL unit of work per use."""

    def __init__(
        self,
        engine: AsyncEngine,
        cipher: SecretCipher,
        clock: Clock | None = None,
        wakeup: Wakeup | None = None,
        tenant_cache: TenantCache | None = None,
    ) -> None:
        self._engine = engine
        self._cipher = cipher
        self._clock = clock
        self._wakeup = wakeup
        self._tenant_cache = tenant_cache

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(
            self._engine, self._cipher, self._clock, self._wakeup, self._tenant_cache
        )
