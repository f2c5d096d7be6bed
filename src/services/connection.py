"""A tenant's ATS connection: check a credential and store it with a report, show its health,
re-check it, and remove it. The ATS's parts come from the registry, by the tenant's ATS; nothing here
changes anything in the ATS but the web hooks its connector may create."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import structlog

from intrro_gateway.domain.commands import ImportJobs
from intrro_gateway.domain.tenant import AtsConnection, AtsCredentials, Tenant
from intrro_gateway.ports.ats import (
    AtsAuthError,
    AtsClient,
    AtsContext,
    AtsPermissionError,
    AtsUser,
    PermissionCheck,
    PermissionStatus,
)
from intrro_gateway.ports.ats_registry import AtsParts, UnknownAtsError
from intrro_gateway.services.deps import Dependencies
from intrro_gateway.services.errors import (
    CredentialRefusedError,
    InvalidInputError,
    NotFoundError,
)
from intrro_gateway.services.outbound import iso as _iso
from intrro_gateway.services.processing import CommandBus

logger = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class SourceReport:
    """Whether the ATS has the candidate source the gateway credits, and how to add it if not."""

    found: bool
    id: str | None
    steps: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ConnectionReport:
    """What checking a credential found; `to_dict()` is the contract's report JSON."""

    ok: bool
    user: AtsUser | None
    permissions: tuple[PermissionCheck, ...]
    source: SourceReport
    webhook_url: str
    webhook_secret: str
    webhook_events: tuple[tuple[str, str], ...]
    problems: tuple[str, ...]
    webhook_created: bool = False  # the gateway made the web hooks in the ATS itself
    webhook_steps: tuple[str, ...] = ()  # what the admin does for them instead

    def to_dict(self, *, include_secret: bool = True) -> dict[str, Any]:
        """The report as the API answers it; without the web hook secret for anything stored."""
        webhook: dict[str, Any] = {"url": self.webhook_url}
        if include_secret:
            webhook["secret"] = self.webhook_secret
        webhook["events"] = [{"action": a, "label": label} for a, label in self.webhook_events]
        webhook["created"] = self.webhook_created
        webhook["steps"] = list(self.webhook_steps)
        return {
            "ok": self.ok,
            "user": _user_dict(self.user),
            "permissions": [
                {
                    "scope": p.scope,
                    "covers": list(p.covers),
                    "required": p.required,
                    "status": str(p.status),
                    "steps": list(p.steps),
                }
                for p in self.permissions
            ],
            "source": {
                "found": self.source.found,
                "id": self.source.id,
                "steps": list(self.source.steps),
            },
            "webhook": webhook,
            "problems": list(self.problems),
        }


async def connect(
    deps: Dependencies,
    bus: CommandBus,
    tenant_id: str,
    *,
    fields: Mapping[str, str],
    user_email: str,
    ats: str | None = None,
) -> ConnectionReport:
    """Check a credential, store it (also when something is missing) and answer the report.

    `fields` are the credential's fields as the tenant's ATS names them (its connector's
    `credential_fields`); `ats`, when given, must be the tenant's ATS. Raises NotFoundError for an
    unknown tenant or another ATS, and CredentialRefusedError when the ATS refuses the credential
    (nothing is stored then). When the report is ok, a full job import follows; its failure is
    logged, not raised: the scheduler's job sync catches up.
    """
    tenant = await _tenant(deps, tenant_id, ats)
    parts = deps.registry.for_tenant(tenant)
    missing = [name for name in parts.connector.credential_fields if not fields.get(name)]
    if missing:
        raise InvalidInputError(
            [f"{name}: required to connect {parts.display_name}" for name in missing]
        )
    credentials = parts.connector.credentials(fields)
    try:
        await parts.client.verify_credentials(_context(tenant, credentials))
    except AtsAuthError as exc:
        logger.info("connection.refused", tenant=tenant_id, status=exc.status)
        raise CredentialRefusedError(
            f"{parts.client.name} refused the credential: {exc.message}"
        ) from exc
    credentials = replace(credentials, user_email=user_email)
    report, user_id = await _check(deps, parts, tenant, credentials)
    setup = await parts.connector.setup_webhooks(
        parts.client, _context(tenant, replace(credentials, user_id=user_id)), report.webhook_url
    )
    report = replace(
        report,
        webhook_created=setup.created,
        webhook_steps=setup.steps,
        problems=report.problems + ((setup.problem,) if setup.problem else ()),
    )
    tokens = setup.tokens
    now = deps.clock.now()
    async with deps.uow() as uow:
        current = await uow.tenants.get(tenant_id)
        if current is None:
            raise NotFoundError("tenant", tenant_id)
        previous = current.connection
        if tokens:
            current.webhook_tokens = tokens
        current.connection = AtsConnection(
            ats=parts.key,
            credentials=replace(credentials, user_id=user_id),
            connected_at=now,
            report=report.to_dict(include_secret=False),
            ok=report.ok,
            credential_failing=False,
            checked_at=now,
            source_id=report.source.id,
            referral_field_key=previous.referral_field_key if previous else None,
        )
        await uow.tenants.save(current)
        await uow.commit()
    logger.info("connection.stored", tenant=tenant_id, ok=report.ok, problems=len(report.problems))
    if report.ok:
        try:
            await bus.handle(ImportJobs(tenant_id=tenant_id, full=True))
        except Exception:
            logger.exception("connection.first_import_failed", tenant=tenant_id)
    return report


