"""Shared set-up for the runtime service tests: every port as a fake, wired over one store."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from intrro_gateway.domain.commands import Command
from intrro_gateway.domain.tenant import RotatingSecret, Tenant
from intrro_gateway.ports.unit_of_work import InboundDelivery, OutboundItem
from intrro_gateway.services.deps import Dependencies
from intrro_gateway.services.settings import ServiceSettings
from tests.fakes.ats import FakeAtsClient
from tests.fakes.clock import FakeClock, FakeIds
from tests.fakes.referral_platform import FakeReferralPlatform
from tests.fakes.registry import fake_registry
from tests.fakes.unit_of_work import FakeStore, FakeUnitOfWorkFactory
from tests.fakes.webhooks import FakeEventReader, FakeTranslator
from tests.fakes.work_queue import FakeLocks, FakeWorkQueue

CALLBACK = "https://intrro.test/callbacks/acme"
INTRRO_SECRET = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODk="


@dataclass
class Runtime:
    """The fakes behind one `Dependencies`, for arranging and asserting."""

    deps: Dependencies
    store: FakeStore
    uow: FakeUnitOfWorkFactory
    queue: FakeWorkQueue
    locks: FakeLocks
    ats: FakeAtsClient
    translator: FakeTranslator
    events: FakeEventReader
    platform: FakeReferralPlatform
    clock: FakeClock
    ids: FakeIds

    def use_ats(self, ats: Any) -> None:
        """Serve the fake ATS's tenants with another client (a wrapper of the fake, say)."""
        self.deps = replace(self.deps, registry=fake_registry(ats, self.translator))

    def add_tenant(self, tenant_id: str = "acme", callback: str | None = CALLBACK) -> Tenant:
        """Put a tenant straight into the store."""
        tenant = Tenant(
            id=tenant_id,
            intrro_callback_url=callback,
            intrro_secret=RotatingSecret(INTRRO_SECRET),
            webhook_secret=RotatingSecret("gh-secret-0123456789"),
            ats=self.translator.source,
            created_at=self.clock.now(),
        )
        self.store.tenants[tenant_id] = tenant
        return tenant

    def receive(
        self,
        body: bytes,
        *,
        tenant_id: str = "acme",
        source: str = "greenhouse",
        kind: str = "application_updated",
        ordering_key: str | None = None,
    ) -> InboundDelivery:
        """Put a delivery straight into the inbox, as the ingress stores it."""
        item_id = self.ids.new_id()
        delivery = InboundDelivery(
            id=item_id,
            tenant_id=tenant_id,
            source=source,
            delivery_id=f"d-{item_id}",
            body_hash=hashlib.sha256(body).hexdigest(),
            body=body,
            kind=kind,
            received_at=self.clock.now(),
            ordering_key=ordering_key,
        )
        self.store.inbox[item_id] = delivery
        return delivery

    def queue_event(
        self,
        kind: str = "application.status_changed",
        *,
        tenant_id: str = "acme",
        key: str = "intro-1",
        sequence: int = 1,
        payload: dict[str, Any] | None = None,
    ) -> OutboundItem:
        """Put an outbound event straight into the outbox, as a handler queues it."""
        item_id = self.ids.new_id()
        item = OutboundItem(
            id=item_id,
            tenant_id=tenant_id,
            target="intrro",
            kind=kind,
            payload=payload if payload is not None else {"introduction_id": key, "n": sequence},
            idempotency_key=item_id,
            ordering_key=key,
            sequence=sequence,
            created_at=self.clock.now(),
        )
        self.store.outbox[item_id] = item
        return item


def make_runtime(settings: ServiceSettings | None = None, seed: int = 1) -> Runtime:
    """Every port as a fake, over one store."""
    store = FakeStore()
    uow = FakeUnitOfWorkFactory(store)
    queue = FakeWorkQueue(inbox=store.inbox, outbox=store.outbox)
    locks = FakeLocks()
    clock = FakeClock()
    ids = FakeIds()
    ats = FakeAtsClient(clock)
    translator = FakeTranslator()
    events = FakeEventReader()
    platform = FakeReferralPlatform()
    deps = Dependencies(
        uow=uow,
        queue=queue,
        locks=locks,
        registry=fake_registry(ats, translator),
        events_in=events,
        platform=platform,
        clock=clock,
        ids=ids,
        settings=settings or ServiceSettings(),
        rng=random.Random(seed),
    )
    return Runtime(deps, store, uow, queue, locks, ats, translator, events, platform, clock, ids)


Behaviour = Callable[[Command], Awaitable[object]]


@dataclass
class RecordingBus:
    """A message bus that records the commands it is handed and runs a test's behaviour for them."""

    handled: list[Command] = field(default_factory=list)
    behaviour: Behaviour | None = None

    async def handle(self, command: Command) -> object:
        """Record the command, then run the behaviour (which may raise)."""
        self.handled.append(command)
        if self.behaviour is not None:
            return await self.behaviour(command)
        return None


def at(iso: str) -> datetime:
    """A UTC time from an ISO string without offset."""
    return datetime.fromisoformat(iso + "+00:00")
