"""The Lever sandbox's whole world: records per resource, API keys, hooks, limits, faults, the log."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from intrro_gateway.sandboxes._common.app import LoggedRequest as LoggedRequest
from intrro_gateway.sandboxes.lever._clock import SandboxClock
from intrro_gateway.sandboxes.lever._faults import Fault, RandomFaults
from intrro_gateway.sandboxes.lever._permissions import ALL_PERMISSIONS
from intrro_gateway.sandboxes.lever._ratelimit import RateLimit, RateLimiter
from intrro_gateway.sandboxes.lever._webhooks import WebhookDispatcher
from intrro_gateway.sandboxes.lever.errors import UnknownRecordError

Record = dict[str, Any]
"""One stored row in its Lever read shape; keys starting with `_` are private to the sandbox."""

RESOURCES: tuple[str, ...] = (
    "users",
    "postings",
    "stages",
    "archive_reasons",
    "contacts",
    "opportunities",
    "applications",
    "notes",
)
_ID_NAMESPACE = uuid.UUID("6c657665-7273-616e-6462-6f7800000000")


@dataclass
class ApiKey:
    """A Lever API key: the endpoints a super admin ticked for it."""

    key: str
    permissions: set[str]
    revoked: bool = False
    confidential: bool = True
    """"Allow access to confidential data", chosen when the key is made."""


@dataclass
class SeedIds:
    """Ids of the seeded records that tests and the demo refer to."""

    admin_user_id: str = ""
    recruiter_user_id: str = ""
    employee_user_ids: list[str] = field(default_factory=list)
    deactivated_user_id: str = ""
    published_posting_ids: list[str] = field(default_factory=list)
    internal_posting_ids: list[str] = field(default_factory=list)
    internal_site_posting_id: str = ""
    """Published, but on the internal job site only (`distributionChannels: ["internal"]`)."""
    confidential_posting_id: str = ""
    """An internal posting marked confidential."""
    closed_posting_id: str = ""
    draft_posting_id: str = ""
    stage_ids: list[str] = field(default_factory=list)
    archive_reason_ids: dict[str, str] = field(default_factory=dict)
    hired_reason_id: str = ""
    contact_ids: list[str] = field(default_factory=list)
    opportunity_ids: list[str] = field(default_factory=list)


class SandboxState:
    """Everything the sandbox knows; mutate it directly in tests or through `SandboxControl`."""

    DEFAULT_API_KEY = "lever-sandbox-key"
    ACCOUNT_NAME = "Sandbox Co"
    JOBS_SITE = "https://jobs.lever.co/sandboxco"
    HIRE_URL = "https://hire.lever.co"

    def __init__(self) -> None:
        self.clock = SandboxClock()
        self.tables: dict[str, dict[str, Record]] = {name: {} for name in RESOURCES}
        self.deleted_opportunities: list[Record] = []
        self.api_keys: dict[str, ApiKey] = {}
        self.requests: list[LoggedRequest] = []
        self.rate_limit = RateLimit()
        self.limiter = RateLimiter()
        self.rate_limited = 0
        self.faults: list[Fault] = []
        self.random_faults = RandomFaults()
        self.webhooks = WebhookDispatcher()
        self.seed = SeedIds()
        self._counter = 0

    def new_id(self) -> str:
        """A fresh UUID, the same sequence in every state seeded alike."""
        self._counter += 1
        return str(uuid.uuid5(_ID_NAMESPACE, str(self._counter)))

    def table(self, resource: str) -> dict[str, Record]:
        """The rows of one resource by id."""
        return self.tables[resource]

    def get(self, resource: str, record_id: object) -> Record:
        """One row by id; raises UnknownRecordError when there is none."""
        record = self.tables[resource].get(record_id) if isinstance(record_id, str) else None
        if record is None:
            raise UnknownRecordError(resource, record_id)
        return record

    def insert(self, resource: str, record: Record, *, stamps: bool = True) -> Record:
        """Store a new row with an id (unless given), an ordering key and `createdAt`/`updatedAt`."""
        self._counter += 1
        stored: Record = {"id": record.get("id") or self.new_id(), **record, "_seq": self._counter}
        if stamps:
            stamp = self.clock.stamp()
            stored.setdefault("createdAt", stamp)
            stored.setdefault("updatedAt", stamp)
        self.tables[resource][stored["id"]] = stored
        return stored

    def add_api_key(
        self, key: str, permissions: Iterable[str] | None = None, *, confidential: bool = True
    ) -> ApiKey:
        """Add an API key with these endpoint permissions (every one by default), with or without
        access to confidential data."""
        granted = set(ALL_PERMISSIONS if permissions is None else permissions)
        unknown = granted - ALL_PERMISSIONS
        if unknown:
            raise ValueError(f"unknown permissions: {sorted(unknown)}")
        api_key = ApiKey(key, granted, confidential=confidential)
        self.api_keys[key] = api_key
        return api_key

    def add_user(
        self, name: str, email: str, access_role: str = "team member", *, user_id: str | None = None
    ) -> str:
        """Add a Lever user; returns its id."""
        username = email.split("@")[0]
        record: Record = {
            "name": name,
            "username": username,
            "email": email,
            "accessRole": access_role,
            "photo": None,
            "deactivatedAt": None,
            "externalDirectoryId": None,
            "linkedContactIds": None,
            "jobTitle": None,
            "managerId": None,
        }
        if user_id is not None:
            record["id"] = user_id
        return str(self.insert("users", record)["id"])

    def active_user(self, user_id: str) -> Record | None:
        """The user with this id when it exists and is not deactivated."""
        user = self.tables["users"].get(user_id)
        return user if user is not None and user["deactivatedAt"] is None else None

    def take_fault(self, method: str, path: str) -> Fault | None:
        """The first injected fault matching the request, counting it down."""
        for fault in self.faults:
            if fault.matches(method, path):
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                self.random_faults.injected[f"{fault.status or 'delay'} {method} {path}"] += 1
                return fault
        return None

    def request_count(self, path: str, method: str = "GET") -> int:
        """How many logged requests hit `path` with `method`."""
        return sum(1 for r in self.requests if r.path == path and r.method == method)
