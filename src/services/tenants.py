"""Tenants: create or change one (every problem of the input reported at once), rotate its secrets,
delete it with all its data."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field

import structlog

from intrro_gateway.domain.access import OPERATOR, Principal
from intrro_gateway.domain.destinations import DestinationPolicy
from intrro_gateway.domain.status import (
    REJECTION_TARGETS,
    STAGE_TARGETS,
    RejectionMapping,
    StageMapping,
)
from intrro_gateway.domain.tenant import (
    SECRET_ATS_WEBHOOK,
    SECRET_INTRRO,
    SECRET_KINDS,
    TENANT_ID_PATTERN,
    ClosedJobPolicy,
    RotatingSecret,
    Tenant,
)
from intrro_gateway.services.access import require_operator
from intrro_gateway.services.deps import Dependencies
from intrro_gateway.services.errors import InvalidInputError, NotFoundError

logger = structlog.get_logger(__name__)

WEBHOOK_SECRET_FIELD = f"{SECRET_ATS_WEBHOOK}_secret"  # the input field, and the generated name
# Standard Webhooks secrets are 24 to 64 random bytes, base64-encoded after the `whsec_` prefix.
_WHSEC_BYTES = range(24, 65)
# An ATS may take any secret key (some do); the gateway asks for one long enough to resist
# guessing.
_WEBHOOK_SECRET = re.compile(r"^[\x21-\x7e]{16,255}$")


@dataclass(frozen=True, slots=True)
class TenantInput:
    """A tenant's fields as an API caller gives them; a field left `None` is left unchanged."""

    intrro_callback_url: str | None = None
    intrro_secret: str | None = None
    ats_webhook_secret: str | None = None
    ats: str | None = None
    stage_mapping: StageMapping | None = None
    rejection_mapping: RejectionMapping | None = None
    closed_job_policy: ClosedJobPolicy | None = None

    def __repr__(self) -> str:
        return (
            f"TenantInput(ats={self.ats!r}, intrro_callback_url={self.intrro_callback_url!r}, "
            f"stage_mapping={self.stage_mapping!r}, rejection_mapping={self.rejection_mapping!r}, "
            f"closed_job_policy={self.closed_job_policy!r})"
        )


@dataclass(frozen=True, slots=True)
class TenantUpsert:
    """The outcome of a create or change; `generated` holds the secrets made now (shown once)."""

    created: bool
    tenant: Tenant
    generated: dict[str, str] = field(default_factory=dict)


def validate(
    tenant_id: str,
    data: TenantInput,
    *,
    known_ats: tuple[str, ...] | None = None,
    webhook_secret_field: str = WEBHOOK_SECRET_FIELD,
    policy: DestinationPolicy | None = None,
) -> list[str]:
    """Every problem of a tenant id and its input, as readable sentences (empty when valid).

    `known_ats` are the ATS keys a tenant may name (unchecked when None); `webhook_secret_field` is
    the name the caller gave the web hook secret, for the sentence about it; the callback URL is
    judged by `policy` (production's refuses non-public destinations).
    """
    problems: list[str] = []
    if not TENANT_ID_PATTERN.fullmatch(tenant_id):
        problems.append(
            f"tenant id {tenant_id!r} must be a slug: lowercase letters, digits and dashes, "
            "starting with a letter or digit, at most 63 characters"
        )
    if data.ats is not None and known_ats is not None and data.ats not in known_ats:
        problems.append(f"ats must be one of {', '.join(known_ats)}, not {data.ats!r}")
    if data.intrro_callback_url is not None:
        reason = (policy or DestinationPolicy()).judge_url(data.intrro_callback_url)
        if reason is None and any(c.isspace() for c in data.intrro_callback_url):
            reason = "must be an absolute http or https URL with a host"
        if reason is not None:
            problems.append(f"intrro_callback_url {reason}")
    if data.intrro_secret is not None and not is_whsec(data.intrro_secret):
        problems.append(
            "intrro_secret must be a Standard Webhooks secret: 'whsec_' followed by the base64 "
            "of 24 to 64 random bytes"
        )
    secret = data.ats_webhook_secret
    if secret is not None and not _WEBHOOK_SECRET.fullmatch(secret):
        problems.append(
            f"{webhook_secret_field} must be 16 to 255 printable characters without spaces"
        )
    if data.stage_mapping is not None:
        mapping = data.stage_mapping
        for where, entries in (
            ("by_stage_id", mapping.by_stage_id),
            ("by_stage_name", mapping.by_stage_name),
        ):
            for key, status in entries.items():
                if status not in STAGE_TARGETS:
                    problems.append(
                        f"stage_mapping.{where}[{key!r}] maps to {status!s}: a stage can only "
                        "mean applied, interviewing or offer"
                    )
    if data.rejection_mapping is not None:
        for key, status in data.rejection_mapping.by_reason_id.items():
            if status not in REJECTION_TARGETS:
                problems.append(
                    f"rejection_mapping.by_reason_id[{key!r}] maps to {status!s}: a rejection "
                    "reason can only mean rejected or withdrawn"
                )
    return problems


def is_whsec(secret: str) -> bool:
    """Whether a secret is `whsec_` plus the base64 of 24 to 64 bytes."""
    if not secret.startswith("whsec_"):
        return False
    encoded = secret.removeprefix("whsec_")
    try:
        raw = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    return len(raw) in _WHSEC_BYTES


