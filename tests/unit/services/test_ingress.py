"""The ingress use cases on fakes: every outcome, in the contract's order, and what each stores."""

from __future__ import annotations

import hashlib
import hmac

from structlog.testing import capture_logs

from intrro_gateway.ports.unit_of_work import StorageUnavailableError
from intrro_gateway.services.ingress import (
    Outcome,
    Refusal,
    receive_ats_webhook,
    receive_referral_event,
)
from tests.fakes.webhooks import FakeEventReader, FakeTranslator
from tests.unit.services.runtime_harness import INTRRO_SECRET, Runtime, make_runtime

SECRET = "gh-secret-0123456789"  # the harness tenant's web hook secret
STAGE = {
    "type": "stage_changed",
    "application_id": "app-1",
    "candidate_id": "cand-1",
    "stage": {"id": "s1", "name": "Onsite"},
}


def signed(body: bytes, secret: str = SECRET, **extra: str) -> dict[str, str]:
    return {"signature": hmac.new(secret.encode(), body, hashlib.sha256).hexdigest(), **extra}


def setup() -> Runtime:
    rt = make_runtime()
    rt.add_tenant()
    return rt


async def test_a_signed_used_delivery_is_stored_once_with_its_ordering_key() -> None:
    rt = setup()
    body = FakeTranslator.body("candidate_stage_change", [STAGE])

    first = await receive_ats_webhook(rt.deps, "greenhouse", "acme", signed(body), body)
    again = await receive_ats_webhook(rt.deps, "greenhouse", "acme", signed(body), body)

    assert (first.outcome, first.label) == (Outcome.STORED, "stored")
    assert (again.outcome, again.label) == (Outcome.DUPLICATE, "duplicate")
    [stored] = rt.store.inbox.values()
    assert (stored.source, stored.kind, stored.ordering_key, stored.subject_id) == (
        "greenhouse",
        "candidate_stage_change",
        "application:app-1",
        "cand-1",
    )
    assert stored.body == body
    assert rt.translator.translated == ["candidate_stage_change"] * 2  # one read per delivery


async def test_a_candidate_only_delivery_is_ordered_by_its_candidate() -> None:
    rt = setup()
    body = FakeTranslator.body(
        "application_updated", [{"type": "candidate_deleted", "candidate_id": "c9"}]
    )

    await receive_ats_webhook(rt.deps, "greenhouse", "acme", signed(body), body)

    [stored] = rt.store.inbox.values()
    assert (stored.ordering_key, stored.subject_id) == ("candidate:c9", "c9")


async def test_pings_signed_or_not_move_the_tenants_ping_time_and_store_no_row() -> None:
    rt = setup()
    bodies = [FakeTranslator.body("ping") + b" " * n for n in range(50)]  # 50 distinct bodies

    answers = [await receive_ats_webhook(rt.deps, "greenhouse", "acme", {}, b) for b in bodies]

    assert {(a.outcome, a.label) for a in answers} == {(Outcome.PING, "stored")}
    assert rt.store.inbox == {}
    assert rt.store.tenants["acme"].last_ping_at == rt.clock.now()


async def test_an_event_id_seen_again_with_another_body_is_answered_not_applied_and_counted() -> (
    None
):
    rt = setup()
    first = FakeTranslator.body("candidate_stage_change", [STAGE])
    other = FakeTranslator.body("hire_candidate", [STAGE])
    event = {"delivery-id": "evt-1"}

    stored = await receive_ats_webhook(rt.deps, "greenhouse", "acme", signed(first, **event), first)
    with capture_logs() as logs:
        reused = await receive_ats_webhook(
            rt.deps, "greenhouse", "acme", signed(other, **event), other
        )
    same = await receive_ats_webhook(rt.deps, "greenhouse", "acme", signed(first, **event), first)

    assert (stored.label, reused.label, same.label) == ("stored", "conflict", "duplicate")
    assert reused.outcome is Outcome.DUPLICATE and reused.conflict
    [row] = rt.store.inbox.values()
    assert row.body == first
    [warning] = [entry for entry in logs if entry["event"] == "delivery_id_reused"]
    assert warning["log_level"] == "warning"
    assert warning["stored_body_sha256"] == hashlib.sha256(first).hexdigest()
    assert warning["new_body_sha256"] == hashlib.sha256(other).hexdigest()


async def test_an_unknown_tenant_an_unknown_ats_and_another_ats_are_refused_as_not_found() -> None:
    rt = setup()
    body = FakeTranslator.body("ping")

    for ats, tenant, source in (
        ("greenhouse", "nobody", "greenhouse"),
        ("greenhouse", "Not A Slug", "greenhouse"),
        ("workday", "acme", None),
    ):
        received = await receive_ats_webhook(rt.deps, ats, tenant, {}, body)
        assert (received.outcome, received.refusal, received.source) == (
            Outcome.REFUSED,
            Refusal.UNKNOWN_TENANT,
            source,
        )
    rt.store.tenants["acme"].ats = "other"
    other = await receive_ats_webhook(rt.deps, "greenhouse", "acme", {}, body)
    assert other.refusal is Refusal.UNKNOWN_TENANT
    assert rt.store.inbox == {}


