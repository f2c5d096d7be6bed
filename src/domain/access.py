"""Who may use the API: operator-wide or tenant-limited API tokens, and what each may reach."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller an API token stands for: an operator (`tenant_id` None) or one tenant's admin."""

    tenant_id: str | None = None
    token_id: str | None = None  # None for a bootstrap token from the settings

    @property
    def is_operator(self) -> bool:
        """Whether the caller may reach every tenant and create tenants."""
        return self.tenant_id is None

    def may_reach(self, tenant_id: str) -> bool:
        """Whether the caller may see or change this tenant at all."""
        return self.tenant_id is None or self.tenant_id == tenant_id


OPERATOR = Principal()


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiToken:
    """A stored API token: only the digest of its value is kept; `revoked_at` ends it."""

    id: str
    name: str
    digest: str
    tenant_id: str | None
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def principal(self) -> Principal:
        """The caller this token stands for."""
        return Principal(tenant_id=self.tenant_id, token_id=self.id)

    @property
    def active(self) -> bool:
        """Whether the token still opens the API."""
        return self.revoked_at is None
