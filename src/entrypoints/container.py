"""The composition root: the one place that builds adapters and hands them to the services.

Nothing here runs at import time. `build_container(settings)` makes a container; the app's lifespan
(or a CLI command) calls `init_resources()` / `shutdown_resources()` around its use. The engine and the
shared httpx client are plain singletons (creating them opens nothing) closed by a resource each, so every
other provider resolves synchronously. Tests override providers: the httpx transport (an
`httpx.ASGITransport` to the sandbox), the units of work, an ATS's client (`greenhouse_client`), the
probes.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping

import httpx
from dependency_injector import containers, providers
from prometheus_client import CollectorRegistry
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from intrro_gateway.adapters.greenhouse.harvest import GreenhouseAtsClient, HarvestSettings
from intrro_gateway.adapters.greenhouse.registry import greenhouse_parts
from intrro_gateway.adapters.intrro.events import IntrroEventReader
from intrro_gateway.adapters.intrro.platform import IntrroPlatform
from intrro_gateway.adapters.lever.api import LeverAtsClient
from intrro_gateway.adapters.lever.registry import lever_parts
from intrro_gateway.adapters.sql.budgets import SqlAtsBudget, SqlAtsTokenStore
from intrro_gateway.adapters.sql.engine import create_engine
from intrro_gateway.adapters.sql.ingest import SqlInboxWriter
from intrro_gateway.adapters.sql.locks import SqlLocks
from intrro_gateway.adapters.sql.migrate import upgrade
from intrro_gateway.adapters.sql.notify import postgres_relay
from intrro_gateway.adapters.sql.queue import SqlWorkQueue
from intrro_gateway.adapters.sql.secrets import SecretCipher
from intrro_gateway.adapters.sql.uow import SqlUnitOfWork
from intrro_gateway.adapters.system import SystemClock, UuidIdGenerator
from intrro_gateway.entrypoints.logging import register_secrets
from intrro_gateway.entrypoints.metrics import GatewayMetrics, MeteredReferralPlatform
from intrro_gateway.entrypoints.settings import GatewaySettings
from intrro_gateway.ports.ats_registry import AtsParts, AtsRegistry
from intrro_gateway.services.bus import MessageBus
from intrro_gateway.services.deps import Dependencies
from intrro_gateway.services.group_commit import GroupCommit
from intrro_gateway.services.scheduler import Scheduler
from intrro_gateway.services.tenant_cache import TenantCache
from intrro_gateway.services.wakeup import Wakeup
from intrro_gateway.services.worker import Worker

# Every wait on the database is bounded below the request deadline, so a locked or unreachable
# database answers 503 in time instead of hanging the request.
_DB_TIMEOUT_S = 5.0
_HTTP_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def _engine(settings: GatewaySettings) -> AsyncEngine:
    bound = min(_DB_TIMEOUT_S, settings.request_deadline.total_seconds() / 2)
    return create_engine(
        settings.database_url,
        statement_timeout_s=bound,
        connect_timeout_s=bound,
        pool_timeout_s=bound,
    )


async def _dispose_engine(engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    yield engine
    await engine.dispose()


def _http_client(transport: httpx.AsyncBaseTransport | None) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=transport, timeout=_HTTP_TIMEOUT, follow_redirects=False)


async def _close_http(client: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    yield client
    await client.aclose()


def _cipher(settings: GatewaySettings) -> SecretCipher:
    # Every tenant secret the gateway opens joins the values no log line may show.
    return SecretCipher([key.reveal() for key in settings.secret_keys], on_open=register_secrets)


def _greenhouse_sandbox() -> object:
    from intrro_gateway.sandboxes.greenhouse import create_sandbox_app, seeded_state

    return create_sandbox_app(seeded_state())


def _lever_sandbox() -> object:
    from intrro_gateway.sandboxes.lever import create_sandbox_app, seeded_state

    return create_sandbox_app(seeded_state())


def _registry(*entries: AtsParts) -> AtsRegistry:
    return AtsRegistry(entries)


def _worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _readiness(engine: AsyncEngine) -> Callable[[], Awaitable[None]]:
    async def probe() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    return probe


def _queue_depths(
    engine: AsyncEngine,
) -> Callable[[], Awaitable[Mapping[tuple[str, str], int]]]:
    query = text(
        "SELECT 'in' AS direction, state, COUNT(*) AS n FROM inbox GROUP BY state "
        "UNION ALL SELECT 'out' AS direction, state, COUNT(*) AS n FROM outbox GROUP BY state"
    )

    async def probe() -> Mapping[tuple[str, str], int]:
        async with engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return {(str(row[0]), str(row[1])): int(row[2]) for row in rows}

    return probe


def _harvest_settings(settings: GatewaySettings) -> HarvestSettings:
    return HarvestSettings(timeout=settings.greenhouse_timeout.total_seconds())


class Container(containers.DeclarativeContainer):
    """Every adapter, the services' dependencies, the bus, the worker and the scheduler."""

    settings = providers.Dependency(instance_of=GatewaySettings)

    engine = providers.Singleton(_engine, settings)
    engine_lifecycle = providers.Resource(_dispose_engine, engine)
    http_transport: providers.Object[httpx.AsyncBaseTransport | None] = providers.Object(None)
    http_client = providers.Singleton(_http_client, http_transport)
    http_lifecycle = providers.Resource(_close_http, http_client)

    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(UuidIdGenerator)
    cipher = providers.Singleton(_cipher, settings)
    # Commits that queue work ring it; idle workers wait on it (other processes' through the relay).
    wakeup = providers.Singleton(Wakeup, providers.Callable(postgres_relay, engine))
    # The ingress's tenants, forgotten by every unit of work that writes one (services/tenant_cache.py).
    tenant_cache = providers.Singleton(TenantCache)
    unit_of_work = providers.Factory(  # one per use
        SqlUnitOfWork, engine, cipher, wakeup=wakeup, tenant_cache=tenant_cache
    )
    queue = providers.Singleton(SqlWorkQueue, engine, wakeup)
    # The ingress's group commit, each batch in one trip to the database (adapters/sql/ingest.py).
    ingest = providers.Singleton(
        GroupCommit, providers.Singleton(SqlInboxWriter, engine, unit_of_work.provider, wakeup)
    )
    locks = providers.Singleton(SqlLocks, engine)

    # The ATS registry: each ATS the gateway speaks, by key; a tenant's `ats` picks its entry.
    # A new ATS is one adapter folder and one entry here (the first entry is the default).
    greenhouse_client = providers.Singleton(
        GreenhouseAtsClient,
        http_client,
        base_url=settings.provided.greenhouse_base_url,
        auth_url=settings.provided.greenhouse_auth_url,
        settings=providers.Callable(_harvest_settings, settings),
        clock=clock,
        budget=providers.Singleton(SqlAtsBudget, engine),  # one allowance for every process
        token_store=providers.Singleton(SqlAtsTokenStore, engine, cipher),
    )
    greenhouse = providers.Singleton(
        greenhouse_parts, greenhouse_client, sandbox=providers.Object(_greenhouse_sandbox)
    )
    lever_client = providers.Singleton(
        LeverAtsClient, http_client, base_url=settings.provided.lever_base_url, clock=clock
    )
    lever = providers.Singleton(lever_parts, lever_client, sandbox=providers.Object(_lever_sandbox))
    ats_registry = providers.Singleton(_registry, greenhouse, lever)

    events_in = providers.Singleton(IntrroEventReader)
    registry = providers.Singleton(CollectorRegistry, auto_describe=True)
    metrics = providers.Singleton(GatewayMetrics, registry)
    intrro_platform = providers.Singleton(
        IntrroPlatform,
        http_client,
        clock=clock,
        policy=settings.provided.service.provided.callback_policy,
    )
    platform = providers.Singleton(MeteredReferralPlatform, intrro_platform, metrics)

    deps = providers.Singleton(
        Dependencies,
        uow=unit_of_work.provider,  # the services call it for each new unit of work
        queue=queue,
        locks=locks,
        registry=ats_registry,
        events_in=events_in,
        platform=platform,
        clock=clock,
        ids=ids,
        settings=settings.provided.service,
        wakeup=wakeup,
        tenant_cache=tenant_cache,
        ingest=ingest,
    )
    bus = providers.Singleton(MessageBus, deps)
    worker = providers.Factory(Worker, deps, bus, worker_id=providers.Callable(_worker_id))
    scheduler = providers.Factory(Scheduler, deps, bus)

    migrate = providers.Object(upgrade)  # (database_url) -> None, run at start when auto_migrate
    readiness = providers.Singleton(_readiness, engine)
    queue_depths = providers.Singleton(_queue_depths, engine)


def build_container(settings: GatewaySettings) -> Container:
    """A container for these settings; nothing is opened until it is used."""
    container = Container()
    container.settings.override(providers.Object(settings))
    return container
