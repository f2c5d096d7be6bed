"""A small world for the flow tests: the services on fakes, with helpers to set the scene."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from intrro_gateway.domain.candidates import CandidateProfile, Referrer
from intrro_gateway.domain.commands import AcceptIntroduction, ExportIntroduction
from intrro_gateway.domain.introduction import Introduction
from intrro_gateway.domain.jobs import Job
from intrro_gateway.domain.status import StageMapping
from intrro_gateway.domain.tenant import (
    AtsConnection,
    AtsCredentials,
    ClosedJobPolicy,
    RotatingSecret,
    Tenant,
)
from intrro_gateway.ports.unit_of_work import OutboundItem
from intrro_gateway.services.bus import MessageBus
from intrro_gateway.services.deps import Dependencies
from intrro_gateway.services.settings import ServiceSettings
from tests.fakes.ats import FakeAtsClient, job
from tests.fakes.clock import FakeClock, FakeIds
from tests.fakes.referral_platform import FakeReferralPlatform
from tests.fakes.registry import fake_registry
from tests.fakes.unit_of_work import FakeUnitOfWorkFactory
from tests.fakes.webhooks import FakeEventReader, FakeTranslator
from tests.fakes.work_queue import FakeLocks, FakeWorkQueue

TENANT = "acme"


class World:
    """The services wired to fakes, one tenant at hand."""

    def __init__(self, **settings: Any) -> None:
        self.clock = FakeClock()
        self.ids = FakeIds()
        self.ats = FakeAtsClient(self.clock)
        self.uow = FakeUnitOfWorkFactory()
        self.locks = FakeLocks()
        self.platform = FakeReferralPlatform()
        self.queue = FakeWorkQueue(inbox=self.uow.store.inbox, outbox=self.uow.store.outbox)
        self.deps = Dependencies(
            uow=self.uow,
            queue=self.queue,
            locks=self.locks,
            registry=fake_registry(self.ats, FakeTranslator()),
            events_in=FakeEventReader(),
            platform=self.platform,
            clock=self.clock,
            ids=self.ids,
            settings=ServiceSettings(**settings),
        )
        self.bus = MessageBus(self.deps)

    # -- the scene -----------------------------------------------------------------------------

    def add_tenant(
        self,
        tenant_id: str = TENANT,
        *,
        connected: bool = True,
        policy: ClosedJobPolicy = ClosedJobPolicy.FAIL,
        mapping: StageMapping | None = None,
    ) -> Tenant:
        """Store a tenant (connected to the fake ATS unless told otherwise)."""
        connection = (
            AtsConnection(
                ats="greenhouse",
                credentials=AtsCredentials("client", "secret", user_id="7"),
                connected_at=self.clock.now(),
                ok=True,
                source_id="src-intrro",
            )
            if connected
            else None
        )
        tenant = Tenant(
            id=tenant_id,
            intrro_callback_url="https://intrro.invalid/hooks",
            intrro_secret=RotatingSecret("whsec_c2VjcmV0"),
            webhook_secret=RotatingSecret("gh-secret"),
            ats="greenhouse",
            stage_mapping=mapping or StageMapping(),
            closed_job_policy=policy,
            connection=connection,
        )
        self.uow.store.tenants[tenant_id] = tenant
        return tenant

    def tenant(self, tenant_id: str = TENANT) -> Tenant:
        """The committed tenant."""
        return self.uow.store.tenants[tenant_id]

    def add_job(self, job_id: str, *, mirror: bool = True, **kwargs: Any) -> Job:
        """Put a job in the ATS, and in the tenant's mirror unless told otherwise."""
        made = self.ats.add_job(job(job_id, updated_at=self.clock.now(), **kwargs))
        if mirror:
            self.uow.store.jobs[(TENANT, job_id)] = made
        return made

    async def accept(
        self,
        introduction_id: str = "intro-1",
        *,
        emails: Sequence[str] = ("ada@example.com",),
        job_ids: Sequence[str] = ("101",),
        message: str | None = "Ada is brilliant.",
        tenant_id: str = TENANT,
    ) -> object:
        """Intrro says a candidate accepted an introduction."""
        return await self.bus.handle(
            AcceptIntroduction(
                tenant_id=tenant_id,
                introduction_id=introduction_id,
                candidate=CandidateProfile("Ada", "Lovelace", tuple(emails)),
                referrer=Referrer(name="Grace Hopper", email="grace@acme.example"),
                job_ids=tuple(job_ids),
                message=message,
                accepted_at=self.clock.now(),
            )
        )

    async def export(self, introduction_id: str = "intro-1", tenant_id: str = TENANT) -> object:
        """Run the export of an introduction."""
        return await self.bus.handle(
            ExportIntroduction(tenant_id=tenant_id, introduction_id=introduction_id)
        )

    async def exported(self, introduction_id: str = "intro-1", **kwargs: Any) -> Introduction:
        """Accept and export an introduction; returns it as committed."""
        await self.accept(introduction_id, **kwargs)
        await self.export(introduction_id)
        return self.intro(introduction_id)

    # -- what happened -------------------------------------------------------------------------

    def intro(self, introduction_id: str = "intro-1", tenant_id: str = TENANT) -> Introduction:
        """The committed introduction."""
        return self.uow.store.introductions[(tenant_id, introduction_id)]

    def outbox(self, kind: str | None = None) -> list[OutboundItem]:
        """The committed outbound items, in the order they were queued."""
        items = sorted(self.uow.store.outbox.values(), key=lambda i: (i.created_at, i.id))
        return [i for i in items if kind is None or i.kind == kind]

    def later(self, **kwargs: float) -> None:
        """Let time pass."""
        self.clock.advance(timedelta(**kwargs))