async def get_tenant(deps: Dependencies, tenant_id: str) -> Tenant:
    """The tenant; NotFoundError when there is none."""
    async with deps.uow() as uow:
        tenant = await uow.tenants.get(tenant_id)
    if tenant is None:
        raise NotFoundError("tenant", tenant_id)
    return tenant


async def list_tenants(deps: Dependencies, principal: Principal = OPERATOR) -> list[Tenant]:
    """The tenants the caller may see: every one for an operator, its own for a tenant token."""
    async with deps.uow() as uow:
        ids = await uow.tenants.list_ids()
        found = [await uow.tenants.get(tenant_id) for tenant_id in ids]
    return [t for t in found if t is not None and principal.may_reach(t.id)]


async def upsert_tenant(
    deps: Dependencies,
    tenant_id: str,
    data: TenantInput,
    principal: Principal = OPERATOR,
    *,
    webhook_secret_field: str = WEBHOOK_SECRET_FIELD,
) -> TenantUpsert:
    """Create a tenant (secrets left out are generated; the ATS defaults to the registry's first)
    or change the fields given; only an operator creates (a tenant token naming a tenant that is
    gone gets NotFoundError).

    A new secret given on change is a rotation: the previous one stays valid for inbound checks for
    `settings.secret_grace`. A connected tenant keeps its ATS (disconnect first). Raises
    InvalidInputError naming every problem of the input.
    """
    problems = validate(
        tenant_id,
        data,
        known_ats=deps.registry.keys(),
        webhook_secret_field=webhook_secret_field,
        policy=deps.settings.callback_policy,
    )
    if problems:
        raise InvalidInputError(problems)
    now = deps.clock.now()
    grace = deps.settings.secret_grace
    async with deps.uow() as uow:
        tenant = await uow.tenants.get(tenant_id)
        if tenant is None and not principal.is_operator:
            raise NotFoundError("tenant", tenant_id)
        if tenant is None:
            generated: dict[str, str] = {}
            intrro = data.intrro_secret or _generate(deps, SECRET_INTRRO, generated)
            webhook = data.ats_webhook_secret or _generate(deps, SECRET_ATS_WEBHOOK, generated)
            tenant = Tenant(
                id=tenant_id,
                intrro_callback_url=data.intrro_callback_url,
                intrro_secret=RotatingSecret(intrro),
                webhook_secret=RotatingSecret(webhook),
                ats=data.ats or deps.registry.default,
                stage_mapping=data.stage_mapping or StageMapping(),
                rejection_mapping=data.rejection_mapping or RejectionMapping(),
                closed_job_policy=data.closed_job_policy or ClosedJobPolicy.FAIL,
                created_at=now,
            )
            await uow.tenants.add(tenant)
            await uow.commit()
            logger.info(
                "tenant.created", tenant=tenant_id, ats=tenant.ats, generated=sorted(generated)
            )
            return TenantUpsert(created=True, tenant=tenant, generated=generated)
        if data.ats is not None and data.ats != tenant.ats:
            if tenant.connection is not None:
                raise InvalidInputError(
                    [f"ats: the tenant is connected to {tenant.ats}; disconnect it first"]
                )
            tenant.ats = data.ats
            tenant.webhook_tokens = ()
        if data.intrro_callback_url is not None:
            tenant.intrro_callback_url = data.intrro_callback_url
        if data.intrro_secret is not None and data.intrro_secret != tenant.intrro_secret.current:
            tenant.rotate(SECRET_INTRRO, data.intrro_secret, now=now, grace=grace)
        webhook_secret = data.ats_webhook_secret
        if webhook_secret is not None and webhook_secret != tenant.webhook_secret.current:
            tenant.rotate(SECRET_ATS_WEBHOOK, webhook_secret, now=now, grace=grace)
        if data.stage_mapping is not None:
            tenant.stage_mapping = data.stage_mapping
        if data.rejection_mapping is not None:
            tenant.rejection_mapping = data.rejection_mapping
        if data.closed_job_policy is not None:
            tenant.closed_job_policy = data.closed_job_policy
        await uow.tenants.save(tenant)
        await uow.commit()
    logger.info("tenant.changed", tenant=tenant_id)
    return TenantUpsert(created=False, tenant=tenant)


async def rotate_secret(deps: Dependencies, tenant_id: str, which: str) -> str:
    """Make a new `intrro` or `ats_webhook` secret; the previous one stays valid for the grace."""
    if which not in SECRET_KINDS:
        raise InvalidInputError([f"which must be one of {', '.join(SECRET_KINDS)}, not {which!r}"])
    new = deps.ids.new_secret(which)
    async with deps.uow() as uow:
        tenant = await uow.tenants.get(tenant_id)
        if tenant is None:
            raise NotFoundError("tenant", tenant_id)
        tenant.rotate(which, new, now=deps.clock.now(), grace=deps.settings.secret_grace)
        await uow.tenants.save(tenant)
        await uow.commit()
    logger.info("tenant.secret_rotated", tenant=tenant_id, which=which)
    return new


async def delete_tenant(
    deps: Dependencies, tenant_id: str, principal: Principal = OPERATOR
) -> bool:
    """Remove the tenant and every row it owns (operators only); returns whether it existed."""
    require_operator(principal, "delete a tenant")
    async with deps.uow() as uow:
        existed = await uow.tenants.delete(tenant_id)
        await uow.commit()
    if existed:
        logger.info("tenant.deleted", tenant=tenant_id)
    return existed


def _generate(deps: Dependencies, kind: str, generated: dict[str, str]) -> str:
    secret = deps.ids.new_secret(kind)
    generated[f"{kind}_secret"] = secret
    return secret
