"""Alembic, driven from code: the migrations live in ``store/migrations`` (package data)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .database import StoreError, postgres_message, sqlalchemy_url

MIGRATIONS = Path(__file__).parent / "migrations"
ADVISORY_LOCK = 0x6575_6D70  # PostgreSQL: one migrating process at a time


def _config(connection: Any) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _engine(url: str) -> Any:
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import NullPool

    engine = create_engine(sqlalchemy_url(url), poolclass=NullPool)
    if url.startswith("sqlite:"):
        # pysqlite's own transaction handling does not cover DDL: take the write lock ourselves.
        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, record: Any) -> None:
            dbapi_connection.isolation_level = None
            dbapi_connection.execute("PRAGMA busy_timeout = 10000")

        @event.listens_for(engine, "begin")
        def _begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def upgrade(url: str) -> None:
    """Run every migration the store lacks, in one transaction (concurrent callers wait for each other)."""
    from alembic import command
    from sqlalchemy.exc import SQLAlchemyError

    engine = _engine(url)
    try:
        with engine.connect() as connection:
            command.upgrade(_config(connection), "head")
    except SQLAlchemyError as exc:
        raise StoreError(f"could not migrate the store: {postgres_message(url, exc)}") from None
    finally:
        engine.dispose()


def current(url: str) -> tuple[str | None, str]:
    """(the store's Alembic revision, the newest one this version knows)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy.exc import SQLAlchemyError

    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    engine = _engine(url)
    try:
        with engine.connect() as connection:
            revision = MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as exc:
        raise StoreError(postgres_message(url, exc)) from None
    finally:
        engine.dispose()
    return revision, str(head)
