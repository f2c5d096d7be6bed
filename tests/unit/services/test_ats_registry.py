"""The ATS registry: each tenant's ATS parts by its `ats`, never one ATS for every tenant."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from intrro_gateway.domain.commands import ImportJobs
from intrro_gateway.ports.ats_registry import AtsRegistry, UnknownAtsError
from intrro_gateway.services.connection import connect, connection_status, disconnect
from intrro_gateway.services.errors import InvalidInputError, NotFoundError
from intrro_gateway.services.tenants import TenantInput, upsert_tenant
from tests.fakes.ats import FakeAtsClient
from tests.fakes.registry import FakeConnector, fake_parts, fake_registry
from tests.fakes.webhooks import FakeTranslator
from tests.unit.services.runtime_harness import RecordingBus, Runtime, make_runtime
from tests.unit.services.test_connection import ADMIN, scopes

SRC = Path(__file__).resolve().parents[3] / "src"


def two_ats_runtime(tokens: tuple[str, ...] = ("tok-1", "tok-2")) -> tuple[Runtime, FakeAtsClient]:
    """The fake ATS ("greenhouse", the default) and a second one ("other") with its own client."""
    rt = make_runtime()
    other = FakeAtsClient(rt.clock)
    other.users = [ADMIN]
    other.permissions = scopes()
    rt.ats.users = [ADMIN]
    rt.ats.permissions = scopes()
    second = fake_parts(
        other,
        FakeTranslator(source="other"),
        connector=FakeConnector(credential_fields=("api_key",), tokens=tokens),
    )
    rt.deps = replace(rt.deps, registry=fake_registry(rt.ats, rt.translator, second))
    return rt, other


def test_the_registry_finds_parts_by_key_and_by_source() -> None:
    rt, other = two_ats_runtime()
    registry = rt.deps.registry

    assert registry.keys() == ("greenhouse", "other")
    assert registry.default == "greenhouse"
    assert registry.get("other").client is other
    assert "other" in registry and "workday" not in registry
    found = registry.by_source("other")
    assert found is not None and found.key == "other"
    assert registry.by_source("intrro") is None
    with pytest.raises(UnknownAtsError):
        registry.get("workday")


def test_a_key_registered_twice_is_refused() -> None:
    rt = make_runtime()
    parts = fake_parts(rt.ats, rt.translator)
    with pytest.raises(ValueError, match="twice"):
        AtsRegistry([parts, parts])


async def test_each_tenant_gets_the_parts_of_its_own_ats() -> None:
    rt, other = two_ats_runtime()
    await upsert_tenant(rt.deps, "acme", TenantInput())
    await upsert_tenant(rt.deps, "globex", TenantInput(ats="other"))

    acme, globex = rt.store.tenants["acme"], rt.store.tenants["globex"]

    assert acme.ats == "greenhouse"
    assert globex.ats == "other"
    assert rt.deps.registry.for_tenant(acme).client is rt.ats
    assert rt.deps.registry.for_tenant(globex).client is other


async def test_connecting_uses_the_tenants_ats_and_keeps_the_tokens_its_connector_made() -> None:
    rt, other = two_ats_runtime()
    await upsert_tenant(rt.deps, "globex", TenantInput(ats="other"))
    bus = RecordingBus()

    report = await connect(
        rt.deps, bus, "globex", fields={"api_key": "key-1"}, user_email="ada@acme.test"
    )

    tenant = rt.store.tenants["globex"]
    assert report.webhook_url.endswith("/webhooks/other/globex")
    assert tenant.connection is not None and tenant.connection.ats == "other"
    assert tenant.connection.credentials.client_secret == "key-1"
    assert tenant.webhook_tokens == ("tok-1", "tok-2")
    assert set(tenant.webhook_secrets(rt.clock.now())) >= {"tok-1", "tok-2"}
    assert bus.handled == [ImportJobs(tenant_id="globex", full=True)]
    assert rt.ats.calls == [] and other.calls  # only the tenant's own ATS was asked


async def test_disconnecting_removes_the_web_hooks_connecting_made_and_forgets_their_tokens() -> (
    None
):
    rt, _ = two_ats_runtime()
    await upsert_tenant(rt.deps, "globex", TenantInput(ats="other"))
    report = await connect(
        rt.deps, RecordingBus(), "globex", fields={"api_key": "key-1"}, user_email="ada@acme.test"
    )
    connector = rt.deps.registry.get("other").connector
    assert isinstance(connector, FakeConnector)

    assert report.to_dict()["webhook"]["created"] is True
    assert await disconnect(rt.deps, "globex") is True

    tenant = rt.store.tenants["globex"]
    assert connector.removals == [report.webhook_url]
    assert tenant.connection is None and tenant.webhook_tokens == ()
    assert "tok-1" not in tenant.webhook_secrets(rt.clock.now())


async def test_a_connection_for_another_ats_is_not_found() -> None:
    rt, _ = two_ats_runtime()
    await upsert_tenant(rt.deps, "acme", TenantInput())
    fields = {"client_id": "c", "client_secret": "s"}

    with pytest.raises(NotFoundError):
        await connect(rt.deps, RecordingBus(), "acme", fields=fields, user_email="a@b", ats="other")
    with pytest.raises(NotFoundError):
        await connection_status(rt.deps, "acme", "other")
    with pytest.raises(NotFoundError):
        await disconnect(rt.deps, "acme", "other")
    assert (await connection_status(rt.deps, "acme", "greenhouse"))["connected"] is False


async def test_a_credential_missing_a_field_of_the_tenants_ats_is_invalid_input() -> None:
    rt, _ = two_ats_runtime()
    await upsert_tenant(rt.deps, "globex", TenantInput(ats="other"))

    with pytest.raises(InvalidInputError) as caught:
        await connect(
            rt.deps, RecordingBus(), "globex", fields={"client_id": "c"}, user_email="a@b"
        )

    assert caught.value.errors == ["api_key: required to connect Other"]
    assert rt.store.tenants["globex"].connection is None


async def test_an_unknown_ats_is_invalid_and_a_connected_tenant_keeps_its_ats() -> None:
    rt, _ = two_ats_runtime()
    with pytest.raises(InvalidInputError) as caught:
        await upsert_tenant(rt.deps, "acme", TenantInput(ats="workday"))
    assert caught.value.errors == ["ats must be one of greenhouse, other, not 'workday'"]
    assert "acme" not in rt.store.tenants

    await upsert_tenant(rt.deps, "acme", TenantInput())
    await connect(
        rt.deps,
        RecordingBus(),
        "acme",
        fields={"client_id": "c", "client_secret": "s"},
        user_email="ada@acme.test",
    )
    with pytest.raises(InvalidInputError):
        await upsert_tenant(rt.deps, "acme", TenantInput(ats="other"))
    assert rt.store.tenants["acme"].ats == "greenhouse"


# The ATSs the gateway speaks today; an ATS added later belongs here too.
ATS_NAMES = frozenset({"greenhouse", "lever"})
# A source file's words: snake_case and camelCase split, so `GreenhouseClient`, `greenhouse_url` and
# "Lever's" each yield the ATS's name, and `leverage` or `clever` do not.
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")


def ats_named(source: str) -> list[str]:
    """The lines of a module's source that name an ATS anywhere: code, strings, comments, docstrings."""
    return [
        f"{number}: {line.strip()}"
        for number, line in enumerate(source.splitlines(), start=1)
        if any(word.lower() in ATS_NAMES for word in _WORD.findall(line))
    ]


def test_the_ats_name_scanner_sees_names_in_code_strings_and_comments_only_as_words() -> None:
    source = (
        "class GreenhouseClient: ...\n"
        "url = 'GREENHOUSE_BASE_URL'\n"
        "x = 1  # such as Lever's stages\n"
        '"""A docstring naming lever_api."""\n'
        "# a greenhouse-free line still names it\n"
        "# clever leverage only\n"
    )
    assert [line.split(":")[0] for line in ats_named(source)] == ["1", "2", "3", "4", "5"]


@pytest.mark.parametrize("room", ["domain", "ports", "services"])
def test_the_core_names_no_ats_not_even_in_comments(room: str) -> None:
    """No ATS is named in the core: not in code or strings, nor as an example in a comment."""
    named = {
        str(path.relative_to(SRC)): ats_named(path.read_text(encoding="utf-8"))
        for path in sorted((SRC / room).rglob("*.py"))
    }
    assert {path: lines for path, lines in named.items() if lines} == {}
