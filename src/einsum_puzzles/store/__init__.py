"""Where progress, teachers and classes are kept: one interface over SQLite (the default) or PostgreSQL.

* SQLite: one file per user data directory (``EINSUM_PUZZLES_HOME`` overrides it), opened with the
  standard library's ``sqlite3`` (no start-up cost for the command line), WAL mode and a busy timeout;
  every write is one transaction, so several processes can share the file.
* PostgreSQL: when ``DATABASE_URL`` is ``postgresql://...``, through a pooled SQLAlchemy engine (psycopg 3).

Both run the same SQL (the portable subset: ``ON CONFLICT``, ``RETURNING``, ``CASE``) and the same Alembic
migrations (``einsum-puzzles db upgrade``; they also run when a store is opened and is behind). A file or
database that is not ours (damaged, foreign, or from a newer version) raises ``StoreError`` and is never
overwritten; every database error becomes a ``StoreError`` whose message says what to do.
"""

from __future__ import annotations

from .database import (
    APP,
    FILENAME,
    SCHEMA_VERSION,
    Database,
    StoreError,
    default_path,
    describe,
    home,
    open_database,
    store_url,
)
from .progress import EXPORT_FORMAT, LOCAL, Attempt, Progress, read_export

ProgressError = StoreError

__all__ = [
    "APP",
    "EXPORT_FORMAT",
    "FILENAME",
    "LOCAL",
    "SCHEMA_VERSION",
    "Attempt",
    "Database",
    "Progress",
    "ProgressError",
    "StoreError",
    "default_path",
    "describe",
    "home",
    "open_database",
    "read_export",
    "store_url",
]
