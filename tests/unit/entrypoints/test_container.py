"""The composition root: nothing opened until used, one unit of work per call, fakes swap in."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from dependency_injector import providers

from intrro_gateway.adapters.greenhouse.harvest import GreenhouseAtsClient
from intrro_gateway.adapters.sql.uow import SqlUnitOfWork
from intrro_gateway.entrypoints.container import build_container
from intrro_gateway.entrypoints.metrics import GatewayMetrics, MeteredReferralPlatform
from intrro_gateway.entrypoints.settings import GatewaySettings, load_settings
from intrro_gateway.ports.referral_platform import (
    OutboundMessage,
    PushFailedError,
    PushRefusedError,
    PushTarget,
)
from tests.fakes.clock import START
from tests.fakes.referral_platform import FakeReferralPlatform
from tests.fakes.unit_of_work import FakeUnitOfWorkFactory


def settings(tmp_path: Path, url: str) -> GatewaySettings:
    return load_settings(
        tmp_path / ".env",
        {
            "GATEWAY_DATABASE_URL": url,
            "GATEWAY_SECRET_KEYS": Fernet.generate_key().decode(),
            "GATEWAY_API_TOKENS": "a-token-of-twenty-chars",
            "GATEWAY_GREENHOUSE_BASE_URL": "http://harvest.test",
            "GATEWAY_GREENHOUSE_AUTH_URL": "http://auth.test",
        },
        generate=False,
    )


async def test_wiring_an_unreachable_database_opens_nothing_until_it_is_used(
    tmp_path: Path,
) -> None:
    container = build_container(settings(tmp_path, "postgresql+psycopg://x@127.0.0.1:9/none"))

    deps = container.deps()

    assert isinstance(deps.registry.get("greenhouse").client, GreenhouseAtsClient)
    assert deps.settings == container.settings().service
    first, second = deps.uow(), deps.uow()
    assert isinstance(first, SqlUnitOfWork)
    assert first is not second
    assert container.engine().pool.checkedout() == 0
    await container.engine().dispose()


async def test_two_containers_share_no_singleton(tmp_path: Path) -> None:
    one = build_container(settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'a.db'}"))
    two = build_container(settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'b.db'}"))

    assert one.engine() is not two.engine()
    assert one.metrics().registry is not two.metrics().registry
    assert one.deps() is not two.deps()
    await one.engine().dispose()
    await two.engine().dispose()


def test_an_override_reaches_the_services_dependencies(tmp_path: Path) -> None:
    container = build_container(settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'a.db'}"))
    fake_db = FakeUnitOfWorkFactory()
    container.unit_of_work.override(providers.Callable(fake_db))

    unit = container.deps().uow()

    assert unit in fake_db.created


def test_each_worker_gets_its_own_id(tmp_path: Path) -> None:
    container = build_container(settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'a.db'}"))

    assert container.worker().worker_id != container.worker().worker_id


async def test_pushes_are_counted_by_outcome() -> None:
    inner = FakeReferralPlatform()
    metrics = GatewayMetrics()
    platform = MeteredReferralPlatform(inner, metrics)
    target = PushTarget(url="https://intrro.test/hooks", secret="whsec_eA==")
    message = OutboundMessage(message_id="m", type="jobs.changed", timestamp=START, data={})

    await platform.push(target, message)
    inner.fail_next = 1
    with pytest.raises(PushFailedError):
        await platform.push(target, message)
    inner.refuse_all = True
    with pytest.raises(PushRefusedError):
        await platform.push(target, message)

    text = (await metrics.render(None)).decode()
    for outcome in ("delivered", "failed", "refused"):
        assert f'gateway_outbox_pushes_total{{outcome="{outcome}"}} 1.0' in text


def test_the_asgi_factory_builds_an_app_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import logging

    import structlog

    from intrro_gateway.entrypoints.http.asgi import app_from_environment

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GATEWAY_LOG_FORMAT", "json")
    monkeypatch.setenv("GATEWAY_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}")
    try:
        app = app_from_environment()
        paths = {getattr(route, "path", None) for route in app.routes}
        env_file = (tmp_path / ".env").read_text(encoding="utf-8")
    finally:
        structlog.reset_defaults()
        for handler in list(logging.getLogger().handlers):
            logging.getLogger().removeHandler(handler)

    assert "/webhooks/{ats}/{tenant}" in paths
    assert "GATEWAY_SECRET_KEYS=" in env_file
    assert "GATEWAY_API_TOKENS=" in env_file
