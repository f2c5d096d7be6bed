"""The tenant repository: tenants with their secrets encrypted at rest."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from intrro_gateway.adapters.sql._db import translated
from intrro_gateway.adapters.sql.secrets import SECRET_KINDS, MisboundSecretError, SecretCipher
from intrro_gateway.adapters.sql.tables import (
    ApiTokenRow,
    AtsIndexRow,
    InboxRow,
    IntroductionRow,
    JobPostRow,
    JobRow,
    JobStageRow,
    LinkRow,
    OutboxRow,
    StatusHistoryRow,
    TenantRow,
    table,
)
from intrro_gateway.domain.status import RejectionMapping, StageMapping
from intrro_gateway.domain.tenant import (
    AtsConnection,
    AtsCredentials,
    ClosedJobPolicy,
    RotatingSecret,
    Tenant,
)
from intrro_gateway.ports.unit_of_work import TenantRepository

__all__ = ["SqlTenantRepository"]

_TENANTS = table(TenantRow)
_OWNED = [
    table(m)
    for m in (
        StatusHistoryRow,
        LinkRow,
        AtsIndexRow,
        IntroductionRow,
        JobStageRow,
        JobPostRow,
        JobRow,
        InboxRow,
        OutboxRow,
        ApiTokenRow,
    )
]

# Built once: a statement built per call costs more CPU than the database spends running it.
_GET = select(_TENANTS).where(_TENANTS.c.id == bindparam("tenant_id"))
_GET_ID = select(_TENANTS.c.id).where(_TENANTS.c.id == bindparam("tenant_id"))
_NOTE_WEBHOOK = (
    update(_TENANTS)
    .where(
        _TENANTS.c.id == bindparam("tenant_id"),
        or_(_TENANTS.c.last_webhook_at.is_(None), _TENANTS.c.last_webhook_at < bindparam("at")),
    )
    .values(last_webhook_at=bindparam("at"), webhooks_silent=False)
)


class SqlTenantRepository(TenantRepository):
    """Tenants in SQL, secrets encrypted with the cipher."""

    def __init__(
        self,
        conn: AsyncConnection,
        cipher: SecretCipher,
        changed: Callable[[str], None] | None = None,
    ) -> None:
        self._conn = conn
        self._cipher = cipher
        self._changed = changed  # told the id of every tenant added, saved or deleted

    async def get(self, tenant_id: str) -> Tenant | None:
        """The tenant, with its secrets decrypted, or None."""
        async with translated():
            result = await self._conn.execute(_GET, {"tenant_id": tenant_id})
            row = result.mappings().first()
        return None if row is None else self._to_domain(row)

    async def add(self, tenant: Tenant) -> None:
        """Store a new tenant."""
        self._note(tenant.id)
        async with translated():
            await self._conn.execute(_TENANTS.insert().values(self._to_row(tenant)))

    async def save(self, tenant: Tenant) -> None:
        """Store the tenant's changes."""
        values = self._to_row(tenant)
        del values["id"]
        self._note(tenant.id)
        async with translated():
            await self._conn.execute(
                update(_TENANTS).where(_TENANTS.c.id == tenant.id).values(values)
            )

    async def delete(self, tenant_id: str) -> bool:
        """Remove the tenant and every row it owns; returns whether it existed."""
        self._note(tenant_id)
        async with translated():
            for owned in _OWNED:
                await self._conn.execute(delete(owned).where(owned.c.tenant_id == tenant_id))
            result = await self._conn.execute(delete(_TENANTS).where(_TENANTS.c.id == tenant_id))
        return bool(result.rowcount)

    async def note_ping(self, tenant_id: str, at: datetime) -> bool:
        """Move `last_ping_at` forward to `at`, in place (no secret is read or written)."""
        async with translated():
            exists = await self._conn.execute(
                select(_TENANTS.c.id).where(_TENANTS.c.id == tenant_id)
            )
            if exists.first() is None:
                return False
            await self._conn.execute(
                update(_TENANTS)
                .where(
                    _TENANTS.c.id == tenant_id,
                    or_(_TENANTS.c.last_ping_at.is_(None), _TENANTS.c.last_ping_at < at),
                )
                .values(last_ping_at=at)
            )
        return True

    async def note_webhook(self, tenant_id: str, at: datetime) -> bool:
        """Move `last_webhook_at` forward to `at` and clear the silence flag, in place (one
        statement when it moves; no secret is read or written)."""
        async with translated():
            moved = await self._conn.execute(_NOTE_WEBHOOK, {"tenant_id": tenant_id, "at": at})
            if moved.rowcount:
                return True
            exists = await self._conn.execute(_GET_ID, {"tenant_id": tenant_id})
            return exists.first() is not None

    async def list_ids(self) -> Sequence[str]:
        """Every tenant's id."""
        async with translated():
            result = await self._conn.execute(select(_TENANTS.c.id).order_by(_TENANTS.c.id))
        return [str(v) for v in result.scalars()]

    def _note(self, tenant_id: str) -> None:
        if self._changed is not None:
            self._changed(tenant_id)

    # -- mapping -------------------------------------------------------------------------------

    def _seal(self, tenant_id: str, column: str, value: str | None) -> str | None:
        if value is None:
            return None
        return self._cipher.seal(value, tenant_id=tenant_id, kind=SECRET_KINDS[column])

    def _open(self, row: RowMapping, column: str) -> str | None:
        value = row[column]
        if value is None:
            return None
        return self._cipher.open(value, tenant_id=row["id"], kind=SECRET_KINDS[column])

    def _open_required(self, row: RowMapping, column: str) -> str:
        value = self._open(row, column)
        if value is None:
            raise MisboundSecretError(f"tenant {row['id']!r} has no {column}")
        return value

    def _to_row(self, tenant: Tenant) -> dict[str, Any]:
        conn = tenant.connection
        values: dict[str, Any] = {
            "id": tenant.id,
            "intrro_callback_url": tenant.intrro_callback_url,
            "intrro_secret": self._seal(tenant.id, "intrro_secret", tenant.intrro_secret.current),
            "intrro_secret_previous": self._seal(
                tenant.id, "intrro_secret_previous", tenant.intrro_secret.previous
            ),
            "intrro_secret_previous_valid_until": tenant.intrro_secret.previous_valid_until,
            "webhook_secret": self._seal(
                tenant.id, "webhook_secret", tenant.webhook_secret.current
            ),
            "webhook_secret_previous": self._seal(
                tenant.id, "webhook_secret_previous", tenant.webhook_secret.previous
            ),
            "webhook_secret_previous_valid_until": tenant.webhook_secret.previous_valid_until,
            "ats": tenant.ats,
            "webhook_tokens": (
                self._seal(tenant.id, "webhook_tokens", json.dumps(list(tenant.webhook_tokens)))
                if tenant.webhook_tokens
                else None
            ),
            "stage_mapping": tenant.stage_mapping.to_plain(),
            "rejection_mapping": tenant.rejection_mapping.to_plain(),
            "closed_job_policy": str(tenant.closed_job_policy),
            "jobs_sequence": tenant.jobs_sequence,
            "jobs_synced_at": tenant.jobs_synced_at,
            "last_webhook_at": tenant.last_webhook_at,
            "last_ping_at": tenant.last_ping_at,
            "reconciled_at": tenant.reconciled_at,
            "webhooks_silent": tenant.webhooks_silent,
            "reconcile_repairs": tenant.reconcile_repairs,
            "created_at": tenant.created_at,
            "ats_name": None,
            "ats_credentials": None,
            "connected_at": None,
            "connection_report": None,
            "connection_ok": False,
            "credential_failing": False,
            "checked_at": None,
            "source_id": None,
            "referral_field_key": None,
        }
        if conn is not None:
            creds = conn.credentials
            plain = json.dumps(
                {
                    "client_id": creds.client_id,
                    "client_secret": creds.client_secret,
                    "user_id": creds.user_id,
                    "user_email": creds.user_email,
                }
            )
            values.update(
                ats_name=conn.ats,
                ats_credentials=self._seal(tenant.id, "ats_credentials", plain),
                connected_at=conn.connected_at,
                connection_report=conn.report,
                connection_ok=conn.ok,
                credential_failing=conn.credential_failing,
                checked_at=conn.checked_at,
                source_id=conn.source_id,
                referral_field_key=conn.referral_field_key,
            )
        return values

    def _to_domain(self, row: RowMapping) -> Tenant:
        connection: AtsConnection | None = None
        if row["ats_name"] is not None and row["ats_credentials"] is not None:
            creds = json.loads(self._open_required(row, "ats_credentials"))
            connection = AtsConnection(
                ats=row["ats_name"],
                credentials=AtsCredentials(
                    client_id=creds["client_id"],
                    client_secret=creds["client_secret"],
                    user_id=creds.get("user_id"),
                    user_email=creds.get("user_email"),
                ),
                connected_at=row["connected_at"],
                report=row["connection_report"],
                ok=row["connection_ok"],
                credential_failing=row["credential_failing"],
                checked_at=row["checked_at"],
                source_id=row["source_id"],
                referral_field_key=row["referral_field_key"],
            )
        mapping = row["stage_mapping"] or {}
        tenant = Tenant(
            id=row["id"],
            intrro_callback_url=row["intrro_callback_url"],
            intrro_secret=RotatingSecret(
                current=self._open_required(row, "intrro_secret"),
                previous=self._open(row, "intrro_secret_previous"),
                previous_valid_until=row["intrro_secret_previous_valid_until"],
            ),
            webhook_secret=RotatingSecret(
                current=self._open_required(row, "webhook_secret"),
                previous=self._open(row, "webhook_secret_previous"),
                previous_valid_until=row["webhook_secret_previous_valid_until"],
            ),
            ats=row["ats"],
            webhook_tokens=(
                tuple(json.loads(self._open_required(row, "webhook_tokens")))
                if row["webhook_tokens"]
                else ()
            ),
            stage_mapping=StageMapping.from_plain(
                mapping.get("by_stage_id"), mapping.get("by_stage_name")
            ),
            rejection_mapping=RejectionMapping.from_plain(
                (row["rejection_mapping"] or {}).get("by_reason_id")
            ),
            closed_job_policy=ClosedJobPolicy(row["closed_job_policy"]),
            connection=connection,
            jobs_sequence=row["jobs_sequence"],
            jobs_synced_at=row["jobs_synced_at"],
            last_webhook_at=row["last_webhook_at"],
            last_ping_at=row["last_ping_at"],
            reconciled_at=row["reconciled_at"],
            webhooks_silent=row["webhooks_silent"],
            reconcile_repairs=row["reconcile_repairs"],
            created_at=row["created_at"],
        )
        self._cipher.notice(_secret_values(tenant))
        return tenant


def _secret_values(tenant: Tenant) -> list[str]:
    """Every secret value a tenant holds, for the log redaction."""
    values = [
        tenant.intrro_secret.current,
        tenant.intrro_secret.previous,
        tenant.webhook_secret.current,
        tenant.webhook_secret.previous,
        *tenant.webhook_tokens,
    ]
    if tenant.connection is not None:
        values.append(tenant.connection.credentials.client_secret)
    return [value for value in values if value]
