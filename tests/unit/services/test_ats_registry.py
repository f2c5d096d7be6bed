"""The ATS registry: each tenant's ATS parts by its `ats`, never one ATS for every tenant."""

from __future__ import annotations

import ast
import itertools
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


def _names_outside_comments(path: Path) -> list[str]:
    """Identifiers and string literals of a module, its docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            for before, after in itertools.pairwise(body):  # attribute docstrings
                if isinstance(before, ast.AnnAssign | ast.Assign) and isinstance(after, ast.Expr):
                    docstrings.add(id(after.value))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in docstrings:
                found.append(node.value)
        elif isinstance(node, ast.Name):
            found.append(node.id)
        elif isinstance(node, ast.Attribute):
            found.append(node.attr)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found.append(node.name)
        elif isinstance(node, ast.arg):
            found.append(node.arg)
        elif isinstance(node, ast.alias):
            found.append(node.asname or node.name)
    return found


@pytest.mark.parametrize("room", ["domain", "ports", "services"])
def test_the_core_names_no_ats_outside_comments(room: str) -> None:
    named = {
        str(path.relative_to(SRC)): [
            n for n in _names_outside_comments(path) if "greenhouse" in n.lower()
        ]
        for path in sorted((SRC / room).rglob("*.py"))
    }
    assert {path: names for path, names in named.items() if names} == {}
