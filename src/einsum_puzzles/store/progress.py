"""One learner's progress (``local`` in the terminal, ``web:ID`` for the web app's learners)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .database import Database, StoreError, Transaction, open_database, store_url

LOCAL = "local"
EXPORT_FORMAT = "einsum-puzzles-progress"

INSERT_ATTEMPT = (
    "INSERT INTO attempts (learner, puzzle, answer, kind, correct, at) "
    "VALUES (:learner, :puzzle, :answer, :kind, :correct, :at)"
)
INSERT_SOLVED = (
    "INSERT INTO solved (learner, puzzle, at) VALUES (:learner, :puzzle, :at) ON CONFLICT (learner, puzzle) DO NOTHING"
)
INSERT_REVEALED = (
    "INSERT INTO revealed (learner, puzzle, at) VALUES (:learner, :puzzle, :at) "
    "ON CONFLICT (learner, puzzle) DO NOTHING"
)
SET_POSITION = (
    "INSERT INTO position (learner, puzzle, at) VALUES (:learner, :puzzle, :at) "
    "ON CONFLICT (learner) DO UPDATE SET puzzle = excluded.puzzle, at = excluded.at"
)


@dataclass(frozen=True)
class Attempt:
    puzzle: int
    answer: str
    kind: str
    correct: bool
    at: float


class Progress:
    """The progress of one learner in one store (a SQLite file, or ``DATABASE_URL``'s database)."""

    def __init__(
        self, path: Path | str | None = None, learner: str = LOCAL, reuse: bool = False, url: str | None = None
    ) -> None:
        """``path``: a SQLite file; ``url``: any store; neither: ``DATABASE_URL`` or the default file.
        ``reuse=True`` (servers): keep connections open between uses."""
        self.url = url or store_url(path)
        self.db: Database = open_database(self.url, reuse=reuse)
        self.learner = learner

    @property
    def path(self) -> str:
        """Where the progress is kept (a file, or the database's address without its password)."""
        return self.db.location

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _who(self, puzzle: int | None = None, **extra: Any) -> dict[str, Any]:
        return {"learner": self.learner, "puzzle": puzzle, **extra}

    # writes ---------------------------------------------------------------------------------------
    def record(self, puzzle: int, answer: str, kind: str, correct: bool, position: bool = True) -> None:
        """Store an attempt (and the solve, and where the learner is when ``position``)."""
        values = self._who(puzzle, answer=answer, kind=kind, correct=int(correct), at=time.time())
        if not correct and not position:
            self.db.run(INSERT_ATTEMPT, values)  # one statement is its own transaction: the hot path
            return
        with self.db.transaction() as tx:
            tx.run(INSERT_ATTEMPT, values)
            if correct:
                tx.run(INSERT_SOLVED, values)
            if position:
                tx.run(SET_POSITION, values)

    def next_hint(self, puzzle: int, available: int) -> int:
        """Count one more hint shown for ``puzzle``; return how many are shown now (at most ``available``)."""
        with self.db.transaction() as tx:
            row = tx.row(
                "INSERT INTO hints (learner, puzzle, shown) VALUES (:learner, :puzzle, :first) "
                "ON CONFLICT (learner, puzzle) DO UPDATE SET shown = "
                "CASE WHEN hints.shown + 1 > :available THEN :available ELSE hints.shown + 1 END RETURNING shown",
                self._who(puzzle, first=min(1, available), available=available),
            )
        return int(row[0]) if row else 0

    def reveal(self, puzzle: int) -> None:
        self.db.run(INSERT_REVEALED, self._who(puzzle, at=time.time()))

    def visit(self, puzzle: int) -> None:
        self.db.run(SET_POSITION, self._who(puzzle, at=time.time()))

    def reset(self, puzzle: int | None = None) -> None:
        self.db.quick_check()
        with self.db.transaction() as tx:
            for table in ("attempts", "solved", "hints", "revealed"):
                if puzzle is None:
                    tx.run(f"DELETE FROM {table} WHERE learner = :learner", self._who())
                else:
                    tx.run(f"DELETE FROM {table} WHERE learner = :learner AND puzzle = :puzzle", self._who(puzzle))
            if puzzle is None:
                tx.run("DELETE FROM position WHERE learner = :learner", self._who())

    # reads ----------------------------------------------------------------------------------------
    def solved(self) -> set[int]:
        return {row[0] for row in self.db.rows("SELECT puzzle FROM solved WHERE learner = :learner", self._who())}

    def attempted(self) -> set[int]:
        rows = self.db.rows("SELECT DISTINCT puzzle FROM attempts WHERE learner = :learner", self._who())
        return {row[0] for row in rows}

    def hints_shown(self, puzzle: int) -> int:
        row = self.db.row("SELECT shown FROM hints WHERE learner = :learner AND puzzle = :puzzle", self._who(puzzle))
        return int(row[0]) if row else 0

    def hints_used(self) -> dict[int, int]:
        rows = self.db.rows("SELECT puzzle, shown FROM hints WHERE learner = :learner", self._who())
        return {row[0]: row[1] for row in rows}

    def revealed(self) -> set[int]:
        return {row[0] for row in self.db.rows("SELECT puzzle FROM revealed WHERE learner = :learner", self._who())}

    def attempts(self, puzzle: int | None = None) -> list[Attempt]:
        query = "SELECT puzzle, answer, kind, correct, at FROM attempts WHERE learner = :learner"
        if puzzle is not None:
            query += " AND puzzle = :puzzle"
        rows = self.db.rows(query + " ORDER BY id", self._who(puzzle))
        return [Attempt(row[0], row[1], row[2], bool(row[3]), row[4]) for row in rows]

    def position(self) -> int | None:
        row = self.db.row("SELECT puzzle FROM position WHERE learner = :learner", self._who())
        return int(row[0]) if row else None

    # export / import ------------------------------------------------------------------------------
    def export(self) -> dict[str, Any]:
        """Everything of this learner's, after checking that the store is not damaged (nothing is dropped)."""
        self.db.quick_check()
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
        with self.db.transaction() as tx:
            known = {
                (row[0], row[1], float(row[2]))
                for row in tx.rows("SELECT puzzle, answer, at FROM attempts WHERE learner = :learner", self._who())
            }
            for a in data["attempts"]:
                key = (int(a["puzzle"]), str(a["answer"]), float(a["at"]))
                if key in known:
                    continue
                values = self._who(key[0], answer=key[1], kind=str(a["kind"]), correct=int(bool(a["correct"])))
                tx.run(INSERT_ATTEMPT, {**values, "at": key[2]})
                known.add(key)
                added += 1
            now = time.time()
            for puzzle in data["solved"]:
                tx.run(INSERT_SOLVED, self._who(int(puzzle), at=now))
            for puzzle, shown in data["hints"].items():
                _merge_hint(tx, self._who(int(puzzle), shown=int(shown)))
            for puzzle in data["revealed"]:
                tx.run(INSERT_REVEALED, self._who(int(puzzle), at=now))
        return added


def _merge_hint(tx: Transaction, values: dict[str, Any]) -> None:
    tx.run(
        "INSERT INTO hints (learner, puzzle, shown) VALUES (:learner, :puzzle, :shown) ON CONFLICT (learner, puzzle) "
        "DO UPDATE SET shown = CASE WHEN hints.shown > excluded.shown THEN hints.shown ELSE excluded.shown END",
        values,
    )


def _validate_export(data: Any) -> None:
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise StoreError(f'this is not an einsum-puzzles progress export (no "format": "{EXPORT_FORMAT}")')
    try:
        for a in data["attempts"]:
            int(a["puzzle"]), str(a["answer"]), float(a["at"]), str(a["kind"])
        [int(p) for p in data["solved"]]
        [int(p) + int(s) for p, s in data["hints"].items()]
        [int(p) for p in data["revealed"]]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise StoreError(f"the progress export is incomplete or malformed ({exc!r}); nothing was imported") from None


def read_export(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StoreError(f"no such file: {path}") from None
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise StoreError(f"{path} is not JSON ({exc}); nothing was imported") from None
