"""The two databases behind the store: SQLite through ``sqlite3``, PostgreSQL through SQLAlchemy Core.

Both take the same SQL text with ``:name`` parameters. Opening one checks that it is ours and at the
current schema, and runs the Alembic migrations (``store/migrations``) when it is behind.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

APP = "einsum-puzzles"
FILENAME = "progress.sqlite3"
SCHEMA_VERSION = 3
"""The ``schema_version`` the newest migration writes into ``meta`` (2 was the last hand-written schema)."""

Params = Mapping[str, Any]
Row = tuple[Any, ...]

_THREAD = threading.local()
_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()


class StoreError(Exception):
    """The store cannot be used; the message says why and what to do."""


def home() -> Path:
    """The folder that holds the progress file (``EINSUM_PUZZLES_HOME`` or the user data directory)."""
    override = os.environ.get("EINSUM_PUZZLES_HOME")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP, appauthor=False))


def default_path() -> Path:
    return home() / FILENAME


def store_url(path: Path | str | None = None) -> str:
    """The store to use: an explicit SQLite ``path``, else ``DATABASE_URL``, else the default SQLite file."""
    if path is not None:
        return f"sqlite:///{Path(path).expanduser().absolute()}"
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return url
    return f"sqlite:///{default_path().absolute()}"


def describe(url: str) -> str:
    """The store's address for messages, without a password."""
    if url.startswith("sqlite:///"):
        return url.removeprefix("sqlite:///")
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest:
        credentials, _, host = rest.rpartition("@")
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}@{host}" if user else f"{scheme}://{host}"
    return url


def open_database(url: str | None = None, reuse: bool = False) -> Database:
    """Open (and migrate when behind) the store at ``url`` (default: ``store_url()``).

    ``reuse=True`` (servers): SQLite keeps one connection per thread and file between uses."""
    url = url or store_url()
    if url.startswith("sqlite:///"):
        return SQLiteDatabase(Path(url.removeprefix("sqlite:///")), reuse=reuse)
    if url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        return PostgresDatabase(url)
    raise StoreError(
        f"DATABASE_URL must be postgresql://USER:PASSWORD@HOST:PORT/DATABASE (or sqlite:///PATH), got {describe(url)!r}"
    )


class Database(ABC):
    """One store: SQL with ``:name`` parameters in, tuples out; every failure is a ``StoreError``."""

    dialect: str
    url: str

    @property
    def location(self) -> str:
        return describe(self.url)

    @abstractmethod
    def rows(self, sql: str, params: Params | None = None) -> list[Row]: ...

    def row(self, sql: str, params: Params | None = None) -> Row | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    @abstractmethod
    def run(self, sql: str, params: Params | None = None) -> None:
        """One statement in its own transaction."""

    @abstractmethod
    def transaction(self) -> Any:
        """A context manager giving a ``Transaction``: committed at the end, rolled back on an exception."""

    def quick_check(self) -> None:  # noqa: B027 (only SQLite has a check to run)
        """Refuse (``StoreError``) when the store is damaged (SQLite: ``PRAGMA quick_check``)."""

    def close(self) -> None:
        return None

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Transaction(ABC):
    @abstractmethod
    def rows(self, sql: str, params: Params | None = None) -> list[Row]: ...

    def row(self, sql: str, params: Params | None = None) -> Row | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    @abstractmethod
    def run(self, sql: str, params: Params | None = None) -> None: ...

    def run_many(self, sql: str, rows: Sequence[Params]) -> None:
        """One statement for each of ``rows`` (the driver's executemany where it has one)."""
        for params in rows:
            self.run(sql, params)


