"""The progress store: a SQLite file of attempts, solved puzzles, hints and revealed solutions.

One file per user data directory (``EINSUM_PUZZLES_HOME`` overrides it), shared by the terminal, the
notebooks and the web app (the web app's anonymous learners get their own learner ids). The schema is
versioned; migrations run in order inside a transaction. The file is opened in WAL mode with a busy
timeout, and every write is one transaction, so two processes can write at once and a process killed
mid-way loses nothing that was committed. A file that is not ours (damaged, foreign, or from a newer
version) raises ``ProgressError`` and is never overwritten.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

APP = "einsum-puzzles"
FILENAME = "progress.sqlite3"
LOCAL = "local"
EXPORT_FORMAT = "einsum-puzzles-progress"

MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema
    """
    CREATE TABLE attempts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        learner TEXT NOT NULL,
        puzzle INTEGER NOT NULL,
        answer TEXT NOT NULL,
        kind TEXT NOT NULL,
        correct INTEGER NOT NULL,
        at REAL NOT NULL
    );
    CREATE INDEX attempts_by_learner ON attempts (learner, puzzle);
    CREATE TABLE solved (
        learner TEXT NOT NULL, puzzle INTEGER NOT NULL, at REAL NOT NULL, PRIMARY KEY (learner, puzzle)
    );
    CREATE TABLE hints (
        learner TEXT NOT NULL, puzzle INTEGER NOT NULL, shown INTEGER NOT NULL, PRIMARY KEY (learner, puzzle)
    );
    CREATE TABLE revealed (
        learner TEXT NOT NULL, puzzle INTEGER NOT NULL, at REAL NOT NULL, PRIMARY KEY (learner, puzzle)
    );
    """,
    # 2: where each learner was, so that play resumes there
    """
    CREATE TABLE position (learner TEXT PRIMARY KEY, puzzle INTEGER NOT NULL, at REAL NOT NULL);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


_THREAD_CONNECTIONS = threading.local()


class ProgressError(Exception):
    """The progress file cannot be used; the message says why and what to do."""


def home() -> Path:
    """The folder that holds the progress file (``EINSUM_PUZZLES_HOME`` or the user data directory)."""
    override = os.environ.get("EINSUM_PUZZLES_HOME")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP, appauthor=False))


def default_path() -> Path:
    return home() / FILENAME


@dataclass(frozen=True)
class Attempt:
    puzzle: int
    answer: str
    kind: str
    correct: bool
    at: float


