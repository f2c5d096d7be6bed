"""The timings and limits the use cases run on; entrypoints fill them from configuration."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from intrro_gateway.domain.destinations import DestinationPolicy


@dataclass(frozen=True, slots=True)
class ServiceSettings:
    """Timings that production keeps long and tests shorten to seconds."""

    lease: timedelta = timedelta(seconds=60)
    backoff_base: timedelta = timedelta(seconds=5)
    backoff_cap: timedelta = timedelta(hours=6)
    retry_horizon: timedelta = timedelta(hours=72)
    max_attempts: int = 40
    # A safety net only: commits that queue work wake idle workers at once (services.wakeup).
    poll_interval: timedelta = timedelta(seconds=2)
    batch_size: int = 10
    defer_delay: timedelta = timedelta(seconds=2)
    defer_window: timedelta = timedelta(minutes=10)
    lock_ttl: timedelta = timedelta(seconds=120)
    secret_grace: timedelta = timedelta(hours=24)
    body_retention: timedelta = timedelta(days=7)
    reconcile_interval: timedelta = timedelta(minutes=15)
    reconcile_overlap: timedelta = timedelta(
        minutes=10
    )  # each pass re-reads this much before the last
    jobs_sync_interval: timedelta = timedelta(minutes=30)
    connection_check_interval: timedelta = timedelta(hours=1)
    public_url: str = "http://127.0.0.1:8000"
    source_name: str = "Intrro"
    tag_name: str = "Intrro"
    callback_policy: DestinationPolicy = field(default_factory=DestinationPolicy)  # production: on
    # Runs of an export that fail after one of its ATS writes was applied before it is reported
    # exported with the problem `export_incomplete` (never failed: the ATS holds the candidate).
    export_attempts_after_write: int = 8
