"""The async engine for SQLite (aiosqlite) and PostgreSQL (psycopg), with durable, bounded settings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from intrro_gateway.adapters.sql._writer_gate import gate_engine

__all__ = ["async_url", "create_engine", "durable_sqlite", "sync_url"]


def async_url(url: str) -> URL:
    """The URL with its async driver: plain `sqlite://` and `postgresql://` are rewritten."""
    parsed = make_url(url)
    if parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        return parsed.set(drivername="sqlite+aiosqlite")
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        return parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername in ("sqlite+aiosqlite", "postgresql+psycopg"):
        return parsed
    raise ValueError(f"unsupported database URL scheme {parsed.drivername!r}")


def sync_url(url: str) -> URL:
    """The URL with a synchronous driver, for migrations."""
    parsed = async_url(url)
    if parsed.drivername == "sqlite+aiosqlite":
        return parsed.set(drivername="sqlite+pysqlite")
    return parsed  # psycopg 3 serves both modes


def create_engine(
    url: str,
    *,
    statement_timeout_s: float = 5,
    connect_timeout_s: float = 5,
    pool_timeout_s: float = 5,
    pool_size: int | None = None,
) -> AsyncEngine:
    """An async engine whose every wait is bounded, so an answer is never later than a request deadline.

    `pool_size` keeps that many connections open. PostgreSQL (default 20) wants at least the worker's
    batch plus the expected concurrent requests, or connections are opened and closed per item; SQLite
    (default 5) has one writer at a time, and more connections only add waiters (bench/worker.py).
    """
    parsed = async_url(url)
    if parsed.drivername == "sqlite+aiosqlite":
        return _sqlite_engine(
            parsed,
            busy_timeout_s=statement_timeout_s,
            pool_timeout_s=pool_timeout_s,
            pool_size=pool_size or 5,
        )
    return _postgres_engine(
        parsed,
        statement_timeout_s=statement_timeout_s,
        connect_timeout_s=connect_timeout_s,
        pool_timeout_s=pool_timeout_s,
        pool_size=pool_size or 20,
    )


def _sqlite_engine(
    url: URL, *, busy_timeout_s: float, pool_timeout_s: float, pool_size: int
) -> AsyncEngine:
    engine = create_async_engine(
        url,
        connect_args={"timeout": busy_timeout_s},
        pool_timeout=pool_timeout_s,
        pool_size=pool_size,
    )
    busy_ms = int(busy_timeout_s * 1000)
    gate_engine(engine, busy_timeout_s)
    durable_sqlite(engine.sync_engine, busy_ms)
    return engine


def durable_sqlite(engine: Engine, busy_ms: int) -> None:
    """The shipped SQLite settings on each connection of a synchronous engine (the gateway's, and the
    ingest writer's twin of it): the busy timeout, WAL, `synchronous=FULL`, foreign keys, BEGIN IMMEDIATE."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy emits BEGIN itself (below); the driver's own transaction control is off.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            # The busy timeout first: the journal-mode pragma itself may wait on another writer.
            f"PRAGMA busy_timeout={busy_ms}",
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=FULL",
            "PRAGMA foreign_keys=ON",
        ):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # IMMEDIATE takes the write lock up front: a claim's read-then-update cannot interleave with
        # another writer, and no transaction fails late upgrading a read lock (SQLITE_BUSY_SNAPSHOT).
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _postgres_engine(
    url: URL,
    *,
    statement_timeout_s: float,
    connect_timeout_s: float,
    pool_timeout_s: float,
    pool_size: int,
) -> AsyncEngine:
    options = [str(url.query["options"])] if "options" in url.query else []
    options.append(f"-c statement_timeout={int(statement_timeout_s * 1000)}")
    options.append(f"-c lock_timeout={int(statement_timeout_s * 1000)}")
    options.append("-c synchronous_commit=on")
    return create_async_engine(
        url.difference_update_query(["options"]),
        connect_args={
            "connect_timeout": max(1, round(connect_timeout_s)),
            "options": " ".join(options),
        },
        pool_timeout=pool_timeout_s,
        pool_size=pool_size,
        pool_pre_ping=True,
    )
