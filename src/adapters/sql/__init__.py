"""SQL persistence (SQLModel on SQLite and PostgreSQL): repositories, unit of work, inbox, outbox."""
