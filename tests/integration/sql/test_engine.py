"""The engine: durable settings on both databases, bounded waits, accepted URL forms."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from intrro_gateway.adapters.sql._cursor import InvalidCursorError, decode_cursor, encode_cursor
from intrro_gateway.adapters.sql.engine import async_url, create_engine, sync_url
from intrro_gateway.adapters.sql.queue import SqlWorkQueue
from intrro_gateway.adapters.sql.secrets import SecretCipher
from intrro_gateway.adapters.sql.uow import SqlUnitOfWorkFactory
from intrro_gateway.ports.unit_of_work import StorageUnavailableError
from tests.integration.sql import builders as b


@pytest.mark.parametrize(
    ("given_url", "driver"),
    [
        ("sqlite:///x.db", "sqlite+aiosqlite"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite"),
        ("postgresql://u@h/db", "postgresql+psycopg"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg"),
    ],
)
def test_plain_urls_are_rewritten_to_the_async_drivers(given_url: str, driver: str) -> None:
    assert async_url(given_url).drivername == driver


def test_migrations_use_a_synchronous_driver_and_other_databases_are_refused() -> None:
    assert sync_url("sqlite+aiosqlite:///x.db").drivername == "sqlite+pysqlite"
    with pytest.raises(ValueError, match="mysql"):
        async_url("mysql://u@h/db")


async def test_sqlite_runs_with_wal_full_sync_foreign_keys_and_a_busy_timeout(
    sqlite_url: str,
) -> None:
    engine = create_engine(sqlite_url, statement_timeout_s=2)
    try:
        async with engine.connect() as conn:
            pragmas = [
                (await conn.execute(text(f"PRAGMA {name}"))).scalar()
                for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
            ]
    finally:
        await engine.dispose()
    assert pragmas == ["wal", 2, 1, 2000]


@pytest.mark.postgres
async def test_postgres_runs_with_a_statement_timeout_and_synchronous_commit(
    postgres_url: str,
) -> None:
    engine = create_engine(postgres_url, statement_timeout_s=2)
    try:
        async with engine.connect() as conn:
            settings = [
                (await conn.execute(text(f"SHOW {name}"))).scalar()
                for name in ("statement_timeout", "synchronous_commit", "search_path")
            ]
    finally:
        await engine.dispose()
    assert settings[:2] == ["2s", "on"]
    assert settings[2] is not None and settings[2].startswith("t_")  # the test's own schema


async def test_a_write_blocked_past_the_timeout_is_storage_unavailable(
    migrated_url: str, engine: AsyncEngine, cipher: SecretCipher
) -> None:
    async with SqlUnitOfWorkFactory(engine, cipher)() as uow:
        await uow.tenants.add(b.tenant())
        await uow.commit()
    impatient = create_engine(migrated_url, statement_timeout_s=0.3)
    try:
        async with SqlUnitOfWorkFactory(engine, cipher)() as holder:
            held = await holder.tenants.get("acme")
            assert held is not None
            await holder.tenants.save(held)  # holds the row (PostgreSQL) or the database (SQLite)
            with pytest.raises(StorageUnavailableError):
                async with SqlUnitOfWorkFactory(impatient, cipher)() as blocked:
                    await blocked.tenants.save(held)
    finally:
        await impatient.dispose()


_KEY_TEXT = st.text(st.characters(blacklist_characters="\x00"), max_size=40)


@given(st.lists(st.one_of(_KEY_TEXT, st.integers()), max_size=4))
def test_a_cursor_reads_back_the_keys_it_was_made_of(parts: list[object]) -> None:
    assert decode_cursor(encode_cursor(*parts), len(parts)) == parts


@given(st.lists(st.one_of(st.booleans(), st.none(), st.lists(st.integers()), st.just("a\x00b"))))
def test_a_cursor_of_anything_but_text_or_numbers_is_refused(parts: list[object]) -> None:
    if parts:
        with pytest.raises(InvalidCursorError):
            decode_cursor(encode_cursor(*parts), len(parts))


@given(st.text(), st.integers(min_value=0, max_value=3))
def test_any_text_as_a_cursor_decodes_or_is_refused_as_invalid(cursor: str, arity: int) -> None:
    try:
        parts = decode_cursor(cursor, arity)
    except InvalidCursorError:
        return
    assert isinstance(parts, list) and len(parts) == arity


async def test_a_forged_delivery_cursor_is_refused_as_invalid(work_queue: SqlWorkQueue) -> None:
    for forged in (encode_cursor("yesterday", "x"), encode_cursor("2026-11-24T09:00:00", "x")):
        with pytest.raises(InvalidCursorError):
            await work_queue.deliveries("acme", cursor=forged)
    page = await work_queue.deliveries(
        "acme", cursor=encode_cursor((b.T0 + timedelta(1)).isoformat(), "z")
    )
    assert page.items == []
