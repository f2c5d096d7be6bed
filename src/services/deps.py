"""Everything a use case may reach, bundled: ports only, handed in by the composition root."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from intrro_gateway.ports.ats_registry import AtsRegistry
from intrro_gateway.ports.clock import Clock, IdGenerator
from intrro_gateway.ports.referral_events import ReferralEventReader
from intrro_gateway.ports.referral_platform import ReferralPlatform
from intrro_gateway.ports.unit_of_work import UnitOfWorkFactory
from intrro_gateway.ports.work_queue import Locks, WorkQueue
from intrro_gateway.services.group_commit import GroupCommit
from intrro_gateway.services.settings import ServiceSettings
from intrro_gateway.services.tenant_cache import TenantCache
from intrro_gateway.services.wakeup import Wakeup


@dataclass(frozen=True, slots=True)
class Dependencies:
    """The ports the use cases run on; each tenant's ATS parts come from the registry."""

    uow: UnitOfWorkFactory
    queue: WorkQueue
    locks: Locks
    registry: AtsRegistry
    events_in: ReferralEventReader
    platform: ReferralPlatform
    clock: Clock
    ids: IdGenerator
    settings: ServiceSettings = field(default_factory=ServiceSettings)
    rng: random.Random = field(default_factory=random.Random)
    wakeup: Wakeup = field(default_factory=Wakeup)  # rung by commits that queue work
    ingest: GroupCommit = field(default_factory=GroupCommit)  # the ingress's shared commits
    # The tenants the ingress checks deliveries against; the composition root gives a cache that its
    # units of work keep current (`forget`); this default keeps nothing (every delivery reads).
    tenant_cache: TenantCache = field(default_factory=lambda: TenantCache(ttl_s=0))