async def connection_status(
    deps: Dependencies, tenant_id: str, ats: str | None = None
) -> dict[str, Any]:
    """The last report (refreshed by each re-check) and the health flags, without any secret."""
    tenant = await _tenant(deps, tenant_id, ats)
    conn = tenant.connection
    health = {
        "webhooks_silent": tenant.webhooks_silent,
        "credential_failing": bool(conn and conn.credential_failing),
        "last_webhook_at": _iso(tenant.last_webhook_at),
        "last_ping_at": _iso(tenant.last_ping_at),
        "reconciled_at": _iso(tenant.reconciled_at),
        "reconcile_repairs": tenant.reconcile_repairs,
        "jobs_synced_at": _iso(tenant.jobs_synced_at),
    }
    if conn is None:
        return {"connected": False, "ok": False, "report": None, **health}
    report = dict(conn.report or {})
    if isinstance(report.get("webhook"), dict):
        report["webhook"] = {k: v for k, v in report["webhook"].items() if k != "secret"}
    return {
        "connected": True,
        "ats": conn.ats,
        "ok": conn.ok,
        "client_id": conn.credentials.client_id,
        "user_id": conn.credentials.user_id,
        "connected_at": _iso(conn.connected_at),
        "checked_at": _iso(conn.checked_at),
        "report": report,
        **health,
    }


async def disconnect(deps: Dependencies, tenant_id: str, ats: str | None = None) -> bool:
    """Remove the web hooks connecting made (where the ATS's connector made any) and forget the
    tenant's ATS credential and their signature tokens; returns whether there was a credential."""
    tenant = await _tenant(deps, tenant_id, ats)
    if tenant.connection is None:
        return False
    parts = deps.registry.for_tenant(tenant)
    url = webhook_url(deps.settings.public_url, tenant)
    removed = await parts.connector.remove_webhooks(
        parts.client, _context(tenant, tenant.connection.credentials), url
    )
    async with deps.uow() as uow:
        current = await uow.tenants.get(tenant_id)
        if current is None or current.connection is None:
            return False
        current.connection = None
        current.webhook_tokens = ()
        await uow.tenants.save(current)
        await uow.commit()
    logger.info("connection.removed", tenant=tenant_id, webhooks_removed=removed)
    return True


async def recheck_connection(deps: Dependencies, tenant_id: str) -> None:
    """Check the stored credential again and refresh the report.

    A credential the ATS refuses is flagged `credential_failing` at once; the flag clears when it
    works again. Other ATS errors (unavailable) propagate for the caller to log.
    """
    tenant = await _tenant(deps, tenant_id)
    if tenant.connection is None:
        return
    parts = deps.registry.for_tenant(tenant)
    credentials = tenant.connection.credentials
    failing = False
    report: ConnectionReport | None = None
    user_id = credentials.user_id
    try:
        await parts.client.verify_credentials(_context(tenant, credentials))
    except AtsAuthError as exc:
        failing = True
        logger.warning("connection.credential_failing", tenant=tenant_id, status=exc.status)
    else:
        report, user_id = await _check(deps, parts, tenant, credentials)
    now = deps.clock.now()
    async with deps.uow() as uow:
        current = await uow.tenants.get(tenant_id)
        if current is None or current.connection is None:
            return
        conn = current.connection
        if conn.connected_at != tenant.connection.connected_at:
            return  # reconnected meanwhile: the new connection's own report stands
        was_failing = conn.credential_failing
        conn.credential_failing = failing
        conn.checked_at = now
        if report is not None:
            webhook = (conn.report or {}).get("webhook")
            if isinstance(webhook, dict):  # what connecting set up stands until the next connect
                report = replace(
                    report,
                    webhook_created=bool(webhook.get("created")),
                    webhook_steps=tuple(str(x) for x in webhook.get("steps") or ()),
                )
            conn.report = report.to_dict(include_secret=False)
            conn.ok = report.ok
            conn.source_id = report.source.id
            conn.credentials = replace(conn.credentials, user_id=user_id)
        await uow.tenants.save(current)
        await uow.commit()
    if was_failing and not failing:
        logger.info("connection.credential_recovered", tenant=tenant_id)


