"""The two ingress endpoints: check, store durably, answer. Processing happens later, in the worker."""

from __future__ import annotations

import asyncio
import hashlib
import json

import structlog
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from intrro_gateway.domain.signals import ApplicationSignal, CandidateSignal
from intrro_gateway.domain.tenant import TENANT_ID_PATTERN, Tenant
from intrro_gateway.entrypoints.http.body import read_limited
from intrro_gateway.entrypoints.http.problems import ProblemError
from intrro_gateway.entrypoints.http.runtime import Runtime, runtime_of
from intrro_gateway.ports.ats_webhooks import AtsWebhookTranslator, WebhookError
from intrro_gateway.ports.referral_events import (
    EventSignatureError,
    InvalidEventError,
    NotJsonError,
)
from intrro_gateway.ports.unit_of_work import InboundDelivery
from intrro_gateway.services.errors import NotFoundError
from intrro_gateway.services.ingress import record_delivery
from intrro_gateway.services.tenants import get_tenant

log = structlog.get_logger(__name__)

# A ping is answered whether or not it is signed, so its raw body (up to the body limit, from anyone
# who knows a tenant's URL) is not kept: the worker needs only its action.
_PING_BODY = b'{"action": "ping", "payload": {}}'


async def ats_webhook(request: Request) -> Response:
    """`POST /webhooks/{ats}/{tenant}`: 413, 404, ping, 401, 400, ignored, then stored and 200."""
    rt = runtime_of(request)
    key = request.path_params["ats"]
    body = await read_limited(request, rt.settings.max_body_bytes)
    if key not in rt.deps.registry:
        raise ProblemError(404, "Not Found", f"tenant {request.path_params['tenant']!r} not found")
    parts = rt.deps.registry.get(key)
    translator = parts.translator
    async with asyncio.timeout(rt.settings.request_deadline.total_seconds()):
        tenant = await _tenant(rt, request, translator.source)
        if tenant.ats != key:
            _count(rt, translator.source, "unknown_tenant")
            raise ProblemError(404, "Not Found", f"tenant {tenant.id!r} not found")
        action = translator.action_of(body)
        delivery_id = translator.delivery_id(request.headers, body)
        if action == "ping":
            await _store(
                rt, tenant, translator.source, body, delivery_id, kind="ping", keep=_PING_BODY
            )
            return JSONResponse({})
        now = rt.deps.clock.now()
        if not parts.verifier.verify(request.headers, body, tenant.webhook_secrets(now)):
            _count(rt, translator.source, "unauthorized")
            raise ProblemError(401, "Unauthorized", "the Signature header does not check out")
        if action is None:
            _count(rt, translator.source, "malformed")
            raise ProblemError(400, "Bad Request", _why_no_action(body))
        if not translator.is_used(action):
            _count(rt, translator.source, "ignored")
            return JSONResponse({"ignored": True})
        ordering_key, subject = _ats_keys(translator, body)
        await _store(
            rt,
            tenant,
            translator.source,
            body,
            delivery_id,
            kind=action,
            ordering_key=ordering_key,
            subject_id=subject,
        )
    return JSONResponse({})


async def intrro_event(request: Request) -> Response:
    """`POST /events/intrro/{tenant}`: 413, 404, 401, 400, 422, ignored, then stored and 202."""
    rt = runtime_of(request)
    reader = rt.deps.events_in
    body = await read_limited(request, rt.settings.max_body_bytes)
    async with asyncio.timeout(rt.settings.request_deadline.total_seconds()):
        tenant = await _tenant(rt, request, reader.source)
        now = rt.deps.clock.now()
        try:
            reader.verify(request.headers, body, tenant.intrro_secret.valid_at(now), now)
        except EventSignatureError as exc:
            _count(rt, reader.source, "unauthorized")
            raise ProblemError(401, "Unauthorized", str(exc) or "bad signature") from None
        try:
            event = reader.parse(tenant.id, body)
        except NotJsonError:
            _count(rt, reader.source, "malformed")
            raise ProblemError(400, "Bad Request", "the body is not JSON") from None
        except InvalidEventError as exc:
            _count(rt, reader.source, "invalid")
            raise ProblemError(
                422,
                "Unprocessable Content",
                "the event breaks the schema",
                errors=[f"{e.field}: {e.message}" for e in exc.errors],
            ) from None
        if event.command is None:
            _count(rt, reader.source, "ignored")
            return JSONResponse({"ignored": True}, status_code=202)
        body_hash = hashlib.sha256(body).hexdigest()
        await _store(
            rt,
            tenant,
            reader.source,
            body,
            reader.delivery_id(request.headers) or f"sha256:{body_hash}",
            kind=event.type,
            ordering_key=event.ordering_key,
        )
    return JSONResponse({}, status_code=202)


async def _tenant(rt: Runtime, request: Request, source: str) -> Tenant:
    tenant_id = request.path_params["tenant"]
    if not TENANT_ID_PATTERN.fullmatch(tenant_id):
        _count(rt, source, "unknown_tenant")
        raise ProblemError(404, "Not Found", f"tenant {tenant_id!r} not found")
    try:
        return await get_tenant(rt.deps, tenant_id)
    except NotFoundError:
        _count(rt, source, "unknown_tenant")
        raise


async def _store(
    rt: Runtime,
    tenant: Tenant,
    source: str,
    body: bytes,
    delivery_id: str,
    *,
    kind: str,
    ordering_key: str | None = None,
    subject_id: str | None = None,
    keep: bytes | None = None,
) -> None:
    """Store the delivery (`keep` instead of the raw body, when given; ids and hash from the raw)."""
    body_hash = hashlib.sha256(body).hexdigest()
    structlog.contextvars.bind_contextvars(delivery_id=delivery_id)
    delivery = InboundDelivery(
        id=rt.deps.ids.new_id(),
        tenant_id=tenant.id,
        source=source,
        delivery_id=delivery_id,
        body_hash=body_hash,
        body=body if keep is None else keep,
        kind=kind,
        received_at=rt.deps.clock.now(),
        ordering_key=ordering_key,
        subject_id=subject_id,
    )
    new = await record_delivery(rt.deps, delivery)
    _count(rt, source, "stored" if new else "duplicate")
    log.info("delivery_received", source=source, kind=kind, duplicate=not new)


def _ats_keys(translator: AtsWebhookTranslator, body: bytes) -> tuple[str | None, str | None]:
    """The ordering key (application, else candidate) and the candidate the delivery is about."""
    try:
        translation = translator.translate(body)
    except WebhookError:
        return None, None  # stored anyway: the worker parks what it cannot read, for replay
    application: str | None = None
    candidate: str | None = None
    for signal in translation.signals:
        if isinstance(signal, ApplicationSignal):
            application = application or signal.application_id or None
            candidate = candidate or signal.candidate_id
        elif isinstance(signal, CandidateSignal):
            candidate = candidate or signal.candidate_id
    if application:
        return f"application:{application}", candidate
    return (f"candidate:{candidate}" if candidate else None), candidate


def _why_no_action(body: bytes) -> str:
    try:
        json.loads(body)
    except ValueError:
        return "the body is not JSON"
    return "the body names no action"


def _count(rt: Runtime, source: str, outcome: str) -> None:
    rt.metrics.deliveries.labels(source=source, outcome=outcome).inc()
