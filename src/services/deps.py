"""Everything a use case may reach, bundled: ports only, handed in by the composition root."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from ports.ats import AtsClient
from ports.ats_webhooks import AtsWebhookTranslator
from ports.clock import Clock, IdGenerator
from ports.referral_events import ReferralEventReader
from ports.referral_platform import ReferralPlatform
from ports.unit_of_work import UnitOfWorkFactory
from ports.work_queue import Locks, WorkQueue
from services.settings import ServiceSettings


@dataclass(frozen=True, slots=True)
class Dependencies:
    """The ports the use cases run on; one ATS adapter for now, chosen by the composition root."""

    uow: UnitOfWorkFactory
    queue: WorkQueue
    locks: Locks
    ats: AtsClient
    translator: AtsWebhookTranslator
    events_in: ReferralEventReader
    platform: ReferralPlatform
    clock: Clock
    ids: IdGenerator
    settings: ServiceSettings = field(default_factory=ServiceSettings)
    rng: random.Random = field(default_factory=random.Random)