# -- checks ------------------------------------------------------------------------------------


async def _check(
    deps: Dependencies, parts: AtsParts, tenant: Tenant, credentials: AtsCredentials
) -> tuple[ConnectionReport, str | None]:
    """Resolve the user, check permissions and the source; the report and the user's id."""
    ats = parts.client
    problems: list[str] = []
    email = credentials.user_email or ""
    lookup = _context(tenant, replace(credentials, user_id=None))
    user: AtsUser | None = None
    try:
        user = await ats.find_user_by_email(lookup, email)
    except AtsPermissionError:
        problems.append(
            f"The credential cannot look users up, so the user {email} could not be resolved; "
            "grant it the users scope."
        )
    else:
        if user is None:
            problems.append(
                f"No {ats.name} user has the e-mail {email}: give the e-mail of a Site Admin "
                "user of the account."
            )
        elif not user.site_admin:
            problems.append(
                f"The user {user.name} ({user.email}) is not a Site Admin: {ats.name} only "
                "answers list requests made as a Site Admin."
            )
    acting = _context(tenant, replace(credentials, user_id=user.id if user else None))
    permissions = tuple(await ats.check_permissions(acting))
    problems.extend(_permission_problems(permissions))
    source = await _source(deps, ats, acting, problems)
    missing_required = any(p.required and p.status is PermissionStatus.MISSING for p in permissions)
    ok = (not missing_required) and user is not None and user.site_admin and source.found
    base = deps.settings.public_url.rstrip("/")
    report = ConnectionReport(
        ok=ok,
        user=user,
        permissions=permissions,
        source=source,
        webhook_url=webhook_url(base, tenant),
        webhook_secret=tenant.webhook_secret.current,
        webhook_events=tuple(parts.translator.subscriptions()),
        problems=tuple(problems),
    )
    return report, user.id if user else None


def _permission_problems(permissions: Sequence[PermissionCheck]) -> list[str]:
    problems: list[str] = []
    for check in permissions:
        if check.status is not PermissionStatus.MISSING:
            continue
        what = ", ".join(check.covers) or check.scope
        if check.required:
            problems.append(
                f"The credential lacks the required scope {check.scope} ({what}): add it to the "
                "credential and connect again."
            )
        else:
            problems.append(
                f"The credential lacks the optional scope {check.scope} ({what}); the gateway "
                "works without it, with less."
            )
    return problems


async def _source(
    deps: Dependencies, ats: AtsClient, ctx: AtsContext, problems: list[str]
) -> SourceReport:
    name = deps.settings.source_name
    try:
        sources = await ats.list_sources(ctx)
    except AtsPermissionError:
        problems.append(f"The credential cannot list sources, so the {name!r} source is unchecked.")
        return SourceReport(found=False, id=None, steps=tuple(ats.source_steps(name)))
    match = next((s for s in sources if s.name.strip().casefold() == name.casefold()), None)
    if match is not None:
        return SourceReport(found=True, id=match.id, steps=())
    problems.append(
        f"No candidate source named {name!r} exists: add it as the source steps say, so that "
        "introduced candidates are credited to it."
    )
    return SourceReport(found=False, id=None, steps=tuple(ats.source_steps(name)))


async def tenant_of_ats(deps: Dependencies, tenant_id: str, ats: str) -> Tenant:
    """The tenant, if its ATS is `ats`; NotFoundError otherwise (as for an unknown tenant)."""
    return await _tenant(deps, tenant_id, ats)


def webhook_url(public_url: str, tenant: Tenant) -> str:
    """Where the tenant's ATS posts its web hooks."""
    return f"{public_url.rstrip('/')}/webhooks/{tenant.ats}/{tenant.id}"


def _context(tenant: Tenant, credentials: AtsCredentials) -> AtsContext:
    return AtsContext(tenant.id, credentials, ats=tenant.ats)


async def _tenant(deps: Dependencies, tenant_id: str, ats: str | None = None) -> Tenant:
    """The tenant; NotFoundError also when `ats` is given and is not the tenant's (or unknown)."""
    async with deps.uow() as uow:
        tenant = await uow.tenants.get(tenant_id)
    if tenant is None or (ats is not None and tenant.ats != ats):
        raise NotFoundError("tenant", tenant_id)
    try:
        deps.registry.for_tenant(tenant)
    except UnknownAtsError:
        raise NotFoundError("tenant", tenant_id) from None
    return tenant


def _user_dict(user: AtsUser | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.id, "name": user.name, "email": user.email, "site_admin": user.site_admin}
