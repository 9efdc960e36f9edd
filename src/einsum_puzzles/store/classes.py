"""Teachers, classes, members and what the class did: the SQL behind ``web/classes.py`` and ``teacher add``.

A learner belongs to at most one class; joining shares the learner's progress (all of it) with that
class's teacher, and leaving stops sharing it. Passwords are argon2 hashes (argon2-cffi).
"""

from __future__ import annotations

import re
import secrets
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from .database import Database, StoreError

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud in a classroom
CODE_LENGTH = 8
MAX_NAME = 40
STUCK_ATTEMPTS = 5
"""A learner is stuck on a puzzle after this many attempts without solving it."""


def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()


def normal_email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL.match(email) or len(email) > 200:
        raise StoreError(f"{email!r} is not an email address (like teacher@school.example)")
    return email


def add_teacher(db: Database, email: str, password: str, replace: bool = False) -> bool:
    """Create a teacher (or, with ``replace``, set a new password); True when the account is new."""
    email = normal_email(email)
    if len(password) < MIN_PASSWORD:
        raise StoreError(f"the password must be at least {MIN_PASSWORD} characters long")
    digest = _hasher().hash(password)
    with db.transaction() as tx:
        found = tx.row("SELECT id FROM teachers WHERE email = :email", {"email": email})
        if found and not replace:
            raise StoreError(f"a teacher {email} exists already; add --replace to give them a new password")
        if found:
            tx.run("UPDATE teachers SET password_hash = :h WHERE id = :id", {"h": digest, "id": found[0]})
            return False
        tx.run(
            "INSERT INTO teachers (email, password_hash, created) VALUES (:email, :h, :now)",
            {"email": email, "h": digest, "now": time.time()},
        )
    return True


def teachers(db: Database) -> list[tuple[str, int]]:
    """(email, number of classes) for every teacher."""
    rows = db.rows(
        "SELECT t.email, COUNT(c.id) FROM teachers t LEFT JOIN classes c ON c.teacher_id = t.id "
        "GROUP BY t.email ORDER BY t.email"
    )
    return [(str(r[0]), int(r[1])) for r in rows]


_DUMMY: list[str] = []


def verify_teacher(db: Database, email: str, password: str) -> int | None:
    """The teacher's id when the password is right, else None (the same work either way)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher = _hasher()
    row = db.row("SELECT id, password_hash FROM teachers WHERE email = :email", {"email": email.strip().lower()})
    if row is None:
        if not _DUMMY:
            _DUMMY.append(hasher.hash(secrets.token_hex(16)))
        digest, teacher = _DUMMY[0], None
    else:
        digest, teacher = str(row[1]), int(row[0])
    try:
        hasher.verify(digest, password)
    except (VerificationError, InvalidHashError):
        return None
    return teacher


def session_tag(db: Database, teacher: int) -> str | None:
    """Changes when the teacher's password does: sessions carry it, so a new password ends old sessions."""
    import hashlib

    row = db.row("SELECT password_hash FROM teachers WHERE id = :id", {"id": teacher})
    return hashlib.sha256(str(row[0]).encode()).hexdigest()[:16] if row else None


def teacher_email(db: Database, teacher: int) -> str | None:
    row = db.row("SELECT email FROM teachers WHERE id = :id", {"id": teacher})
    return str(row[0]) if row else None


def clean_name(name: str, what: str = "name") -> str:
    name = " ".join(name.split())
    if not name:
        raise StoreError(f"the {what} is empty")
    if len(name) > MAX_NAME:
        raise StoreError(f"the {what} is longer than {MAX_NAME} characters")
    if any(ord(ch) < 32 or ch in "<>" for ch in name):
        raise StoreError(f"the {what} may not contain control characters or < >")
    return name


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())[: CODE_LENGTH * 2]


def create_class(db: Database, teacher: int, name: str) -> tuple[int, str]:
    """(class id, join code)."""
    name = clean_name(name, "class name")
    for _ in range(10):
        code = new_code()
        with db.transaction() as tx:
            if tx.row("SELECT 1 FROM classes WHERE code = :code", {"code": code}):
                continue
            row = tx.row(
                "INSERT INTO classes (teacher_id, name, code, created) VALUES (:t, :name, :code, :now) RETURNING id",
                {"t": teacher, "name": name, "code": code, "now": time.time()},
            )
            assert row is not None
            return int(row[0]), code
    raise StoreError("could not find a free join code; try again")


