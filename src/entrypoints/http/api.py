"""The API for Intrro and operators: each endpoint a thin call into the services."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from intrro_gateway.domain.access import OPERATOR, Principal
from intrro_gateway.domain.commands import ImportJobs
from intrro_gateway.domain.tenant import Tenant
from intrro_gateway.entrypoints import compat
from intrro_gateway.entrypoints.http import models
from intrro_gateway.entrypoints.http.parsing import (
    connection_input,
    json_object,
    secret_kind,
    tenant_input,
)
from intrro_gateway.entrypoints.http.runtime import runtime_of
from intrro_gateway.ports.ats_registry import AtsParts
from intrro_gateway.services import connection, inspection, tenants
from intrro_gateway.services.deps import Dependencies
from intrro_gateway.services.errors import NotFoundError


def tenant_view(tenant: Tenant, public_url: str) -> dict[str, Any]:
    """A tenant as the API shows it: no secret ever."""
    return {
        "id": tenant.id,
        "ats": tenant.ats,
        "intrro_callback_url": tenant.intrro_callback_url,
        "stage_mapping": {
            "by_stage_id": {k: str(v) for k, v in tenant.stage_mapping.by_stage_id.items()},
            "by_stage_name": {k: str(v) for k, v in tenant.stage_mapping.by_stage_name.items()},
        },
        "rejection_mapping": tenant.rejection_mapping.to_plain(),
        "closed_job_policy": str(tenant.closed_job_policy),
        "connected": tenant.is_connected,
        "webhook_url": connection.webhook_url(public_url, tenant),
        "created_at": tenant.created_at.isoformat() if tenant.created_at else None,
    }


def _tenant_id(request: Request) -> str:
    tenant_id: str = request.path_params["tenant"]
    return tenant_id


def _principal(request: Request) -> Principal:
    """The caller, as the bearer middleware found it."""
    principal: Principal = getattr(request.state, "principal", OPERATOR)
    return principal


def _ats(deps: Dependencies, request: Request) -> AtsParts:
    """The ATS the path names; an unknown key answers 404 like an unknown tenant."""
    key: str = request.path_params["ats"]
    if key not in deps.registry:
        raise NotFoundError("tenant", _tenant_id(request))
    return deps.registry.get(key)


async def get_tenant(request: Request) -> Response:
    """`GET /api/tenants/{tenant}`: the tenant, without secrets."""
    rt = runtime_of(request)
    tenant = await tenants.get_tenant(rt.deps, _tenant_id(request))
    return JSONResponse(tenant_view(tenant, rt.settings.public_url))


async def put_tenant(request: Request) -> Response:
    """`PUT /api/tenants/{tenant}`: create (201, generated secrets shown once) or change (200)."""
    rt = runtime_of(request)
    tenant_id = _tenant_id(request)
    doc = await json_object(request, rt.settings.max_body_bytes, empty_ok=True)
    given = tenant_input(
        tenant_id, doc, rt.deps.registry.keys(), rt.settings.service.callback_policy
    )
    result = await tenants.upsert_tenant(
        rt.deps,
        tenant_id,
        given.data,
        _principal(request),
        webhook_secret_field=given.webhook_secret_field,
    )
    body = tenant_view(result.tenant, rt.settings.public_url)
    body["generated"] = compat.shown_secret_names(result.tenant.ats, result.generated)
    return JSONResponse(body, status_code=201 if result.created else 200)


async def delete_tenant(request: Request) -> Response:
    """`DELETE /api/tenants/{tenant}`: the tenant and all its data."""
    tenant_id = _tenant_id(request)
    if not await tenants.delete_tenant(runtime_of(request).deps, tenant_id, _principal(request)):
        raise NotFoundError("tenant", tenant_id)
    return Response(status_code=204)


async def rotate_secret(request: Request) -> Response:
    """`POST /api/tenants/{tenant}/secrets/rotate`: a new secret, the old one valid 24 hours more."""
    rt = runtime_of(request)
    which = secret_kind(await json_object(request, rt.settings.max_body_bytes))
    secret = await tenants.rotate_secret(rt.deps, _tenant_id(request), compat.secret_kind(which))
    grace = rt.settings.service.secret_grace.total_seconds()
    return JSONResponse({"which": which, "secret": secret, "previous_valid_for_seconds": grace})


async def connect(request: Request) -> Response:
    """`POST /api/tenants/{tenant}/connections/{ats}`: check and store, answer the report."""
    rt = runtime_of(request)
    ats = _ats(rt.deps, request)
    await connection.tenant_of_ats(rt.deps, _tenant_id(request), ats.key)  # 404 before 422
    doc = await json_object(request, rt.settings.max_body_bytes)
    given = connection_input(ats.key, doc, ats.connector.credential_fields)
    report = await connection.connect(
        rt.deps,
        rt.bus,
        _tenant_id(request),
        fields=given.fields,
        user_email=given.user_email,
        ats=ats.key,
    )
    return JSONResponse(report.to_dict())


async def connection_status(request: Request) -> Response:
    """`GET /api/tenants/{tenant}/connections/{ats}`: last report, checks, health; no secrets."""
    deps = runtime_of(request).deps
    ats = _ats(deps, request)
    status = await connection.connection_status(deps, _tenant_id(request), ats.key)
    return JSONResponse(status)


async def disconnect(request: Request) -> Response:
    """`DELETE /api/tenants/{tenant}/connections/{ats}`."""
    tenant_id = _tenant_id(request)
    deps = runtime_of(request).deps
    if not await connection.disconnect(deps, tenant_id, _ats(deps, request).key):
        raise NotFoundError("connection of tenant", tenant_id)
    return Response(status_code=204)


async def sync_jobs(request: Request) -> Response:
    """`POST /api/tenants/{tenant}/sync/jobs`: a full job import starts now, in the background."""
    rt = runtime_of(request)
    tenant = await tenants.get_tenant(rt.deps, _tenant_id(request))
    rt.spawn(f"import_jobs:{tenant.id}", rt.bus.handle(ImportJobs(tenant_id=tenant.id, full=True)))
    return JSONResponse({"started": True, "tenant": tenant.id}, status_code=202)


async def list_jobs(request: Request) -> Response:
    """`GET /api/tenants/{tenant}/jobs?status=&updated_after=&cursor=`."""
    query = models.read_query(models.JobsQuery, request.query_params)
    view = await inspection.jobs_view(
        runtime_of(request).deps,
        _tenant_id(request),
        query.status,
        query.updated_after,
        query.cursor,
    )
    return JSONResponse(view)


async def get_introduction(request: Request) -> Response:
    """`GET /api/tenants/{tenant}/introductions/{introduction_id}`."""
    view = await inspection.introduction_view(
        runtime_of(request).deps, _tenant_id(request), request.path_params["introduction_id"]
    )
    return JSONResponse(view)


async def pipeline(request: Request) -> Response:
    """`GET /api/tenants/{tenant}/pipeline?status=&cursor=`."""
    query = models.read_query(models.PipelineQuery, request.query_params)
    view = await inspection.pipeline(
        runtime_of(request).deps, _tenant_id(request), query.status, query.cursor
    )
    return JSONResponse(view)


async def deliveries(request: Request) -> Response:
    """`GET /api/tenants/{tenant}/deliveries?direction=&state=&cursor=`."""
    query = models.read_query(models.DeliveriesQuery, request.query_params)
    view = await inspection.deliveries(
        runtime_of(request).deps, _tenant_id(request), query.direction, query.state, query.cursor
    )
    return JSONResponse(view)


async def replay(request: Request) -> Response:
    """`POST /api/tenants/{tenant}/deliveries/{id}/replay`: a dead item tried again; others unchanged."""
    replayed = await inspection.replay(
        runtime_of(request).deps, _tenant_id(request), request.path_params["id"]
    )
    return JSONResponse({"replayed": replayed})
