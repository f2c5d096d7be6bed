"""The sandbox's whole world: records per resource, credentials, tokens, limits, the request log."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from intrro_gateway.sandboxes._common.app import LoggedRequest as LoggedRequest
from intrro_gateway.sandboxes.greenhouse._clock import SandboxClock
from intrro_gateway.sandboxes.greenhouse._faults import Faults
from intrro_gateway.sandboxes.greenhouse._ratelimit import RateLimit, RateLimiter
from intrro_gateway.sandboxes.greenhouse._scopes import ALL_SCOPES, RESOURCES
from intrro_gateway.sandboxes.greenhouse._webhooks import WebhookDispatcher
from intrro_gateway.sandboxes.greenhouse.errors import UnknownRecordError

Record = dict[str, Any]
"""One stored row in its Harvest v3 read shape; keys starting with `_` are private to the sandbox."""


@dataclass
class Credential:
    """A Harvest v3 OAuth client: its secret, granted scopes and integration service user."""

    client_id: str
    client_secret: str
    scopes: set[str]
    introspection: bool
    service_user_id: int
    revoked: bool = False


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """An opaque bearer token and what it stands for."""

    token: str
    client_id: str
    sub: int
    expires_at: datetime


@dataclass
class SeedIds:
    """Ids of the seeded records that tests and the demo refer to."""

    admin_user_id: int = 0
    non_admin_user_id: int = 0
    employee_user_ids: list[int] = field(default_factory=list)
    employee_without_referrer_user_id: int = 0
    referrer_ids: list[int] = field(default_factory=list)
    department_ids: list[int] = field(default_factory=list)
    office_ids: list[int] = field(default_factory=list)
    open_job_ids: list[int] = field(default_factory=list)
    closed_job_id: int = 0
    template_job_id: int = 0
    intrro_source_id: int | None = None
    source_ids: dict[str, int] = field(default_factory=dict)
    rejection_reason_ids: dict[str, list[int]] = field(default_factory=dict)
    candidate_ids: list[int] = field(default_factory=list)
    application_ids: list[int] = field(default_factory=list)


class SandboxState:
    """Everything the sandbox knows; mutate it directly in tests or through `SandboxControl`."""

    DEFAULT_CLIENT_ID = "sandbox-client"
    DEFAULT_CLIENT_SECRET = "sandbox-secret"  # noqa: S105 - a published test credential, not a secret
    DEFAULT_USER_ID = 4_000_000_001
    ORGANIZATION_ID = 4_000_000_000
    ORGANIZATION_NAME = "Sandbox Co"
    BOARD_URL = "https://boards.greenhouse.io/sandboxco"

    def __init__(self) -> None:
        self.clock = SandboxClock()
        self.tables: dict[str, dict[int, Record]] = {name: {} for name in RESOURCES}
        self.credentials: dict[str, Credential] = {}
        self.tokens: dict[str, IssuedToken] = {}
        self.requests: list[LoggedRequest] = []
        self.token_ttl: float = 3600.0
        self.harvest_rate_limit = RateLimit(limit=150, window_s=30.0)
        self.token_rate_limit = RateLimit(limit=60, window_s=60.0)
        self.limiter = RateLimiter()
        self.rate_limited = 0  # Harvest requests the allowance refused (429)
        self.faults = Faults()
        self.webhooks = WebhookDispatcher()
        self.seed = SeedIds()
        self._next_id = 4_000_100_000

    @classmethod
    def empty(cls) -> SandboxState:
        """No data but the default credential and its site-admin user."""
        state = cls()
        state.add_default_admin()
        return state

    def add_default_admin(self) -> None:
        """The default credential and its site-admin user (every state has them)."""
        self.add_user(
            "Sandra",
            "Admin",
            "admin@sandbox.example",
            site_admin=True,
            user_id=self.DEFAULT_USER_ID,
        )
        self.seed.admin_user_id = self.DEFAULT_USER_ID
        self.add_credential(self.DEFAULT_CLIENT_ID, self.DEFAULT_CLIENT_SECRET)

    def new_id(self) -> int:
        """A fresh record id, unique across every resource."""
        self._next_id += 1
        return self._next_id

    def table(self, resource: str) -> dict[int, Record]:
        """The rows of one resource by id."""
        return self.tables[resource]

    def get(self, resource: str, record_id: object) -> Record:
        """One row by id; raises UnknownRecordError when there is none."""
        record = self.tables[resource].get(record_id) if isinstance(record_id, int) else None
        if record is None:
            raise UnknownRecordError(resource, record_id)
        return record

    def insert(self, resource: str, record: Record) -> Record:
        """Store a new row, giving it an id and `created_at`/`updated_at` when it has none."""
        stamp = self.clock.stamp()
        stored: Record = {"id": record.get("id") or self.new_id(), **record}
        stored.setdefault("created_at", stamp)
        stored.setdefault("updated_at", stamp)
        self.tables[resource][stored["id"]] = stored
        return stored

    def touch(self, record: Record, *fields: str) -> str:
        """Give a changed row a later `updated_at` (and the other named time fields); returns it."""
        stamp = self.clock.stamp()
        record["updated_at"] = stamp
        for name in fields:
            record[name] = stamp
        return stamp

    def add_user(
        self,
        first_name: str,
        last_name: str,
        email: str,
        *,
        site_admin: bool,
        employee_id: str | None = None,
        user_id: int | None = None,
        service_account: bool = False,
    ) -> int:
        """Add a Greenhouse user (with its `user_emails` row); returns its id."""
        record: Record = {
            "first_name": first_name,
            "last_name": last_name,
            "name": f"{first_name} {last_name}".strip(),
            "job_title": None,
            "primary_email": email,
            "emails": [email] if email else [],
            "employee_id": employee_id,
            "deactivated": False,
            "site_admin": site_admin,
            "agency_id": None,
            "linked_candidate_ids": [],
            "office_ids": [],
            "department_ids": [],
            "interviewer_tags": [],
            "custom_fields": {},
            "_service_account": service_account,
        }
        if user_id is not None:
            record["id"] = user_id
        user = self.insert("users", record)
        if email:
            self.insert("user_emails", {"user_id": user["id"], "email": email, "verified": True})
        return int(user["id"])

    def add_referrer(self, user_id: int | None, name: str | None = None) -> int:
        """Add a referrer row (for a user, or a named outsider when `user_id` is None); returns its id."""
        if name is None:
            if user_id is None:
                raise ValueError("a referrer without a user needs a name")
            name = str(self.tables["users"][user_id]["name"])
        return int(self.insert("referrers", {"name": name, "user_id": user_id})["id"])

    def add_credential(
        self,
        client_id: str,
        client_secret: str,
        scopes: Iterable[str] | None = None,
        introspection: bool = True,
    ) -> None:
        """Add an OAuth client with the given scopes (all by default) and its service user."""
        service_user_id = self.add_user(
            "Integration",
            f"Service User ({client_id})",
            "",
            site_admin=True,
            service_account=True,
        )
        self.credentials[client_id] = Credential(
            client_id=client_id,
            client_secret=client_secret,
            scopes=set(ALL_SCOPES if scopes is None else scopes),
            introspection=introspection,
            service_user_id=service_user_id,
        )

    def issue_token(self, client_id: str, sub: int) -> IssuedToken:
        """Mint a token for a credential acting as user `sub`, valid for `token_ttl` seconds."""
        token = IssuedToken(
            token=secrets.token_urlsafe(32),
            client_id=client_id,
            sub=sub,
            expires_at=self.clock.now() + timedelta(seconds=self.token_ttl),
        )
        self.tokens[token.token] = token
        return token

    def request_count(self, path: str, method: str = "GET") -> int:
        """How many logged requests hit `path` with `method`."""
        return sum(1 for r in self.requests if r.path == path and r.method == method)