def check_meta(tables: set[str], meta: dict[str, str], where: str) -> bool:
    """True when the store is ours and current; False when it needs migrating; StoreError when it is not ours."""
    if tables and "meta" not in tables:
        raise StoreError(
            f"{where} holds tables that einsum-puzzles did not make ({', '.join(sorted(tables)[:8])}). "
            "It was left untouched: point einsum-puzzles at another place (EINSUM_PUZZLES_HOME or DATABASE_URL)."
        )
    if meta and meta.get("app") != APP:
        raise StoreError(f"{where} belongs to another program ({meta.get('app')!r}); it was left untouched")
    try:
        version = int(meta.get("schema_version", "0"))
    except ValueError:
        raise StoreError(f"{where} has an unreadable schema version; it was left untouched") from None
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{where} was written by a newer einsum-puzzles (schema {version}, this one knows {SCHEMA_VERSION}); "
            "upgrade einsum-puzzles to use it"
        )
    return version == SCHEMA_VERSION and "meta" in tables


# --- SQLite ----------------------------------------------------------------------------------------
class _SQLiteTransaction(Transaction):
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def rows(self, sql: str, params: Params | None = None) -> list[Row]:
        return list(self.conn.execute(sql, params or {}).fetchall())

    def run(self, sql: str, params: Params | None = None) -> None:
        self.conn.execute(sql, params or {})

    def run_many(self, sql: str, rows: Sequence[Params]) -> None:
        self.conn.executemany(sql, rows)


class SQLiteDatabase(Database):
    dialect = "sqlite"

    def __init__(self, path: Path, reuse: bool = False) -> None:
        self.path = path
        self.url = f"sqlite:///{path}"
        self._reused = reuse
        if reuse:
            cache: dict[Path, sqlite3.Connection] = _THREAD.__dict__.setdefault("by_path", {})
            if path not in cache:
                cache[path] = _open_sqlite(path)
            self._conn = cache[path]
        else:
            self._conn = _open_sqlite(path)

    def close(self) -> None:
        if not self._reused:
            self._conn.close()

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise StoreError(sqlite_message(self.path, exc)) from None

    def rows(self, sql: str, params: Params | None = None) -> list[Row]:
        with self._guard():
            return list(self._conn.execute(sql, params or {}).fetchall())

    def run(self, sql: str, params: Params | None = None) -> None:
        with self._guard():
            self._conn.execute(sql, params or {})

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        conn = self._conn
        with self._guard():
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield _SQLiteTransaction(conn)
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def quick_check(self) -> None:
        with self._guard():
            problems = [row[0] for row in self._conn.execute("PRAGMA quick_check").fetchall()]
        if problems != ["ok"]:
            raise StoreError(
                f"the progress file {self.path} is damaged ({'; '.join(problems[:3])}). Nothing was changed or "
                "exported: keep a copy of the file, then move it away to start afresh (or try the sqlite3 "
                "command's .recover on the copy)."
            )


def sqlite_message(path: Path, exc: sqlite3.Error) -> str:
    text = str(exc)
    if "readonly" in text or "read-only" in text:
        return f"the progress file {path} is read-only ({text}); make it (and its folder) writable"
    if "malformed" in text or "not a database" in text:
        return f"the progress file {path} is damaged ({text}); move it away to start afresh"
    return f"the progress file {path} cannot be used ({text})"