class Progress:
    """The progress of one learner (``local`` in the terminal) in one store."""

    def __init__(self, path: Path | str | None = None, learner: str = LOCAL, reuse: bool = False) -> None:
        """``reuse=True`` (servers): keep one connection per thread and path open between uses."""
        self.path = Path(path) if path is not None else default_path()
        self.learner = learner
        self._reused = reuse
        if reuse:
            cache: dict[Path, sqlite3.Connection] = _THREAD_CONNECTIONS.__dict__.setdefault("by_path", {})
            if self.path not in cache:
                cache[self.path] = _open(self.path)
            self._conn = cache[self.path]
        else:
            self._conn = _open(self.path)

    def close(self) -> None:
        if not self._reused:
            self._conn.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    # writes ---------------------------------------------------------------------------------------
    def record(self, puzzle: int, answer: str, kind: str, correct: bool, position: bool = True) -> None:
        """Store an attempt (and the solve, and where the learner is when ``position``)."""
        now = time.time()
        if not correct and not position:
            # One statement is its own transaction: no BEGIN/COMMIT round trips on the hot path.
            self._conn.execute(
                "INSERT INTO attempts (learner, puzzle, answer, kind, correct, at) VALUES (?, ?, ?, ?, 0, ?)",
                (self.learner, puzzle, answer, kind, now),
            )
            return
        with self._write() as conn:
            conn.execute(
                "INSERT INTO attempts (learner, puzzle, answer, kind, correct, at) VALUES (?, ?, ?, ?, ?, ?)",
                (self.learner, puzzle, answer, kind, int(correct), now),
            )
            if correct:
                conn.execute(
                    "INSERT OR IGNORE INTO solved (learner, puzzle, at) VALUES (?, ?, ?)", (self.learner, puzzle, now)
                )
            if position:
                _set_position(conn, self.learner, puzzle, now)

    def next_hint(self, puzzle: int, available: int) -> int:
        """Count one more hint shown for ``puzzle``; return how many are shown now (at most ``available``)."""
        with self._write() as conn:
            row = conn.execute(
                "SELECT shown FROM hints WHERE learner = ? AND puzzle = ?", (self.learner, puzzle)
            ).fetchone()
            shown = min((row[0] if row else 0) + 1, available)
            conn.execute(
                "INSERT INTO hints (learner, puzzle, shown) VALUES (?, ?, ?) "
                "ON CONFLICT (learner, puzzle) DO UPDATE SET shown = excluded.shown",
                (self.learner, puzzle, shown),
            )
        return shown

    def reveal(self, puzzle: int) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO revealed (learner, puzzle, at) VALUES (?, ?, ?)",
                (self.learner, puzzle, time.time()),
            )

    def visit(self, puzzle: int) -> None:
        with self._write() as conn:
            _set_position(conn, self.learner, puzzle, time.time())

    def reset(self, puzzle: int | None = None) -> None:
        with self._write() as conn:
            for table in ("attempts", "solved", "hints", "revealed"):
                if puzzle is None:
                    conn.execute(f"DELETE FROM {table} WHERE learner = ?", (self.learner,))
                else:
                    conn.execute(f"DELETE FROM {table} WHERE learner = ? AND puzzle = ?", (self.learner, puzzle))
            if puzzle is None:
                conn.execute("DELETE FROM position WHERE learner = ?", (self.learner,))

    # reads ----------------------------------------------------------------------------------------
    def solved(self) -> set[int]:
        rows = self._conn.execute("SELECT puzzle FROM solved WHERE learner = ?", (self.learner,))
        return {row[0] for row in rows}

    def attempted(self) -> set[int]:
        rows = self._conn.execute("SELECT DISTINCT puzzle FROM attempts WHERE learner = ?", (self.learner,))
        return {row[0] for row in rows}

    def hints_shown(self, puzzle: int) -> int:
        row = self._conn.execute(
            "SELECT shown FROM hints WHERE learner = ? AND puzzle = ?", (self.learner, puzzle)
        ).fetchone()
        return int(row[0]) if row else 0

    def hints_used(self) -> dict[int, int]:
        rows = self._conn.execute("SELECT puzzle, shown FROM hints WHERE learner = ?", (self.learner,))
        return {row[0]: row[1] for row in rows}

    def revealed(self) -> set[int]:
        rows = self._conn.execute("SELECT puzzle FROM revealed WHERE learner = ?", (self.learner,))
        return {row[0] for row in rows}

    def attempts(self, puzzle: int | None = None) -> list[Attempt]:
        query = "SELECT puzzle, answer, kind, correct, at FROM attempts WHERE learner = ?"
        args: tuple[Any, ...] = (self.learner,)
        if puzzle is not None:
            query += " AND puzzle = ?"
            args += (puzzle,)
        rows = self._conn.execute(query + " ORDER BY id", args)
        return [Attempt(row[0], row[1], row[2], bool(row[3]), row[4]) for row in rows]

    def position(self) -> int | None:
        row = self._conn.execute("SELECT puzzle FROM position WHERE learner = ?", (self.learner,)).fetchone()
        return int(row[0]) if row else None

    # export / import ------------------------------------------------------------------------------
    def export(self) -> dict[str, Any]:
        return {
            "format": EXPORT_FORMAT,
            "version": 1,
            "learner": self.learner,
            "attempts": [a.__dict__ for a in self.attempts()],
            "solved": sorted(self.solved()),
            "hints": {str(k): v for k, v in sorted(self.hints_used().items())},
            "revealed": sorted(self.revealed()),
            "position": self.position(),
        }

    def import_(self, data: Any) -> int:
        """Merge an export into this learner's progress; return the number of attempts added."""
        _validate_export(data)
        added = 0
        with self._write() as conn:
            known = {
                (row[0], row[1], row[2])
                for row in conn.execute("SELECT puzzle, answer, at FROM attempts WHERE learner = ?", (self.learner,))
            }
            for a in data["attempts"]:
                key = (int(a["puzzle"]), str(a["answer"]), float(a["at"]))
                if key in known:
                    continue
                conn.execute(
                    "INSERT INTO attempts (learner, puzzle, answer, kind, correct, at) VALUES (?, ?, ?, ?, ?, ?)",
                    (self.learner, key[0], key[1], str(a["kind"]), int(bool(a["correct"])), key[2]),
                )
                added += 1
            for puzzle in data["solved"]:
                conn.execute(
                    "INSERT OR IGNORE INTO solved (learner, puzzle, at) VALUES (?, ?, ?)",
                    (self.learner, int(puzzle), time.time()),
                )
            for puzzle, shown in data["hints"].items():
                conn.execute(
                    "INSERT INTO hints (learner, puzzle, shown) VALUES (?, ?, ?) ON CONFLICT (learner, puzzle) "
                    "DO UPDATE SET shown = max(shown, excluded.shown)",
                    (self.learner, int(puzzle), int(shown)),
                )
            for puzzle in data["revealed"]:
                conn.execute(
                    "INSERT OR IGNORE INTO revealed (learner, puzzle, at) VALUES (?, ?, ?)",
                    (self.learner, int(puzzle), time.time()),
                )
        return added


