"""Tenants: one Intrro company, its secrets, its stage mapping and its ATS connection."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from intrro_gateway.domain.status import RejectionMapping, StageMapping

TENANT_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


SECRET_INTRRO = "intrro"  # noqa: S105 - the kind's name, not a secret
SECRET_ATS_WEBHOOK = "ats_webhook"  # noqa: S105 - the kind's name, not a secret
SECRET_KINDS = (SECRET_INTRRO, SECRET_ATS_WEBHOOK)


class InvalidTenantIdError(ValueError):
    """Raised when a tenant id is not a slug of the contract's form."""


def check_tenant_id(tenant_id: str) -> str:
    """The tenant id, if it is a valid slug; raises otherwise."""
    if not TENANT_ID_PATTERN.fullmatch(tenant_id):
        raise InvalidTenantIdError(
            f"tenant id {tenant_id!r} is not a slug ^[a-z0-9][a-z0-9-]{{0,62}}$"
        )
    return tenant_id


class ClosedJobPolicy(enum.StrEnum):
    """What an introduction to a job that is not open does."""

    FAIL = "fail"
    PROSPECT = "prospect"


@dataclass(frozen=True, slots=True)
class RotatingSecret:
    """A secret with the previous one still valid for inbound checks until a deadline."""

    current: str
    previous: str | None = None
    previous_valid_until: datetime | None = None

    def valid_at(self, now: datetime) -> tuple[str, ...]:
        """The secrets an inbound signature may use at `now`, current first."""
        if self.previous and self.previous_valid_until and now < self.previous_valid_until:
            return (self.current, self.previous)
        return (self.current,)

    def rotated(self, new: str, *, now: datetime, grace: timedelta) -> RotatingSecret:
        """This secret replaced by `new`, the old one valid for `grace` more."""
        return RotatingSecret(current=new, previous=self.current, previous_valid_until=now + grace)


@dataclass(frozen=True, slots=True)
class AtsCredentials:
    """The credential a tenant's admin gave for the ATS, and the ATS user writes are made as.

    `client_secret` is the secret half (an OAuth client secret, or an API key); `client_id` the public
    half where the ATS has one (empty for a bare API key).
    """

    client_id: str
    client_secret: str
    user_id: str | None = None
    user_email: str | None = None

    def __repr__(self) -> str:
        return f"AtsCredentials(client_id={self.client_id!r}, client_secret='**********')"


@dataclass(slots=True)
class AtsConnection:
    """A tenant's connection to its ATS, with the last report and the health flags."""

    ats: str
    credentials: AtsCredentials
    connected_at: datetime
    report: dict[str, Any] | None = None
    ok: bool = False
    credential_failing: bool = False
    checked_at: datetime | None = None
    source_id: str | None = None
    referral_field_key: str | None = None


@dataclass(slots=True)
class Tenant:
    """One Intrro company, served by the gateway."""

    id: str
    intrro_callback_url: str | None
    intrro_secret: RotatingSecret
    webhook_secret: RotatingSecret
    ats: str  # the key of the tenant's ATS in the registry (one per ATS adapter)
    webhook_tokens: tuple[str, ...] = ()  # signature tokens of web hooks connecting created
    stage_mapping: StageMapping = field(default_factory=StageMapping)
    rejection_mapping: RejectionMapping = field(default_factory=RejectionMapping)
    closed_job_policy: ClosedJobPolicy = ClosedJobPolicy.FAIL
    connection: AtsConnection | None = None
    jobs_sequence: int = 0
    jobs_synced_at: datetime | None = None
    last_webhook_at: datetime | None = None
    last_ping_at: datetime | None = None
    reconciled_at: datetime | None = None
    webhooks_silent: bool = False
    reconcile_repairs: int = 0
    created_at: datetime | None = None

    def __post_init__(self) -> None:
        check_tenant_id(self.id)

    @property
    def is_connected(self) -> bool:
        """Whether the tenant has an ATS credential stored."""
        return self.connection is not None

    def next_jobs_sequence(self) -> int:
        """The next number of the tenant's `jobs.changed` events."""
        self.jobs_sequence += 1
        return self.jobs_sequence

    def rotate(self, which: str, new: str, *, now: datetime, grace: timedelta) -> None:
        """Rotate the `intrro` or the `ats_webhook` secret."""
        if which == SECRET_INTRRO:
            self.intrro_secret = self.intrro_secret.rotated(new, now=now, grace=grace)
        elif which == SECRET_ATS_WEBHOOK:
            self.webhook_secret = self.webhook_secret.rotated(new, now=now, grace=grace)
        else:
            raise ValueError(f"unknown secret {which!r}: expected {' or '.join(SECRET_KINDS)}")

    def webhook_secrets(self, now: datetime) -> tuple[str, ...]:
        """Every secret an inbound ATS web hook may be signed with at `now`."""
        return self.webhook_secret.valid_at(now) + self.webhook_tokens

    def record_webhook(self, now: datetime) -> None:
        """A web hook arrived: web hooks flow, the silence flag clears."""
        self.last_webhook_at = now
        self.webhooks_silent = False

    def with_connection(self, connection: AtsConnection | None) -> Tenant:
        """A copy with another connection."""
        return replace(self, connection=connection)