def _open_sqlite(path: Path) -> sqlite3.Connection:
    if path.exists() and path.is_dir():
        raise StoreError(f"{path} is a folder, not a progress file; set EINSUM_PUZZLES_HOME to another place")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the progress folder {path.parent}: {exc.strerror}") from None
    try:
        conn = sqlite3.connect(path, timeout=10.0, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open the progress file {path}: {exc}") from None
    try:
        conn.execute("PRAGMA busy_timeout = 10000")
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        tables -= {"sqlite_sequence", "alembic_version"}
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall()) if "meta" in tables else {}
        if not check_meta(tables, meta, str(path)):
            from .migrate import upgrade

            upgrade(f"sqlite:///{path}")
        _use_wal(conn)
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        conn.close()
        if "readonly" in str(exc):
            raise StoreError(sqlite_message(path, exc)) from None
        raise StoreError(
            f"{path} is not a usable einsum-puzzles progress file ({exc}). It was left untouched: move it "
            "away to start afresh, or set EINSUM_PUZZLES_HOME to another folder."
        ) from None
    except BaseException:
        conn.close()
        raise
    return conn


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch to WAL once; the switch needs the file to itself, so retry while others hold it."""
    for attempt in range(200):
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
            return
        try:
            conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError:
            time.sleep(0.005 * (1 + attempt % 10))
    raise sqlite3.OperationalError("could not switch the progress file to WAL mode (it stayed locked)")


# --- PostgreSQL ------------------------------------------------------------------------------------
def sqlalchemy_url(url: str) -> str:
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


class _SQLAlchemyTransaction(Transaction):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def rows(self, sql: str, params: Params | None = None) -> list[Row]:
        result = self.conn.execute(_text(sql), dict(params or {}))
        return [tuple(r) for r in result] if result.returns_rows else []

    def run(self, sql: str, params: Params | None = None) -> None:
        self.conn.execute(_text(sql), dict(params or {}))

    def run_many(self, sql: str, rows: Sequence[Params]) -> None:
        if rows:
            self.conn.execute(_text(sql), [dict(params) for params in rows])


_TEXTS: dict[str, Any] = {}


def _text(sql: str) -> Any:
    found = _TEXTS.get(sql)
    if found is None:
        from sqlalchemy import text

        found = _TEXTS[sql] = text(sql)
    return found


class PostgresDatabase(Database):
    """A pooled engine per URL and process, shared by every ``PostgresDatabase`` of that URL."""

    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _engine(url)

    @contextmanager
    def _guard(self) -> Iterator[None]:
        from sqlalchemy.exc import SQLAlchemyError

        try:
            yield
        except SQLAlchemyError as exc:
            raise StoreError(postgres_message(self.url, exc)) from None

    def rows(self, sql: str, params: Params | None = None) -> list[Row]:
        with self._guard(), self.engine.connect() as conn:
            return _SQLAlchemyTransaction(conn).rows(sql, params)

    def run(self, sql: str, params: Params | None = None) -> None:
        with self._guard(), self.engine.begin() as conn:
            conn.execute(_text(sql), dict(params or {}))

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        with self._guard(), self.engine.begin() as conn:
            yield _SQLAlchemyTransaction(conn)


def postgres_message(url: str, exc: Exception) -> str:
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    first = detail[0] if detail else type(exc).__name__
    advice = "; check DATABASE_URL and that the database server is running" if "connect" in first else ""
    return f"the database {describe(url)} cannot be used ({first}){advice}"


def _engine(url: str) -> Engine:
    with _ENGINES_LOCK:
        engine = _ENGINES.get(url)
        if engine is not None:
            return engine
        from sqlalchemy import create_engine, text
        from sqlalchemy.exc import ArgumentError, SQLAlchemyError

        try:
            engine = create_engine(
                sqlalchemy_url(url), pool_size=10, max_overflow=20, pool_pre_ping=True, pool_timeout=30
            )
        except ArgumentError as exc:
            raise StoreError(f"DATABASE_URL is not a database address ({exc})") from None
        try:
            with engine.connect() as conn:
                tables = {
                    row[0]
                    for row in conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))
                }
                tables -= {"alembic_version"}
                meta: dict[str, str] = {}
                if "meta" in tables:
                    meta = {str(k): str(v) for k, v in conn.execute(text("SELECT key, value FROM meta"))}
            if not check_meta(tables, meta, f"the database {describe(url)}"):
                from .migrate import upgrade

                upgrade(url)
        except SQLAlchemyError as exc:
            engine.dispose()
            raise StoreError(postgres_message(url, exc)) from None
        except BaseException:
            engine.dispose()
            raise
        _ENGINES[url] = engine
        return engine


def forget_engines() -> None:
    """Close every pooled PostgreSQL connection of this process (tests, and after a fork)."""
    with _ENGINES_LOCK:
        for engine in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()
