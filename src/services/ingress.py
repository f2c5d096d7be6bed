"""The ingress use cases: check an inbound delivery, store it durably, say what became of it.

The HTTP endpoints read the body within the limit, call one function here and map its outcome to the
contract's status codes; processing happens later, in the worker. Checks run in the contract's order:
unknown tenant (or an ATS that is not the tenant's), ping, signature, readability, use; then one storage
call (`record_delivery`), the seam a faster ingest path replaces.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import structlog

from intrro_gateway.domain.signals import ApplicationSignal, AtsSignal, CandidateSignal
from intrro_gateway.domain.tenant import TENANT_ID_PATTERN, Tenant
from intrro_gateway.ports.referral_events import (
    EventSignatureError,
    InvalidEventError,
    NotJsonError,
)
from intrro_gateway.ports.unit_of_work import InboundDelivery
from intrro_gateway.services.deps import Dependencies

log = structlog.get_logger(__name__)


class Outcome(enum.StrEnum):
    """What became of a delivery."""

    STORED = "stored"
    DUPLICATE = "duplicate"  # stored before: no second effect
    PING = "ping"  # an ATS's ping, recorded for the web hook health
    IGNORED = "ignored"  # verified, but of a kind the gateway does not use
    REFUSED = "refused"  # see the reason; nothing stored


class Refusal(enum.StrEnum):
    """Why a delivery was refused (the value is the metrics label)."""

    UNKNOWN_TENANT = "unknown_tenant"  # also an unknown ATS, or an ATS that is not the tenant's
    UNAUTHORIZED = "unauthorized"  # the signature does not verify
    MALFORMED = "malformed"  # not JSON, or no action
    INVALID = "invalid"  # readable, but breaks the schema


@dataclass(frozen=True, slots=True)
class Received:
    """The outcome of one inbound delivery; `source` is None when no known source was addressed."""

    outcome: Outcome
    source: str | None
    refusal: Refusal | None = None
    detail: str = ""
    errors: tuple[str, ...] = ()
    duplicate: bool = False
    conflict: bool = False  # a delivery id seen before with another body: answered, not applied

    @property
    def label(self) -> str:
        """The metrics label of the outcome, as the gateway has always counted it (`conflict`: a
        delivery id reused with another body)."""
        if self.refusal is not None:
            return str(self.refusal)
        if self.conflict:
            return "conflict"
        if self.outcome in (Outcome.STORED, Outcome.PING):
            return "duplicate" if self.duplicate else "stored"
        return str(self.outcome)


async def receive_ats_webhook(
    deps: Dependencies, ats: str, tenant_id: str, headers: Mapping[str, str], body: bytes
) -> Received:
    """An ATS web hook: 404-like refusal, ping, signature, readability, use; then stored once."""
    if ats not in deps.registry:
        return _refused(None, Refusal.UNKNOWN_TENANT, f"tenant {tenant_id!r} not found")
    parts = deps.registry.get(ats)
    source = parts.translator.source
    tenant = await _tenant(deps, tenant_id)
    if tenant is None or tenant.ats != ats:
        return _refused(source, Refusal.UNKNOWN_TENANT, f"tenant {tenant_id!r} not found")
    reading = parts.translator.read(body)  # the one parse of the body
    delivery_id = parts.translator.delivery_id(headers, body)
    if reading.translation is not None and reading.translation.ping:
        # Answered whether or not it is signed, so anyone who knows the URL may send one: it moves
        # the tenant's `last_ping_at` (web hook health) in place and stores no row, whatever its body.
        await record_ping(deps, tenant.id)
        return Received(Outcome.PING, source)
    if not parts.verifier.verify(headers, body, tenant.webhook_secrets(deps.clock.now())):
        return _refused(source, Refusal.UNAUTHORIZED, "the signature does not check out")
    if reading.action is None:
        return _refused(source, Refusal.MALFORMED, reading.problem or "the body names no action")
    if reading.translation is not None and reading.translation.ignored:
        return Received(Outcome.IGNORED, source)
    # A payload the translator cannot read is stored anyway: the worker parks it, for replay.
    signals = reading.translation.signals if reading.translation is not None else ()
    ordering_key, subject = ordering_of(signals)
    return await _store(
        deps,
        tenant,
        source,
        body,
        delivery_id,
        kind=reading.action,
        ordering_key=ordering_key,
        subject_id=subject,
    )


async def receive_referral_event(
    deps: Dependencies, tenant_id: str, headers: Mapping[str, str], body: bytes
) -> Received:
    """A referral platform event: unknown tenant, signature, JSON, schema, use; then stored once."""
    reader = deps.events_in
    source = reader.source
    tenant = await _tenant(deps, tenant_id)
    if tenant is None:
        return _refused(source, Refusal.UNKNOWN_TENANT, f"tenant {tenant_id!r} not found")
    now = deps.clock.now()
    try:
        reader.verify(headers, body, tenant.intrro_secret.valid_at(now), now)
    except EventSignatureError as exc:
        return _refused(source, Refusal.UNAUTHORIZED, str(exc) or "bad signature")
    try:
        event = reader.parse(tenant.id, body)
    except NotJsonError:
        return _refused(source, Refusal.MALFORMED, "the body is not JSON")
    except InvalidEventError as exc:
        errors = tuple(f"{e.field}: {e.message}" for e in exc.errors)
        return _refused(source, Refusal.INVALID, "the event breaks the schema", errors)
    if event.command is None:
        return Received(Outcome.IGNORED, source)
    delivery_id = reader.delivery_id(headers) or f"sha256:{hashlib.sha256(body).hexdigest()}"
    return await _store(
        deps, tenant, source, body, delivery_id, kind=event.type, ordering_key=event.ordering_key
    )


async def record_ping(deps: Dependencies, tenant_id: str) -> None:
    """Note an ATS's ping for the tenant's web hook health: `last_ping_at` moves forward, in place.

    A ping only proves a web hook was saved in the ATS (it may be unsigned), so it never clears the
    silence flag that signed deliveries clear."""
    async with deps.uow() as uow:
        await uow.tenants.note_ping(tenant_id, deps.clock.now())
        await uow.commit()
    log.info("webhook.ping")


async def record_delivery(deps: Dependencies, delivery: InboundDelivery) -> bool:
    """Store a delivery in the inbox in one committed unit of work; True when it was new.

    A delivery already stored (same tenant, source and delivery id) changes nothing. Storage errors
    propagate: the HTTP layer answers 503, never 200, when the delivery is not durable. Deliveries
    that arrive while a commit is under way share the next one (`services.group_commit`).
    """
    return await deps.ingest.add(deps.uow, delivery)


def ordering_of(signals: Sequence[AtsSignal]) -> tuple[str | None, str | None]:
    """The ordering key (application, else candidate) and the candidate a delivery is about."""
    application: str | None = None
    candidate: str | None = None
    for signal in signals:
        if isinstance(signal, ApplicationSignal):
            application = application or signal.application_id or None
            candidate = candidate or signal.candidate_id
        elif isinstance(signal, CandidateSignal):
            candidate = candidate or signal.candidate_id
    if application:
        return f"application:{application}", candidate
    return (f"candidate:{candidate}" if candidate else None), candidate


async def _tenant(deps: Dependencies, tenant_id: str) -> Tenant | None:
    """The tenant, from the cache the units of work keep current (read only; never changed here)."""
    if not TENANT_ID_PATTERN.fullmatch(tenant_id):
        return None
    return await deps.tenant_cache.get(deps.uow, tenant_id)


def _refused(
    source: str | None, refusal: Refusal, detail: str, errors: tuple[str, ...] = ()
) -> Received:
    return Received(Outcome.REFUSED, source, refusal=refusal, detail=detail, errors=errors)


async def _store(
    deps: Dependencies,
    tenant: Tenant,
    source: str,
    body: bytes,
    delivery_id: str,
    *,
    kind: str,
    ordering_key: str | None = None,
    subject_id: str | None = None,
) -> Received:
    """Store the delivery once; a delivery id stored before with another body is a conflict:
    answered like a duplicate, never applied, counted and logged with both body hashes."""
    structlog.contextvars.bind_contextvars(delivery_id=delivery_id)
    body_hash = hashlib.sha256(body).hexdigest()
    delivery = InboundDelivery(
        id=deps.ids.new_id(),
        tenant_id=tenant.id,
        source=source,
        delivery_id=delivery_id,
        body_hash=body_hash,
        body=body,
        kind=kind,
        received_at=deps.clock.now(),
        ordering_key=ordering_key,
        subject_id=subject_id,
    )
    new = await record_delivery(deps, delivery)
    log.info("delivery_received", source=source, kind=kind, duplicate=not new)
    if new:
        return Received(Outcome.STORED, source)
    async with deps.uow() as uow:
        stored_hash = await uow.inbox.body_hash_of(tenant.id, source, delivery_id)
    if stored_hash is not None and stored_hash != body_hash:
        log.warning(
            "delivery_id_reused",
            source=source,
            kind=kind,
            stored_body_sha256=stored_hash,
            new_body_sha256=body_hash,
        )
        return Received(Outcome.DUPLICATE, source, duplicate=True, conflict=True)
    return Received(Outcome.DUPLICATE, source, duplicate=True)
