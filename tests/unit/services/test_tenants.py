"""Tenants: validation with every problem at once, generated secrets shown once, rotation, deletion."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intrro_gateway.domain.status import ReferralStatus, StageMapping
from intrro_gateway.domain.tenant import ClosedJobPolicy
from intrro_gateway.services.errors import InvalidInputError, NotFoundError
from intrro_gateway.services.tenants import (
    TenantInput,
    delete_tenant,
    get_tenant,
    is_whsec,
    rotate_secret,
    upsert_tenant,
    validate,
)
from tests.unit.services.runtime_harness import INTRRO_SECRET, make_runtime

GOOD = TenantInput(
    intrro_callback_url="https://intrro.test/hooks/acme",
    intrro_secret=INTRRO_SECRET,
    ats_webhook_secret="a-long-enough-secret",
)


async def test_creating_a_tenant_answers_created_and_stores_what_was_given() -> None:
    rt = make_runtime()

    result = await upsert_tenant(rt.deps, "acme", GOOD)

    assert result.created is True
    assert result.generated == {}
    stored = rt.store.tenants["acme"]
    assert stored.intrro_callback_url == "https://intrro.test/hooks/acme"
    assert stored.intrro_secret.current == INTRRO_SECRET
    assert stored.webhook_secret.current == "a-long-enough-secret"
    assert stored.created_at == rt.clock.now()


async def test_secrets_left_out_on_create_are_generated_and_returned_once() -> None:
    rt = make_runtime()

    created = await upsert_tenant(rt.deps, "acme", TenantInput())
    changed = await upsert_tenant(rt.deps, "acme", TenantInput())

    assert set(created.generated) == {"intrro_secret", "ats_webhook_secret"}
    assert is_whsec(created.generated["intrro_secret"])
    stored = rt.store.tenants["acme"]
    assert stored.intrro_secret.current == created.generated["intrro_secret"]
    assert stored.webhook_secret.current == created.generated["ats_webhook_secret"]
    assert changed.created is False
    assert changed.generated == {}
    assert rt.store.tenants["acme"].intrro_secret.current == created.generated["intrro_secret"]


async def test_a_change_touches_only_the_fields_given() -> None:
    rt = make_runtime()
    await upsert_tenant(rt.deps, "acme", GOOD)
    mapping = StageMapping(by_stage_name={"take-home": ReferralStatus.INTERVIEWING})

    result = await upsert_tenant(
        rt.deps,
        "acme",
        TenantInput(stage_mapping=mapping, closed_job_policy=ClosedJobPolicy.PROSPECT),
    )

    assert result.created is False
    stored = rt.store.tenants["acme"]
    assert stored.stage_mapping == mapping
    assert stored.closed_job_policy is ClosedJobPolicy.PROSPECT
    assert stored.intrro_callback_url == GOOD.intrro_callback_url
    assert stored.intrro_secret.current == INTRRO_SECRET


async def test_every_problem_of_the_input_is_reported_at_once_and_nothing_is_stored() -> None:
    rt = make_runtime()
    bad = TenantInput(
        intrro_callback_url="ftp://intrro.test/hooks",
        intrro_secret="not-a-whsec",
        ats_webhook_secret="short",
    )

    with pytest.raises(InvalidInputError) as caught:
        await upsert_tenant(rt.deps, "Not_A_Slug", bad)

    errors = caught.value.errors
    assert len(errors) == 4
    assert any("slug" in e for e in errors)
    assert any("intrro_callback_url" in e for e in errors)
    assert any("intrro_secret" in e for e in errors)
    assert any("ats_webhook_secret" in e for e in errors)
    assert rt.store.tenants == {}


@pytest.mark.parametrize(
    "url",
    ["https://intrro.test/cb", "http://127.0.0.1:8080/cb", "https://a.b/c?d=e"],
)
def test_http_and_https_callback_urls_with_a_host_are_accepted(url: str) -> None:
    assert validate("acme", TenantInput(intrro_callback_url=url)) == []


@pytest.mark.parametrize(
    "url", ["intrro.test/cb", "https://", "mailto:a@b.c", "javascript:alert(1)", "https://a b/c"]
)
def test_callback_urls_that_are_not_absolute_http_are_refused(url: str) -> None:
    assert len(validate("acme", TenantInput(intrro_callback_url=url))) == 1


@given(raw=st.binary(min_size=0, max_size=100))
def test_a_whsec_secret_is_accepted_exactly_when_it_holds_24_to_64_bytes(raw: bytes) -> None:
    secret = "whsec_" + base64.b64encode(raw).decode()
    assert is_whsec(secret) is (24 <= len(raw) <= 64)
    assert is_whsec(base64.b64encode(raw).decode()) is False


@given(text=st.text(max_size=80))
def test_the_whsec_check_never_raises_on_any_text(text: str) -> None:
    assert is_whsec("whsec_" + text) in (True, False)


@given(slug=st.from_regex(r"\A[a-z0-9][a-z0-9-]{0,62}\Z"))
def test_every_slug_of_the_contracts_form_is_a_valid_tenant_id(slug: str) -> None:
    assert validate(slug, TenantInput()) == []


async def test_rotating_a_secret_keeps_the_previous_one_valid_for_the_grace() -> None:
    rt = make_runtime()
    await upsert_tenant(rt.deps, "acme", GOOD)

    new = await rotate_secret(rt.deps, "acme", "intrro")

    secret = rt.store.tenants["acme"].intrro_secret
    assert is_whsec(new)
    assert secret.current == new
    now = rt.clock.now()
    assert secret.valid_at(now) == (new, INTRRO_SECRET)
    assert secret.valid_at(now + rt.deps.settings.secret_grace) == (new,)


async def test_rotating_the_webhook_secret_makes_a_new_one() -> None:
    rt = make_runtime()
    await upsert_tenant(rt.deps, "acme", GOOD)

    new = await rotate_secret(rt.deps, "acme", "ats_webhook")

    secret = rt.store.tenants["acme"].webhook_secret
    assert secret.current == new != "a-long-enough-secret"
    assert secret.previous == "a-long-enough-secret"


async def test_a_new_secret_given_on_change_is_a_rotation_with_grace() -> None:
    rt = make_runtime()
    await upsert_tenant(rt.deps, "acme", GOOD)
    other = "whsec_" + base64.b64encode(b"x" * 32).decode()

    await upsert_tenant(rt.deps, "acme", TenantInput(intrro_secret=other))

    secret = rt.store.tenants["acme"].intrro_secret
    assert secret.valid_at(rt.clock.now()) == (other, INTRRO_SECRET)
    later = rt.clock.now() + rt.deps.settings.secret_grace + timedelta(seconds=1)
    assert secret.valid_at(later) == (other,)


async def test_rotating_an_unknown_kind_or_for_an_unknown_tenant_is_refused() -> None:
    rt = make_runtime()
    await upsert_tenant(rt.deps, "acme", GOOD)

    with pytest.raises(InvalidInputError):
        await rotate_secret(rt.deps, "acme", "api_token")
    with pytest.raises(NotFoundError):
        await rotate_secret(rt.deps, "nobody", "intrro")


async def test_deleting_a_tenant_removes_it_and_its_data() -> None:
    rt = make_runtime()
    await upsert_tenant(rt.deps, "acme", GOOD)
    await upsert_tenant(rt.deps, "other", GOOD)
    rt.receive(b"{}", tenant_id="acme")
    rt.queue_event(tenant_id="acme")
    kept = rt.queue_event(tenant_id="other")

    assert await delete_tenant(rt.deps, "acme") is True
    assert await delete_tenant(rt.deps, "acme") is False

    assert set(rt.store.tenants) == {"other"}
    assert rt.store.inbox == {}
    assert set(rt.store.outbox) == {kept.id}
    with pytest.raises(NotFoundError):
        await get_tenant(rt.deps, "acme")
    assert (await get_tenant(rt.deps, "other")).id == "other"
