"""The tenants the ingress checks deliveries against, held for a short time: no database round trip
per delivery for the tenant, its ATS and its signing secrets.

How a change is seen:
- **In this process, at once.** The SQL unit of work calls `forget` for every tenant it adds, saves or
  deletes: when it writes, and again once its commit is durable, so that a read which raced the commit
  (and saw the old row) is not kept (`forget` bumps the tenant's version; a read keeps its result only
  if the version did not move while it ran). The API that rotates a secret, changes a tenant, connects
  (signature tokens) or deletes runs in the serving process, so its change holds for the next delivery.
- **In other processes (several `serve`, the CLI), within `ttl_s`** (`TTL_S`, 2 s): an entry older than
  that is read again. Until then a rotated secret's successor may be refused there (401: the sender
  retries; the previous secret stays valid through the grace), and a deleted tenant's deliveries may be
  stored (the worker finds no tenant and parks them).
- Unknown tenants are never kept: a tenant created anywhere is found by its first delivery.

The tenant handed out is shared by every caller until it expires: read it, never change it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from intrro_gateway.domain.tenant import Tenant
from intrro_gateway.ports.unit_of_work import UnitOfWorkFactory

TTL_S = 2.0


class TenantCache:
    """Tenants by id, each kept `ttl_s` seconds after it was read (0: never kept)."""

    def __init__(self, ttl_s: float = TTL_S, *, now: Callable[[], float] = time.monotonic) -> None:
        self._ttl_s = ttl_s
        self._now = now
        self._entries: dict[str, tuple[Tenant, float]] = {}  # tenant, monotonic expiry
        self._versions: dict[str, int] = {}  # moved by `forget`
        self._reading: dict[str, asyncio.Future[Tenant | None]] = {}  # the read under way

    async def get(self, uow: UnitOfWorkFactory, tenant_id: str) -> Tenant | None:
        """The tenant (read through a unit of work of its own when not held, or held too long).

        One read per tenant at a time: concurrent callers wait for the read under way (a burst after
        an expiry or a change takes one connection, not one per request)."""
        entry = self._entries.get(tenant_id)
        if entry is not None and entry[1] > self._now():
            return entry[0]
        loop = asyncio.get_running_loop()
        reading = self._reading.get(tenant_id)
        if reading is not None and reading.get_loop() is loop:
            await asyncio.wait({reading})  # not `await reading`: a waiter's cancel stays its own
            if not reading.cancelled():
                return reading.result()
        return await self._read(uow, tenant_id, loop)

    async def _read(
        self, uow: UnitOfWorkFactory, tenant_id: str, loop: asyncio.AbstractEventLoop
    ) -> Tenant | None:
        version = self._versions.get(tenant_id, 0)
        reading: asyncio.Future[Tenant | None] = loop.create_future()
        self._reading[tenant_id] = reading
        try:
            async with uow() as unit:
                tenant = await unit.tenants.get(tenant_id)
        except Exception as exc:
            reading.set_exception(exc)
            reading.exception()  # retrieved: the waiters, if any, raise it too
            raise
        except BaseException:
            reading.cancel()  # the waiters read for themselves
            raise
        finally:
            if self._reading.get(tenant_id) is reading:
                del self._reading[tenant_id]
        reading.set_result(tenant)
        if tenant is None:
            self._entries.pop(tenant_id, None)
        elif self._ttl_s > 0 and self._versions.get(tenant_id, 0) == version:
            self._entries[tenant_id] = (tenant, self._now() + self._ttl_s)
        return tenant

    def forget(self, tenant_id: str) -> None:
        """The tenant changed (or is gone): the next delivery reads it again."""
        self._versions[tenant_id] = self._versions.get(tenant_id, 0) + 1
        self._entries.pop(tenant_id, None)
        self._reading.pop(tenant_id, None)  # a read under way may predate the change: not shared