async def test_a_bad_signature_is_refused_before_the_body_is_judged() -> None:
    rt = setup()
    for body in (FakeTranslator.body("hire_candidate"), b"not json"):
        received = await receive_ats_webhook(
            rt.deps, "greenhouse", "acme", signed(body, "x" * 20), body
        )
        assert (received.refusal, received.label) == (Refusal.UNAUTHORIZED, "unauthorized")
    assert rt.store.inbox == {}


async def test_a_signature_under_a_connectors_token_is_accepted() -> None:
    rt = setup()
    rt.store.tenants["acme"].webhook_tokens = ("token-of-one-web-hook",)
    body = FakeTranslator.body("hire_candidate")

    received = await receive_ats_webhook(
        rt.deps, "greenhouse", "acme", signed(body, "token-of-one-web-hook"), body
    )

    assert received.outcome is Outcome.STORED


async def test_a_signed_body_without_an_action_is_malformed() -> None:
    rt = setup()
    for body in (b"not json", b'{"no": "action"}'):
        received = await receive_ats_webhook(rt.deps, "greenhouse", "acme", signed(body), body)
        assert (received.refusal, received.label) == (Refusal.MALFORMED, "malformed")
        assert received.detail
    assert rt.store.inbox == {}


async def test_an_unused_action_is_ignored_and_an_unreadable_payload_is_stored_for_the_worker() -> (
    None
):
    rt = setup()
    unused = FakeTranslator.body("something_new")
    unreadable = b'{"action": "hire_candidate", "signals": [{"type": "nonsense"}]}'

    ignored = await receive_ats_webhook(rt.deps, "greenhouse", "acme", signed(unused), unused)
    kept = await receive_ats_webhook(rt.deps, "greenhouse", "acme", signed(unreadable), unreadable)

    assert (ignored.outcome, ignored.label) == (Outcome.IGNORED, "ignored")
    assert kept.outcome is Outcome.STORED
    [stored] = rt.store.inbox.values()
    assert (stored.kind, stored.ordering_key) == ("hire_candidate", None)


async def test_storage_that_cannot_take_the_delivery_propagates_and_nothing_is_acknowledged() -> (
    None
):
    rt = setup()
    body = FakeTranslator.body("hire_candidate")
    rt.uow.fail_commits = 1

    try:
        await receive_ats_webhook(rt.deps, "greenhouse", "acme", signed(body), body)
    except StorageUnavailableError:
        pass
    else:
        raise AssertionError("an undurable delivery must not come back as stored")
    assert rt.store.inbox == {}


def event_headers(
    body: bytes, event_id: str = "evt-1", secret: str = INTRRO_SECRET
) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"webhook-signature": digest, "webhook-id": event_id}


WITHDRAWN = FakeEventReader.body(
    "introduction.withdrawn",
    {"introduction_id": "i-1", "reason": None, "withdrawn_at": "2026-11-24T09:00:00+00:00"},
)


async def test_a_referral_event_is_stored_once_under_its_id() -> None:
    rt = setup()

    first = await receive_referral_event(rt.deps, "acme", event_headers(WITHDRAWN), WITHDRAWN)
    again = await receive_referral_event(rt.deps, "acme", event_headers(WITHDRAWN), WITHDRAWN)

    assert (first.outcome, again.outcome) == (Outcome.STORED, Outcome.DUPLICATE)
    [stored] = rt.store.inbox.values()
    assert (stored.source, stored.delivery_id, stored.kind, stored.ordering_key) == (
        "intrro",
        "evt-1",
        "introduction.withdrawn",
        "i-1",
    )


async def test_referral_event_refusals_and_ignored_types() -> None:
    rt = setup()
    unknown_type = FakeEventReader.body("something.else", {})
    bad_schema = FakeEventReader.body("introduction.withdrawn", {"reason": None})

    cases = [
        ("nobody", event_headers(WITHDRAWN), WITHDRAWN, Refusal.UNKNOWN_TENANT),
        ("acme", event_headers(WITHDRAWN, secret="whsec_other"), WITHDRAWN, Refusal.UNAUTHORIZED),
        ("acme", event_headers(b"nope"), b"nope", Refusal.MALFORMED),
        ("acme", event_headers(bad_schema), bad_schema, Refusal.INVALID),
    ]
    for tenant, headers, body, refusal in cases:
        received = await receive_referral_event(rt.deps, tenant, headers, body)
        assert (received.outcome, received.refusal) == (Outcome.REFUSED, refusal)
    invalid = await receive_referral_event(rt.deps, "acme", event_headers(bad_schema), bad_schema)
    assert invalid.errors
    ignored = await receive_referral_event(
        rt.deps, "acme", event_headers(unknown_type), unknown_type
    )
    assert ignored.outcome is Outcome.IGNORED
    assert rt.store.inbox == {}
