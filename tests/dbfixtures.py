"""Shared database fixtures: the same tests against SQLite and PostgreSQL, each on a fresh schema.

`db_url` is parametrized over both databases; the PostgreSQL case is marked `postgres` and never skips:
when the server cannot be reached, the fixture fails with a line saying so. Each PostgreSQL test gets a
schema of its own (set through the URL's `options=-csearch_path=…`, so child processes inherit it),
dropped afterwards. `GATEWAY_TEST_POSTGRES_URL` points the tests at another server.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from cryptography.fernet import Fernet
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from intrro_gateway.adapters.sql import migrate
from intrro_gateway.adapters.sql.engine import create_engine
from intrro_gateway.adapters.sql.locks import SqlLocks
from intrro_gateway.adapters.sql.queue import SqlWorkQueue
from intrro_gateway.adapters.sql.secrets import SecretCipher
from intrro_gateway.adapters.sql.uow import SqlUnitOfWorkFactory

POSTGRES_URL = os.environ.get(
    "GATEWAY_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def postgres_dsn(url: str = POSTGRES_URL) -> str:
    """A libpq connection string for psycopg, from an SQLAlchemy URL (schema options kept)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _admin_connect() -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(postgres_dsn(), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL at {make_url(POSTGRES_URL).render_as_string()} is unreachable ({exc}); "
            "start it with scripts/ensure-postgres: PostgreSQL tests are never skipped",
            pytrace=False,
        )


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite file."""
    return f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL schema, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with _admin_connect() as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{separator}options={quote(f'-csearch_path={schema}')}"
    with _admin_connect() as admin:
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """An empty database of each kind in turn."""
    url = request.getfixturevalue(f"{request.param}_url")
    assert isinstance(url, str)
    return url


@pytest.fixture
def migrated_url(db_url: str) -> str:
    """The database with the newest schema."""
    migrate.upgrade(db_url)
    return db_url


@pytest.fixture
async def engine(migrated_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on the migrated database."""
    eng = create_engine(migrated_url)
    yield eng
    await eng.dispose()


@pytest.fixture
def cipher() -> SecretCipher:
    """A cipher with one fresh key."""
    return SecretCipher([Fernet.generate_key().decode()])


@pytest.fixture
def uow_factory(engine: AsyncEngine, cipher: SecretCipher) -> SqlUnitOfWorkFactory:
    """Units of work on the migrated database."""
    return SqlUnitOfWorkFactory(engine, cipher)


@pytest.fixture
def work_queue(engine: AsyncEngine) -> SqlWorkQueue:
    """The work queue on the migrated database."""
    return SqlWorkQueue(engine)


@pytest.fixture
def sql_locks(engine: AsyncEngine) -> SqlLocks:
    """The locks on the migrated database."""
    return SqlLocks(engine)
