"""Tenants: the slug rule, rotating secrets, connection and web hook health."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intrro_gateway.domain.status import StageMapping
from intrro_gateway.domain.tenant import (
    AtsConnection,
    AtsCredentials,
    ClosedJobPolicy,
    InvalidTenantIdError,
    RotatingSecret,
    Tenant,
    check_tenant_id,
)
from tests.unit.domain.builders import at

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")


def tenant(tenant_id: str = "acme") -> Tenant:
    return Tenant(
        id=tenant_id,
        intrro_callback_url="https://intrro.example/callbacks",
        intrro_secret=RotatingSecret(current="whsec_one"),
        webhook_secret=RotatingSecret(current="gh-one"),
        ats="greenhouse",
    )


@pytest.mark.parametrize("slug", ["acme", "a", "0", "acme-corp-2", "a" * 63, "a-"])
def test_a_slug_is_a_valid_tenant_id(slug: str) -> None:
    assert check_tenant_id(slug) == slug


@pytest.mark.parametrize(
    "bad",
    ["", "-acme", "Acme", "acme corp", "acme_corp", "a" * 64, "acmé", "acme\n", "acme/x", "ac.me"],
)
def test_anything_but_a_slug_is_refused_as_a_tenant_id(bad: str) -> None:
    with pytest.raises(InvalidTenantIdError):
        check_tenant_id(bad)
    with pytest.raises(InvalidTenantIdError):
        tenant(bad)


@given(st.text(max_size=70))
def test_a_tenant_id_is_accepted_exactly_when_it_is_a_slug(text: str) -> None:
    try:
        check_tenant_id(text)
    except InvalidTenantIdError:
        assert not SLUG.fullmatch(text)
    else:
        assert SLUG.fullmatch(text)


@given(st.from_regex(SLUG, fullmatch=True))
def test_every_slug_is_accepted(slug: str) -> None:
    assert tenant(slug).id == slug


def test_a_fresh_secret_is_the_only_valid_one() -> None:
    assert RotatingSecret(current="new").valid_at(at(0)) == ("new",)


def test_after_a_rotation_the_previous_secret_stays_valid_until_the_grace_ends() -> None:
    secret = RotatingSecret(current="old").rotated("new", now=at(0), grace=timedelta(hours=24))
    assert secret.valid_at(at(0)) == ("new", "old")
    assert secret.valid_at(at(24 * 60 - 1)) == ("new", "old")
    assert secret.valid_at(at(24 * 60)) == ("new",)


def test_a_second_rotation_forgets_the_oldest_secret() -> None:
    grace = timedelta(hours=24)
    secret = RotatingSecret(current="one").rotated("two", now=at(0), grace=grace)
    secret = secret.rotated("three", now=at(1), grace=grace)
    assert secret.valid_at(at(2)) == ("three", "two")


def test_a_tenant_rotates_each_of_its_secrets_on_its_own() -> None:
    t = tenant()
    t.rotate("intrro", "whsec_two", now=at(0), grace=timedelta(hours=24))
    assert t.intrro_secret.valid_at(at(1)) == ("whsec_two", "whsec_one")
    assert t.webhook_secret.valid_at(at(1)) == ("gh-one",)
    t.rotate("ats_webhook", "gh-two", now=at(0), grace=timedelta(hours=24))
    assert t.webhook_secret.valid_at(at(1)) == ("gh-two", "gh-one")


def test_rotating_an_unknown_secret_is_refused() -> None:
    t = tenant()
    with pytest.raises(ValueError, match="unknown secret"):
        t.rotate("database", "x", now=at(0), grace=timedelta(hours=1))
    assert t.intrro_secret.current == "whsec_one"


def test_a_new_tenant_has_the_default_mapping_fail_policy_and_no_connection() -> None:
    t = tenant()
    assert t.stage_mapping == StageMapping()
    assert t.closed_job_policy is ClosedJobPolicy.FAIL
    assert not t.is_connected


def test_jobs_changed_sequence_rises_per_tenant() -> None:
    t = tenant()
    assert [t.next_jobs_sequence() for _ in range(3)] == [1, 2, 3]
    assert tenant("other").next_jobs_sequence() == 1


def test_a_web_hook_clears_the_silence_flag() -> None:
    t = tenant()
    t.webhooks_silent = True
    t.record_webhook(at(5))
    assert (t.last_webhook_at, t.webhooks_silent) == (at(5), False)


def test_a_connection_is_added_to_a_copy() -> None:
    t = tenant()
    connection = AtsConnection(
        ats="greenhouse",
        credentials=AtsCredentials(client_id="id", client_secret="s3cr3t"),
        connected_at=at(0),
    )
    connected = t.with_connection(connection)
    assert connected.is_connected and not t.is_connected
    assert connected.stage_mapping == t.stage_mapping


def test_the_credentials_never_show_the_client_secret() -> None:
    credentials = AtsCredentials(client_id="client-1", client_secret="s3cr3t-value")
    assert "s3cr3t-value" not in repr(credentials)
    assert "s3cr3t-value" not in str(credentials)
    assert "client-1" in repr(credentials)
