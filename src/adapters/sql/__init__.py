"""SQL persistence (SQLModel on SQLite and PostgreSQL): repositories, unit of work, inbox, outbox.

Public surface: `create_engine` (engine), `SqlUnitOfWorkFactory` (uow), `SqlWorkQueue` (queue),
`SqlLocks` (locks), `SecretCipher` (secrets), `rotate_keys` (maintenance), and the migration functions
`upgrade`, `downgrade`, `is_current`, `ensure_schema` (migrate).
"""

from __future__ import annotations

from intrro_gateway.adapters.sql.engine import create_engine
from intrro_gateway.adapters.sql.locks import SqlLocks
from intrro_gateway.adapters.sql.maintenance import rotate_keys
from intrro_gateway.adapters.sql.migrate import (
    SchemaBehindError,
    downgrade,
    ensure_schema,
    is_current,
    upgrade,
)
from intrro_gateway.adapters.sql.queue import SqlWorkQueue
from intrro_gateway.adapters.sql.secrets import SecretCipher
from intrro_gateway.adapters.sql.uow import SqlUnitOfWork, SqlUnitOfWorkFactory

__all__ = [
    "SchemaBehindError",
    "SecretCipher",
    "SqlLocks",
    "SqlUnitOfWork",
    "SqlUnitOfWorkFactory",
    "SqlWorkQueue",
    "create_engine",
    "downgrade",
    "ensure_schema",
    "is_current",
    "rotate_keys",
    "upgrade",
]
