"""Migrations: from empty to the newest schema, and the newest revision down and up again."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy import inspect, text

from intrro_gateway.adapters.sql import migrate
from intrro_gateway.adapters.sql.engine import sync_url
from intrro_gateway.adapters.sql.tables import metadata

QUEUE_TABLES = {"inbox", "outbox", "locks"}


def _tables(url: str) -> set[str]:
    engine = create_sync_engine(sync_url(url))
    with engine.connect() as conn:
        names = set(inspect(conn).get_table_names())
    engine.dispose()
    return names - {"alembic_version"}


def _drift(url: str) -> list[object]:
    engine = create_sync_engine(sync_url(url))
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), metadata
        )
    engine.dispose()
    return list(diff)


def test_upgrading_an_empty_database_builds_exactly_the_schema_of_the_tables(db_url: str) -> None:
    assert migrate.is_current(db_url) is False
    assert migrate.current_revision(db_url) is None
    migrate.upgrade(db_url)
    assert migrate.is_current(db_url) is True
    assert _tables(db_url) == set(metadata.tables)
    assert _drift(db_url) == []


def test_the_newest_revision_goes_down_and_up_again(db_url: str) -> None:
    migrate.upgrade(db_url)
    head = migrate.head_revision()
    migrate.downgrade(db_url, "-1")
    assert migrate.is_current(db_url) is False
    assert migrate.current_revision(db_url) != head
    migrate.upgrade(db_url)
    assert migrate.current_revision(db_url) == head
    assert _drift(db_url) == []


def test_below_the_api_tokens_revision_the_schema_no_longer_matches_the_tables(db_url: str) -> None:
    migrate.upgrade(db_url)
    migrate.downgrade(db_url, "0003")
    assert "api_tokens" not in _tables(db_url)
    assert _drift(db_url) != []
    migrate.upgrade(db_url)
    assert _drift(db_url) == []


def test_downgrading_to_the_core_revision_removes_the_queues(db_url: str) -> None:
    migrate.upgrade(db_url)
    migrate.downgrade(db_url, "0001")
    assert QUEUE_TABLES.isdisjoint(_tables(db_url))
    migrate.upgrade(db_url)
    assert _drift(db_url) == []


def test_downgrading_to_base_removes_every_table(db_url: str) -> None:
    migrate.upgrade(db_url)
    migrate.downgrade(db_url, "base")
    assert _tables(db_url) == set()
    assert migrate.current_revision(db_url) is None


def test_upgrading_twice_changes_nothing(db_url: str) -> None:
    migrate.upgrade(db_url)
    migrate.upgrade(db_url)
    assert migrate.is_current(db_url) is True


def test_serving_in_development_migrates_a_schema_that_is_behind(db_url: str) -> None:
    migrate.upgrade(db_url, "0001")
    assert migrate.ensure_schema(db_url, auto_migrate=True) is True
    assert migrate.ensure_schema(db_url, auto_migrate=True) is False
    assert migrate.is_current(db_url) is True


def test_serving_in_production_stops_with_one_line_when_the_schema_is_behind(db_url: str) -> None:
    migrate.upgrade(db_url, "0001")
    with pytest.raises(migrate.SchemaBehindError) as caught:
        migrate.ensure_schema(db_url, auto_migrate=False)
    message = str(caught.value)
    assert "\n" not in message and "0001" in message and "intrro-gateway migrate" in message
    assert migrate.current_revision(db_url) == "0001"


def test_tenants_existing_before_the_ats_column_are_greenhouse_tenants(db_url: str) -> None:
    migrate.upgrade(db_url, "0004")
    engine = create_sync_engine(sync_url(db_url))
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO tenants (id, intrro_secret, webhook_secret, stage_mapping, "
                "closed_job_policy, connection_ok, credential_failing, jobs_sequence, "
                "webhooks_silent, reconcile_repairs) "
                "VALUES ('acme', 'x', 'y', '{}', 'fail', false, false, 0, false, 0)"
            )
        )
    migrate.upgrade(db_url, "0005")
    with engine.connect() as conn:
        row = conn.execute(text("SELECT ats, webhook_tokens FROM tenants")).one()
    assert tuple(row) == ("greenhouse", None)
    migrate.downgrade(db_url, "0004")
    with engine.connect() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("tenants")}
        assert conn.execute(text("SELECT id FROM tenants")).scalar_one() == "acme"
    engine.dispose()
    assert "ats" not in columns and "webhook_tokens" not in columns