@dataclass(frozen=True)
class ClassInfo:
    id: int
    name: str
    code: str
    members: int


def classes_of(db: Database, teacher: int) -> list[ClassInfo]:
    rows = db.rows(
        "SELECT c.id, c.name, c.code, COUNT(m.learner) FROM classes c LEFT JOIN members m ON m.class_id = c.id "
        "WHERE c.teacher_id = :t GROUP BY c.id, c.name, c.code ORDER BY c.id",
        {"t": teacher},
    )
    return [ClassInfo(int(r[0]), str(r[1]), str(r[2]), int(r[3])) for r in rows]


def class_of(db: Database, teacher: int, class_id: int) -> ClassInfo | None:
    """The class when it is this teacher's (None otherwise: a teacher sees only their own classes)."""
    return next((c for c in classes_of(db, teacher) if c.id == class_id), None)


def join(db: Database, learner: str, code: str, name: str) -> str | None:
    """Put ``learner`` in the class with ``code`` under ``name``; the class name, or None for an unknown code."""
    name = clean_name(name, "display name")
    found = db.row("SELECT id, name FROM classes WHERE code = :code", {"code": normal_code(code)})
    if found is None:
        return None
    with db.transaction() as tx:
        taken = tx.row(
            "SELECT learner FROM members WHERE class_id = :c AND name = :name", {"c": found[0], "name": name}
        )
        if taken and taken[0] != learner:
            raise StoreError(f"someone in this class already uses the name {name!r}; choose another")
        tx.run("DELETE FROM members WHERE learner = :learner", {"learner": learner})
        tx.run(
            "INSERT INTO members (learner, class_id, name, joined) VALUES (:learner, :c, :name, :now)",
            {"learner": learner, "c": found[0], "name": name, "now": time.time()},
        )
    return str(found[1])


def leave(db: Database, learner: str) -> None:
    db.run("DELETE FROM members WHERE learner = :learner", {"learner": learner})


def membership(db: Database, learner: str) -> tuple[str, str] | None:
    """(class name, display name) of the learner's class, or None."""
    row = db.row(
        "SELECT c.name, m.name FROM members m JOIN classes c ON c.id = m.class_id WHERE m.learner = :learner",
        {"learner": learner},
    )
    return (str(row[0]), str(row[1])) if row else None


def allowed(db: Database, bucket: str, limit: int, window: float) -> bool:
    """Fewer than ``limit`` events in ``bucket`` in the last ``window`` seconds."""
    row = db.row(
        "SELECT COUNT(*) FROM throttle WHERE bucket = :b AND at > :since", {"b": bucket, "since": time.time() - window}
    )
    return row is None or int(row[0]) < limit


def note(db: Database, bucket: str) -> None:
    """Count one event in ``bucket`` (and forget events older than an hour)."""
    now = time.time()
    with db.transaction() as tx:
        tx.run("DELETE FROM throttle WHERE at < :old", {"old": now - 3600})
        tx.run("INSERT INTO throttle (bucket, at) VALUES (:b, :now)", {"b": bucket, "now": now})


def throttle(db: Database, bucket: str, limit: int, window: float) -> bool:
    """Count one event in ``bucket``; False when there were ``limit`` already in the last ``window`` seconds.

    Kept in the database, so every worker process sees the same counts."""
    now = time.time()
    with db.transaction() as tx:
        tx.run("DELETE FROM throttle WHERE at < :old", {"old": now - 3600})
        row = tx.row(
            "SELECT COUNT(*) FROM throttle WHERE bucket = :b AND at > :since", {"b": bucket, "since": now - window}
        )
        if row is not None and int(row[0]) >= limit:
            return False
        tx.run("INSERT INTO throttle (bucket, at) VALUES (:b, :now)", {"b": bucket, "now": now})
    return True


def secret(db: Database) -> str:
    """The key that signs session cookies and CSRF tokens: made once, kept in the store, shared by workers."""
    db.run(
        "INSERT INTO meta (key, value) VALUES ('secret_key', :v) ON CONFLICT (key) DO NOTHING",
        {"v": secrets.token_urlsafe(48)},
    )
    row = db.row("SELECT value FROM meta WHERE key = 'secret_key'")
    assert row is not None
    return str(row[0])


# --- what a class did ------------------------------------------------------------------------------
@dataclass
class PuzzleStats:
    puzzle: int
    attempts: int = 0
    attempted: int = 0
    solved: int = 0
    stuck: int = 0
    mistakes: list[tuple[str, int, list[str]]] = field(default_factory=list)
    """(kind, count, up to three example answers, the most frequent first)."""


