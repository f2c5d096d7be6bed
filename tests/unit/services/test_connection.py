"""The connection report: credential, user, scopes, source, web hook; storing, status and re-checks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from intrro_gateway.domain.commands import Command, ImportJobs
from intrro_gateway.ports.ats import (
    AtsAuthError,
    AtsContext,
    AtsPermissionError,
    AtsSource,
    AtsUnavailableError,
    AtsUser,
    PermissionCheck,
    PermissionStatus,
)
from intrro_gateway.services.connection import (
    connect,
    connection_status,
    disconnect,
    recheck_connection,
)
from intrro_gateway.services.errors import CredentialRefusedError, NotFoundError
from tests.fakes.ats import FakeAtsClient
from tests.unit.services.runtime_harness import RecordingBus, Runtime, make_runtime

ADMIN = AtsUser(id="u-42", name="Ada Admin", email="ada@acme.test", site_admin=True)
GRANTED = PermissionStatus.GRANTED
MISSING = PermissionStatus.MISSING
UNVERIFIED = PermissionStatus.UNVERIFIED


def scopes(**overrides: PermissionStatus) -> list[PermissionCheck]:
    """The scopes the fake ATS reports: every one granted unless overridden (`jobs_list=MISSING`)."""
    table = [
        ("harvest:jobs:list", ("Jobs: GET List Jobs",), True),
        ("harvest:applications:list", ("Applications: GET List Applications",), True),
        ("harvest:candidates:create", ("Candidates: POST Add Candidate",), True),
        ("harvest:notes:create", ("Candidates: POST Add Note",), True),
        ("harvest:custom_fields:create", ("Custom Fields: POST Create",), False),
    ]
    return [
        PermissionCheck(
            scope=scope,
            covers=covers,
            required=required,
            status=overrides.get(scope.split(":", 1)[1].replace(":", "_"), GRANTED),
        )
        for scope, covers, required in table
    ]


class ContextRecordingAts(FakeAtsClient):
    """The fake ATS, remembering the context of every credential check."""

    contexts: list[tuple[str, AtsContext]]

    async def verify_credentials(self, ctx: AtsContext) -> None:
        self.contexts.append(("verify_credentials", ctx))
        await super().verify_credentials(ctx)

    async def check_permissions(self, ctx: AtsContext) -> Sequence[PermissionCheck]:
        self.contexts.append(("check_permissions", ctx))
        return await super().check_permissions(ctx)


def setup(**overrides: PermissionStatus) -> tuple[Runtime, RecordingBus]:
    rt = make_runtime()
    rt.add_tenant()
    rt.ats.users = [ADMIN]
    rt.ats.permissions = scopes(**overrides)
    return rt, RecordingBus()


async def connect_acme(rt: Runtime, bus: RecordingBus, secret: str = "s3cret") -> dict[str, Any]:
    report = await connect(
        rt.deps,
        bus,
        "acme",
        fields={"client_id": "cid", "client_secret": secret},
        user_email="ADA@acme.test",
    )
    return report.to_dict()


async def test_a_complete_setup_is_ok_stored_and_starts_a_full_job_import() -> None:
    rt, bus = setup()

    report = await connect_acme(rt, bus)

    assert report["ok"] is True
    assert report["problems"] == []
    assert report["user"] == {
        "id": "u-42",
        "name": "Ada Admin",
        "email": "ada@acme.test",
        "site_admin": True,
    }
    assert report["source"] == {"found": True, "id": "src-intrro", "steps": []}
    assert report["webhook"] == {
        "url": "http://127.0.0.1:8000/webhooks/greenhouse/acme",
        "secret": "gh-secret-0123456789",
        "events": [{"action": a, "label": lbl} for a, lbl in rt.translator.subscriptions()],
        "created": False,
        "steps": [],
    }
    assert report["permissions"][0] == {
        "scope": "harvest:jobs:list",
        "covers": ["Jobs: GET List Jobs"],
        "required": True,
        "status": "granted",
        "steps": [],
    }
    conn = rt.store.tenants["acme"].connection
    assert conn is not None and conn.ok is True
    assert conn.credentials.client_secret == "s3cret"
    assert conn.credentials.user_id == "u-42"
    assert conn.source_id == "src-intrro"
    assert bus.handled == [ImportJobs(tenant_id="acme", full=True)]


async def test_the_credential_is_checked_without_a_user_and_then_used_as_the_user() -> None:
    rt, bus = setup()
    ats = ContextRecordingAts(rt.clock)
    ats.contexts = []
    ats.users, ats.permissions = rt.ats.users, rt.ats.permissions
    rt.use_ats(ats)

    await connect_acme(rt, bus)

    [(first, verify), (_, perms)] = ats.contexts
    assert first == "verify_credentials"
    assert verify.credentials.user_id is None
    assert perms.credentials.user_id == "u-42"


@pytest.mark.parametrize("missing", ["jobs_list", "applications_list"])
async def test_a_missing_read_scope_makes_the_report_not_ok(missing: str) -> None:
    rt, bus = setup(**{missing: MISSING})

    report = await connect_acme(rt, bus)

    assert report["ok"] is False
    scope = "harvest:" + missing.replace("_", ":")
    assert [p for p in report["problems"] if scope in p]
    conn = rt.store.tenants["acme"].connection
    assert conn is not None and conn.ok is False  # stored all the same
    assert bus.handled == []  # no import while something is missing


@pytest.mark.parametrize("missing", ["candidates_create", "notes_create"])
async def test_a_missing_write_scope_makes_the_report_not_ok(missing: str) -> None:
    rt, bus = setup(**{missing: MISSING})

    report = await connect_acme(rt, bus)

    assert report["ok"] is False
    assert len(report["problems"]) == 1
    assert "required scope harvest:" + missing.replace("_", ":") in report["problems"][0]


async def test_a_missing_optional_scope_or_an_unverified_one_does_not_block() -> None:
    rt, bus = setup(custom_fields_create=MISSING, notes_create=UNVERIFIED)

    report = await connect_acme(rt, bus)

    assert report["ok"] is True
    assert len(report["problems"]) == 1
    assert "optional scope harvest:custom_fields:create" in report["problems"][0]
    statuses = {p["scope"]: p["status"] for p in report["permissions"]}
    assert statuses["harvest:notes:create"] == "unverified"


async def test_a_user_who_is_not_a_site_admin_makes_the_report_not_ok() -> None:
    rt, bus = setup()
    rt.ats.users = [AtsUser(id="u-7", name="Bob", email="ada@acme.test", site_admin=False)]

    report = await connect_acme(rt, bus)

    assert report["ok"] is False
    assert report["user"]["site_admin"] is False
    assert any("not a Site Admin" in p for p in report["problems"])


async def test_an_unknown_user_e_mail_is_a_problem_and_leaves_the_user_empty() -> None:
    rt, bus = setup()
    rt.ats.users = []

    report = await connect_acme(rt, bus)

    assert report["ok"] is False
    assert report["user"] is None
    assert any("ADA@acme.test" in p for p in report["problems"])
    conn = rt.store.tenants["acme"].connection
    assert conn is not None and conn.credentials.user_id is None


async def test_a_missing_source_is_reported_with_the_steps_to_add_it() -> None:
    rt, bus = setup()
    rt.ats.sources = [AtsSource(id="s1", name="LinkedIn")]

    report = await connect_acme(rt, bus)

    assert report["ok"] is False
    assert report["source"] == {
        "found": False,
        "id": None,
        "steps": list(rt.ats.source_steps("Intrro")),
    }
    assert any("Intrro" in p for p in report["problems"])


async def test_the_source_is_found_whatever_its_case() -> None:
    rt, bus = setup()
    rt.ats.sources = [AtsSource(id="s9", name="INTRRO ")]

    report = await connect_acme(rt, bus)

    assert report["source"] == {"found": True, "id": "s9", "steps": []}


async def test_a_credential_the_ats_refuses_stores_nothing() -> None:
    rt, bus = setup()
    rt.ats.refused_secrets = {"wrong"}

    with pytest.raises(CredentialRefusedError):
        await connect_acme(rt, bus, secret="wrong")

    assert rt.store.tenants["acme"].connection is None
    assert bus.handled == []


async def test_connecting_an_unknown_tenant_is_not_found() -> None:
    rt, bus = setup()
    with pytest.raises(NotFoundError):
        await connect(
            rt.deps, bus, "nobody", fields={"client_id": "c", "client_secret": "s"}, user_email="e"
        )


async def test_a_failing_first_import_is_logged_not_raised() -> None:
    rt, _ = setup()

    async def behaviour(command: Command) -> object:
        raise AtsUnavailableError("503", status=503)

    bus = RecordingBus(behaviour=behaviour)
    report = await connect_acme(rt, bus)

    assert report["ok"] is True
    assert len(bus.handled) == 1


async def test_the_status_shows_the_last_report_and_health_without_secrets() -> None:
    rt, bus = setup()
    await connect_acme(rt, bus)

    status = await connection_status(rt.deps, "acme")

    assert status["connected"] is True
    assert status["ok"] is True
    assert status["credential_failing"] is False
    assert status["webhooks_silent"] is False
    assert status["last_webhook_at"] is None
    assert "secret" not in status["report"]["webhook"]
    assert "gh-secret-0123456789" not in repr(status)
    assert "s3cret" not in repr(status)


async def test_the_status_of_a_tenant_without_a_connection_says_so() -> None:
    rt, _ = setup()
    status = await connection_status(rt.deps, "acme")
    assert status["connected"] is False
    assert status["report"] is None


async def test_a_credential_that_stops_working_is_flagged_and_cleared_when_it_works_again() -> None:
    rt, bus = setup()
    await connect_acme(rt, bus)

    rt.ats.refused_secrets = {"s3cret"}
    await recheck_connection(rt.deps, "acme")
    assert (await connection_status(rt.deps, "acme"))["credential_failing"] is True

    rt.ats.refused_secrets = set()
    await recheck_connection(rt.deps, "acme")
    assert (await connection_status(rt.deps, "acme"))["credential_failing"] is False


async def test_a_recheck_refreshes_the_report() -> None:
    rt, bus = setup()
    await connect_acme(rt, bus)
    rt.ats.permissions = scopes(jobs_list=MISSING)
    rt.clock.advance(hours=1)

    await recheck_connection(rt.deps, "acme")

    status = await connection_status(rt.deps, "acme")
    assert status["ok"] is False
    assert status["checked_at"] == rt.clock.now().isoformat().replace("+00:00", "Z")
    assert any("harvest:jobs:list" in p for p in status["report"]["problems"])


async def test_a_credential_without_the_users_scope_is_reported_not_crashed() -> None:
    rt, bus = setup()
    rt.ats.fail_once("find_user_by_email", AtsPermissionError("403", status=403))

    report = await connect_acme(rt, bus)

    assert report["ok"] is False
    assert any("users" in p for p in report["problems"])


async def test_disconnecting_forgets_the_credential() -> None:
    rt, bus = setup()
    await connect_acme(rt, bus)

    assert await disconnect(rt.deps, "acme") is True
    assert await disconnect(rt.deps, "acme") is False
    assert rt.store.tenants["acme"].connection is None


async def test_a_refused_credential_on_recheck_is_not_an_error() -> None:
    rt, bus = setup()
    await connect_acme(rt, bus)
    rt.ats.fail_once("verify_credentials", AtsAuthError("revoked", status=401))

    await recheck_connection(rt.deps, "acme")

    conn = rt.store.tenants["acme"].connection
    assert conn is not None and conn.credential_failing is True


async def test_a_recheck_that_overlaps_a_reconnect_leaves_the_new_report_alone() -> None:
    rt, bus = setup()
    await connect_acme(rt, bus)
    rt.ats.permissions = scopes(jobs_list=MISSING)

    class ReconnectMidway(FakeAtsClient):
        reconnected = False

        async def check_permissions(self, ctx: AtsContext) -> Sequence[PermissionCheck]:
            if not self.reconnected:
                self.reconnected = True
                rt.clock.advance(seconds=1)
                self.permissions = scopes()
                await connect_acme(rt, bus)  # an admin reconnects while the re-check runs
                return scopes(jobs_list=MISSING)
            return await super().check_permissions(ctx)

    ats = ReconnectMidway(rt.clock)
    ats.users, ats.permissions = rt.ats.users, rt.ats.permissions
    rt.use_ats(ats)

    await recheck_connection(rt.deps, "acme")

    conn = rt.store.tenants["acme"].connection
    assert conn is not None
    assert conn.connected_at == rt.clock.now()
    assert conn.ok is True
