"""API tokens: made with a value shown once and only a digest kept, operator-wide or limited to one
tenant, revoked at once; the bootstrap tokens; what a tenant token may reach."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intrro_gateway.domain.access import OPERATOR, Principal
from intrro_gateway.services import access
from intrro_gateway.services.errors import ForbiddenError, NotFoundError
from intrro_gateway.services.tenants import TenantInput, delete_tenant, upsert_tenant
from tests.unit.services.runtime_harness import make_runtime

BOOTSTRAP = ["bootstrap-token-0123456789", "second-bootstrap-0123456789"]


async def test_a_token_is_stored_as_a_digest_and_its_value_authenticates_the_caller() -> None:
    rt = make_runtime()
    await upsert_tenant(rt.deps, "acme", TenantInput())

    issued = await access.create_token(rt.deps, "acme admin", "acme")

    (stored,) = rt.store.tokens.values()
    assert issued.value.startswith(access.TOKEN_PREFIX)
    assert stored.digest == access.digest_of(issued.value) != issued.value
    assert issued.value not in repr(stored) and issued.value not in repr(issued)
    assert await access.authenticate(rt.deps, issued.value) == Principal("acme", stored.id)
    assert await access.authenticate(rt.deps, issued.value + "x") is None


async def test_an_operator_token_reaches_every_tenant_and_a_tenant_token_only_its_own() -> None:
    rt = make_runtime()
    await upsert_tenant(rt.deps, "acme", TenantInput())
    operator = await access.create_token(rt.deps, "ops", None)
    tenant = await access.create_token(rt.deps, "acme admin", "acme")

    op = await access.authenticate(rt.deps, operator.value)
    acme = await access.authenticate(rt.deps, tenant.value)

    assert op is not None and op.is_operator and op.may_reach("globex")
    assert acme is not None and not acme.is_operator
    assert acme.may_reach("acme") and not acme.may_reach("globex")


async def test_a_token_for_an_unknown_tenant_is_refused_and_nothing_is_stored() -> None:
    rt = make_runtime()

    with pytest.raises(NotFoundError):
        await access.create_token(rt.deps, "ghost admin", "ghost")

    assert rt.store.tokens == {}


async def test_a_revoked_token_opens_nothing_and_revoking_twice_says_so() -> None:
    rt = make_runtime()
    issued = await access.create_token(rt.deps, "ops", None)

    assert await access.revoke_token(rt.deps, issued.token.id) is True
    assert await access.revoke_token(rt.deps, issued.token.id) is False
    assert await access.revoke_token(rt.deps, "no-such-id") is False
    assert await access.authenticate(rt.deps, issued.value) is None
    (listed,) = await access.list_tokens(rt.deps)
    assert listed.revoked_at == rt.clock.now()


async def test_deleting_a_tenant_deletes_its_tokens() -> None:
    rt = make_runtime()
    await upsert_tenant(rt.deps, "acme", TenantInput())
    issued = await access.create_token(rt.deps, "acme admin", "acme")

    await delete_tenant(rt.deps, "acme")

    assert await access.authenticate(rt.deps, issued.value) is None


async def test_a_tenant_token_can_neither_create_nor_delete_a_tenant() -> None:
    rt = make_runtime()
    await upsert_tenant(rt.deps, "acme", TenantInput())
    admin = Principal("acme", "t1")

    with pytest.raises(ForbiddenError):
        await delete_tenant(rt.deps, "acme", admin)
    await delete_tenant(rt.deps, "acme", OPERATOR)
    with pytest.raises(NotFoundError):
        await upsert_tenant(rt.deps, "acme", TenantInput(), admin)

    assert "acme" not in rt.store.tenants


def test_each_bootstrap_token_is_an_operator_and_nothing_else_is() -> None:
    assert all(access.is_bootstrap(token, BOOTSTRAP) for token in BOOTSTRAP)
    assert not access.is_bootstrap("", BOOTSTRAP)
    assert not access.is_bootstrap(BOOTSTRAP[0], [])


@given(st.text())
def test_no_other_text_is_a_bootstrap_token(text: str) -> None:
    assert access.is_bootstrap(text, BOOTSTRAP) is (text in BOOTSTRAP)