@dataclass(frozen=True)
class Member:
    learner: str
    name: str
    joined: float
    attempts: int
    solved: int


def members(db: Database, class_id: int) -> list[Member]:
    rows = db.rows(
        "SELECT m.learner, m.name, m.joined, "
        "(SELECT COUNT(*) FROM attempts a WHERE a.learner = m.learner), "
        "(SELECT COUNT(*) FROM solved s WHERE s.learner = m.learner) "
        "FROM members m WHERE m.class_id = :c ORDER BY m.name",
        {"c": class_id},
    )
    return [Member(str(r[0]), str(r[1]), float(r[2]), int(r[3]), int(r[4])) for r in rows]


def puzzle_stats(db: Database, class_id: int) -> list[PuzzleStats]:
    """Per puzzle: attempts, learners who attempted / solved / are stuck, the common mistakes."""
    per_learner = db.rows(
        "SELECT a.puzzle, a.learner, COUNT(*), MAX(a.correct) FROM attempts a "
        "JOIN members m ON m.learner = a.learner WHERE m.class_id = :c GROUP BY a.puzzle, a.learner",
        {"c": class_id},
    )
    solved = {
        (int(r[0]), str(r[1]))
        for r in db.rows(
            "SELECT s.puzzle, s.learner FROM solved s JOIN members m ON m.learner = s.learner WHERE m.class_id = :c",
            {"c": class_id},
        )
    }
    wrong = db.rows(
        "SELECT a.puzzle, a.kind, a.answer, COUNT(*) FROM attempts a JOIN members m ON m.learner = a.learner "
        "WHERE m.class_id = :c AND a.correct = 0 GROUP BY a.puzzle, a.kind, a.answer",
        {"c": class_id},
    )
    stats: dict[int, PuzzleStats] = {}
    for puzzle, learner, count, _ in per_learner:
        s = stats.setdefault(int(puzzle), PuzzleStats(int(puzzle)))
        s.attempts += int(count)
        s.attempted += 1
        if (int(puzzle), str(learner)) in solved:
            s.solved += 1
        elif int(count) >= STUCK_ATTEMPTS:
            s.stuck += 1
    for puzzle, learner in solved:  # solved without an attempt in the table (imported progress)
        s = stats.setdefault(puzzle, PuzzleStats(puzzle))
        if not any(int(r[0]) == puzzle and str(r[1]) == learner for r in per_learner):
            s.solved += 1
    kinds: dict[int, Counter[str]] = defaultdict(Counter)
    examples: dict[tuple[int, str], Counter[str]] = defaultdict(Counter)
    for puzzle, kind, answer, count in wrong:
        kinds[int(puzzle)][str(kind)] += int(count)
        examples[(int(puzzle), str(kind))][str(answer)] += int(count)
    for puzzle, counter in kinds.items():
        stats[puzzle].mistakes = [
            (kind, count, [a for a, _ in examples[(puzzle, kind)].most_common(3)])
            for kind, count in counter.most_common(3)
        ]
    return [stats[p] for p in sorted(stats)]


@dataclass(frozen=True)
class Event:
    at: float
    puzzle: int
    answer: str
    kind: str
    correct: bool


def timeline(db: Database, class_id: int, learner: str) -> list[Event]:
    rows = db.rows(
        "SELECT a.at, a.puzzle, a.answer, a.kind, a.correct FROM attempts a JOIN members m ON m.learner = a.learner "
        "WHERE m.class_id = :c AND a.learner = :learner ORDER BY a.id",
        {"c": class_id, "learner": learner},
    )
    return [Event(float(r[0]), int(r[1]), str(r[2]), str(r[3]), bool(r[4])) for r in rows]


def attempts_csv_rows(db: Database, class_id: int) -> list[tuple[str, int, str, str, int, float]]:
    """(display name, puzzle, answer, kind, correct, time) of every attempt of the class's members."""
    rows = db.rows(
        "SELECT m.name, a.puzzle, a.answer, a.kind, a.correct, a.at FROM attempts a "
        "JOIN members m ON m.learner = a.learner WHERE m.class_id = :c ORDER BY m.name, a.id",
        {"c": class_id},
    )
    return [(str(r[0]), int(r[1]), str(r[2]), str(r[3]), int(r[4]), float(r[5])) for r in rows]
