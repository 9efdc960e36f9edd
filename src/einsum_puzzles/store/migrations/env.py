"""Alembic environment: the caller (``store.migrate``) hands over an open connection."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, transactional_ddl=True)
with connection.begin():
    if connection.dialect.name == "postgresql":
        from einsum_puzzles.store.migrate import ADVISORY_LOCK

        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({ADVISORY_LOCK})")
    context.run_migrations()
