"""Building a Harvest client on the fake Greenhouse, with a clock that sleeps instantly."""

from __future__ import annotations

from intrro_gateway.adapters.greenhouse.harvest import GreenhouseAtsClient, HarvestSettings
from intrro_gateway.domain.tenant import AtsCredentials
from intrro_gateway.ports.ats import AtsContext
from tests.fakes.clock import FakeClock
from tests.integration.greenhouse.harvest_fake import (
    AUTH,
    BASE,
    CLIENT_ID,
    CLIENT_SECRET,
    HARVEST_NOW,
    FakeHarvest,
)


def context(
    user_id: str | None = "42", *, priority: bool = False, tenant: str = "acme"
) -> AtsContext:
    return AtsContext(
        tenant_id=tenant,
        credentials=AtsCredentials(
            client_id=CLIENT_ID, client_secret=CLIENT_SECRET, user_id=user_id
        ),
        priority=priority,
        ats="greenhouse",
    )


def make_client(fake: FakeHarvest, settings: HarvestSettings | None = None) -> GreenhouseAtsClient:
    return GreenhouseAtsClient(
        fake.client(),
        base_url=BASE,
        auth_url=AUTH,
        settings=settings,
        clock=fake.clock,
        sleep=fake.clock.sleep,
    )


def new_fake() -> FakeHarvest:
    return FakeHarvest(FakeClock(HARVEST_NOW))
