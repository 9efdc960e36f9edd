"""The progress store: schema and migrations, foreign and damaged files, concurrency and crashes."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from einsum_puzzles.progress import MIGRATIONS, SCHEMA_VERSION, Progress, ProgressError, default_path

WRITER = """
import sys
from einsum_puzzles.progress import Progress
path, tag, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
with Progress(path) as progress:
    for number in range(count):
        progress.record(1, f"{tag}-{number}", "values", False)
        print(number, flush=True)
"""


def test_records_hints_reveals_and_position(tmp_path: Path) -> None:
    with Progress(tmp_path / "p.sqlite3") as progress:
        progress.record(21, "ij,jk->ki", "order", False)
        progress.record(21, "ij,jk->ik", "correct", True)
        assert progress.solved() == {21} and progress.attempted() == {21}
        assert [a.kind for a in progress.attempts(21)] == ["order", "correct"]
        assert progress.next_hint(5, 2) == 1 and progress.next_hint(5, 2) == 2 and progress.next_hint(5, 2) == 2
        progress.reveal(7)
        assert progress.revealed() == {7} and progress.position() == 21
        progress.reset(21)
        assert progress.solved() == set() and progress.hints_used() == {5: 2}
        progress.reset()
        assert progress.hints_used() == {} and progress.position() is None


def test_learners_are_separate(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    with Progress(path, learner="alice") as alice, Progress(path, learner="bob") as bob:
        alice.record(1, "i->i", "correct", True)
        assert bob.solved() == set() and alice.solved() == {1}


def test_home_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EINSUM_PUZZLES_HOME", str(tmp_path / "somewhere"))
    assert default_path() == tmp_path / "somewhere" / "progress.sqlite3"


def test_an_old_schema_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "INSERT INTO meta VALUES ('app', 'einsum-puzzles'), ('schema_version', '1');" + MIGRATIONS[0]
    )
    conn.execute(
        "INSERT INTO attempts (learner, puzzle, answer, kind, correct, at) "
        "VALUES ('local', 3, 'i,i->i', 'correct', 1, 1.0)"
    )
    conn.execute("INSERT INTO solved VALUES ('local', 3, 1.0)")
    conn.commit()
    conn.close()
    with Progress(path) as progress:
        assert progress.solved() == {3}
        progress.visit(4)  # a table added by migration 2
        assert progress.position() == 4
    conn = sqlite3.connect(path)
    version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    conn.close()
    assert int(version) == SCHEMA_VERSION


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("CREATE TABLE photos (id INTEGER);", "did not make"),
        (
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT); INSERT INTO meta VALUES ('app', 'other');",
            "belongs to another program",
        ),
        (
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT); INSERT INTO meta VALUES ('app', 'einsum-puzzles'), "
            "('schema_version', '99');",
            "newer einsum-puzzles",
        ),
    ],
)
def test_foreign_files_are_refused_and_untouched(tmp_path: Path, setup: str, message: str) -> None:
    path = tmp_path / "foreign.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(setup)
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(ProgressError, match=message):
        Progress(path)
    assert path.read_bytes() == before


def test_damaged_file_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "damaged.sqlite3"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    before = path.read_bytes()
    with pytest.raises(ProgressError, match="left untouched"):
        Progress(path)
    assert path.read_bytes() == before
    folder = tmp_path / "folder"
    folder.mkdir()
    with pytest.raises(ProgressError, match="is a folder"):
        Progress(folder)


def test_import_refuses_bad_exports(tmp_path: Path) -> None:
    with Progress(tmp_path / "p.sqlite3") as progress:
        with pytest.raises(ProgressError, match="not an einsum-puzzles progress export"):
            progress.import_({"attempts": []})
        with pytest.raises(ProgressError, match="malformed"):
            progress.import_(
                {
                    "format": "einsum-puzzles-progress",
                    "attempts": [{"puzzle": "x"}],
                    "solved": [],
                    "hints": {},
                    "revealed": [],
                }
            )
        assert progress.attempts() == []


def test_a_killed_writer_loses_nothing_committed(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    Progress(path).close()
    killed = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), "killed", "100000"], stdout=subprocess.PIPE, text=True
    )
    steady = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), "steady", "300"], stdout=subprocess.PIPE, text=True
    )
    assert killed.stdout is not None
    committed = []
    deadline = time.monotonic() + 60
    while len(committed) < 200 and time.monotonic() < deadline:
        line = killed.stdout.readline()
        if not line:
            break
        committed.append(int(line))
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    killed.stdout.close()
    steady_out, _ = steady.communicate(timeout=120)
    assert steady.returncode == 0
    assert len(committed) >= 50, "the writer was killed before it committed anything"
    with Progress(path) as progress:
        answers = {a.answer for a in progress.attempts()}
    assert all(f"killed-{n}" in answers for n in committed)
    assert all(f"steady-{n}" in answers for n in range(300))
    assert len(steady_out.split()) == 300
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