def _set_position(conn: sqlite3.Connection, learner: str, puzzle: int, now: float) -> None:
    conn.execute(
        "INSERT INTO position (learner, puzzle, at) VALUES (?, ?, ?) "
        "ON CONFLICT (learner) DO UPDATE SET puzzle = excluded.puzzle, at = excluded.at",
        (learner, puzzle, now),
    )


def _validate_export(data: Any) -> None:
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise ProgressError(f'this is not an einsum-puzzles progress export (no "format": "{EXPORT_FORMAT}")')
    try:
        for a in data["attempts"]:
            int(a["puzzle"]), str(a["answer"]), float(a["at"]), str(a["kind"])
        [int(p) for p in data["solved"]]
        [int(p) + int(s) for p, s in data["hints"].items()]
        [int(p) for p in data["revealed"]]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ProgressError(f"the progress export is incomplete or malformed ({exc!r}); nothing was imported") from None


def _open(path: Path) -> sqlite3.Connection:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ProgressError(f"cannot create the progress folder {path.parent}: {exc.strerror}") from None
    if path.exists() and path.is_dir():
        raise ProgressError(f"{path} is a folder, not a progress file; set EINSUM_PUZZLES_HOME to another place")
    try:
        conn = sqlite3.connect(path, timeout=10.0, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise ProgressError(f"cannot open the progress file {path}: {exc}") from None
    try:
        conn.execute("PRAGMA busy_timeout = 10000")
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        _migrate(conn, path, tables)
        _use_wal(conn)
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise ProgressError(
            f"{path} is not a usable einsum-puzzles progress file ({exc}). It was left untouched: move it "
            "away to start afresh, or set EINSUM_PUZZLES_HOME to another folder."
        ) from None
    except ProgressError:
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


def _migrate(conn: sqlite3.Connection, path: Path, tables: set[str]) -> None:
    if tables and "meta" not in tables:
        raise ProgressError(
            f"{path} is a SQLite file that einsum-puzzles did not make (tables: {', '.join(sorted(tables))}). "
            "It was left untouched: set EINSUM_PUZZLES_HOME to another folder."
        )
    if "meta" in tables:
        values = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        if values.get("app") == APP and values.get("schema_version") == str(SCHEMA_VERSION):
            return  # up to date: nothing to write
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        values = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        if values and values.get("app") != APP:
            raise ProgressError(f"{path} belongs to another program ({values.get('app')!r}); it was left untouched")
        version = int(values.get("schema_version", "0"))
        if version > SCHEMA_VERSION:
            raise ProgressError(
                f"{path} was written by a newer einsum-puzzles (schema {version}, this one knows {SCHEMA_VERSION}); "
                "upgrade einsum-puzzles to use it"
            )
        for number in range(version, SCHEMA_VERSION):
            for statement in MIGRATIONS[number].split(";"):
                if statement.strip():
                    conn.execute(statement)
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('app', ?)", (APP,))
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def read_export(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProgressError(f"no such file: {path}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ProgressError(f"{path} is not JSON ({exc}); nothing was imported") from None
