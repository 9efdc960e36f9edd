"""The store, on SQLite and on a real PostgreSQL: schema and migrations, foreign and damaged stores,
concurrency and crashes, and every failure as a message (never a traceback, never a lost verdict)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from einsum_puzzles.progress import SCHEMA_VERSION, Progress, ProgressError, default_path
from einsum_puzzles.store import StoreError, open_database
from tests.postgres import Cluster

CLI = str(Path(sys.executable).with_name("einsum-puzzles"))
WRITER = """
import sys
from einsum_puzzles.progress import Progress
url, tag, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
with Progress(url=url) as progress:
    for number in range(count):
        progress.record(1, f"{tag}-{number}", "values", False)
        print(number, flush=True)
"""
LEGACY_SCHEMA_1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta VALUES ('app', 'einsum-puzzles'), ('schema_version', '1');
CREATE TABLE attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT, learner TEXT NOT NULL, puzzle INTEGER NOT NULL, answer TEXT NOT NULL,
    kind TEXT NOT NULL, correct INTEGER NOT NULL, at REAL NOT NULL
);
CREATE INDEX attempts_by_learner ON attempts (learner, puzzle);
CREATE TABLE solved (learner TEXT NOT NULL, puzzle INTEGER NOT NULL, at REAL NOT NULL, PRIMARY KEY (learner, puzzle));
CREATE TABLE hints (
    learner TEXT NOT NULL, puzzle INTEGER NOT NULL, shown INTEGER NOT NULL, PRIMARY KEY (learner, puzzle)
);
CREATE TABLE revealed (learner TEXT NOT NULL, puzzle INTEGER NOT NULL, at REAL NOT NULL, PRIMARY KEY (learner, puzzle));
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'p.sqlite3'}"
    cluster: Cluster = request.getfixturevalue("postgres")
    return cluster.database()


def run_cli(
    *args: str, home: Path, env: dict[str, str] | None = None, user: bool = False
) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ, EINSUM_PUZZLES_HOME=str(home), NO_COLOR="1", **(env or {}))
    if not env or "DATABASE_URL" not in env:
        environment.pop("DATABASE_URL", None)
    prefix: list[str] = []
    if user and os.geteuid() == 0:  # root ignores file modes: drop the capabilities that let it
        prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner"]
    return subprocess.run(
        [*prefix, CLI, *args], env=environment, capture_output=True, text=True, timeout=120, check=False
    )


# --- behaviour, on both databases ------------------------------------------------------------------
def test_records_hints_reveals_and_position(url: str) -> None:
    with Progress(url=url) as progress:
        progress.record(21, "ij,jk->ki", "order", False)
        progress.record(21, "ij,jk->ik", "correct", True)
        assert progress.solved() == {21} and progress.attempted() == {21}
        assert [a.kind for a in progress.attempts(21)] == ["order", "correct"]
        assert progress.next_hint(5, 2) == 1 and progress.next_hint(5, 2) == 2 and progress.next_hint(5, 2) == 2
        progress.reveal(7)
        progress.reveal(7)
        assert progress.revealed() == {7} and progress.position() == 21
        progress.reset(21)
        assert progress.solved() == set() and progress.hints_used() == {5: 2}
        progress.reset()
        assert progress.hints_used() == {} and progress.position() is None


def test_learners_are_separate(url: str) -> None:
    with Progress(url=url, learner="alice") as alice, Progress(url=url, learner="bob") as bob:
        alice.record(1, "i->i", "correct", True)
        assert bob.solved() == set() and alice.solved() == {1}


def test_export_and_import_round_trip(url: str) -> None:
    with Progress(url=url, learner="alice") as alice, Progress(url=url, learner="bob") as bob:
        for n in range(30):
            alice.record(21, f"answer-{n}", "values", False)
        alice.record(21, "ij,jk->ik", "correct", True)
        alice.next_hint(3, 2)
        alice.reveal(4)
        data = json.loads(json.dumps(alice.export()))
        assert len(data["attempts"]) == 31 and data["solved"] == [21]
        assert bob.import_(data) == 31
        assert bob.import_(data) == 0  # merging twice adds nothing
        assert bob.solved() == {21} and bob.hints_used() == {3: 1} and bob.revealed() == {4}


def test_import_refuses_bad_exports(url: str) -> None:
    with Progress(url=url) as progress:
        with pytest.raises(ProgressError, match="not an einsum-puzzles progress export"):
            progress.import_({"attempts": []})
        with pytest.raises(ProgressError, match="malformed"):
            progress.import_(
                {"format": "einsum-puzzles-progress", "attempts": [{"puzzle": "x"}], "solved": [], "hints": {}}
            )
        assert progress.attempts() == []


def test_concurrent_hints_count_once_each(url: str) -> None:
    Progress(url=url).close()
    errors: list[BaseException] = []

    def ask() -> None:
        try:
            with Progress(url=url, learner="class", reuse=True) as p:
                for _ in range(5):
                    p.next_hint(9, 100)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    with Progress(url=url, learner="class") as p:
        assert p.hints_shown(9) == 40


def test_a_killed_writer_loses_nothing_committed(url: str) -> None:
    Progress(url=url).close()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    killed = subprocess.Popen(
        [sys.executable, "-c", WRITER, url, "killed", "100000"], stdout=subprocess.PIPE, text=True, env=env
    )
    steady = subprocess.Popen(
        [sys.executable, "-c", WRITER, url, "steady", "300"], stdout=subprocess.PIPE, text=True, env=env
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
    with Progress(url=url) as progress:
        answers = {a.answer for a in progress.attempts()}
    assert all(f"killed-{n}" in answers for n in committed)
    assert all(f"steady-{n}" in answers for n in range(300))
    assert len(steady_out.split()) == 300
    if url.startswith("sqlite:///"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()


def test_db_commands(url: str, tmp_path: Path) -> None:
    env = {"DATABASE_URL": url}
    checked = run_cli("db", "check", home=tmp_path, env=env)
    assert checked.returncode == 1 and ("db upgrade" in checked.stdout or "No progress file" in checked.stdout)
    upgraded = run_cli("db", "upgrade", home=tmp_path, env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "0002 (the newest)" in upgraded.stdout
    checked = run_cli("db", "check", home=tmp_path, env=env)
    assert checked.returncode == 0 and "reachable" in checked.stdout
    assert "@" not in checked.stdout.split("postgresql://")[-1].split("/")[0] or "postgres@" in checked.stdout
    added = run_cli("teacher", "add", "Ada@School.example", "--password-stdin", home=tmp_path, env=env, user=False)
    assert added.returncode == 2 and "no password" in added.stderr
    added = subprocess.run(
        [CLI, "teacher", "add", "Ada@School.example", "--password-stdin"],
        input="correct horse battery\n",
        env=dict(os.environ, EINSUM_PUZZLES_HOME=str(tmp_path), DATABASE_URL=url),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert added.returncode == 0 and "Added teacher ada@school.example" in added.stdout
    listed = run_cli("teacher", "list", home=tmp_path, env=env)
    assert "ada@school.example  (0 classes)" in listed.stdout
    checked = run_cli("check", "21", "ij,jk->ik", home=tmp_path, env=env)
    assert checked.returncode == 0
    with Progress(url=url) as p:
        assert p.solved() == {21}


# --- migrations and foreign stores ----------------------------------------------------------------
def test_home_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EINSUM_PUZZLES_HOME", str(tmp_path / "somewhere"))
    assert default_path() == tmp_path / "somewhere" / "progress.sqlite3"


def test_a_file_from_before_alembic_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(LEGACY_SCHEMA_1)
    conn.execute(
        "INSERT INTO attempts (learner, puzzle, answer, kind, correct, at) "
        "VALUES ('local', 3, 'i,i->i', 'correct', 1, 1.0)"
    )
    conn.execute("INSERT INTO solved VALUES ('local', 3, 1.0)")
    conn.commit()
    conn.close()
    with Progress(path) as progress:
        assert progress.solved() == {3}
        progress.visit(4)  # a table added by the migrations
        assert progress.position() == 4
    conn = sqlite3.connect(path)
    version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    conn.close()
    assert int(version) == SCHEMA_VERSION and revision == "0002"


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
def test_foreign_stores_are_refused_and_untouched(tmp_path: Path, setup: str, message: str, postgres: Cluster) -> None:
    path = tmp_path / "foreign.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(setup)
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(ProgressError, match=message):
        Progress(path)
    assert path.read_bytes() == before
    import psycopg

    url = postgres.database()
    with psycopg.connect(url, autocommit=True) as pg:
        for statement in setup.split(";"):
            if statement.strip():
                pg.execute(statement)
    with pytest.raises(StoreError, match=message):
        Progress(url=url)
    with psycopg.connect(url) as pg:
        tables = {row[0] for row in pg.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert "attempts" not in tables and "alembic_version" not in tables


def test_unreachable_or_wrong_urls_are_messages(tmp_path: Path, postgres: Cluster) -> None:
    with pytest.raises(StoreError, match="DATABASE_URL must be"):
        open_database("mysql://someone@localhost/db")
    port = postgres.url.split(":")[2].split("/")[0]
    with pytest.raises(StoreError, match=r"cannot be used") as info:
        open_database(f"postgresql://user:hunter2secret@127.0.0.1:{port}/missing_db")
    assert "hunter2secret" not in str(info.value)


# --- issue 14: a store that fails never hides a verdict, and never drops data silently ---------------
def test_damaged_file_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "damaged.sqlite3"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    before = path.read_bytes()
    with pytest.raises(ProgressError, match="left untouched"):
        Progress(path)
    assert path.read_bytes() == before


def damaged_pages(home: Path, attempts: int = 3001) -> Path:
    path = home / "progress.sqlite3"
    with Progress(path) as progress, progress.db.transaction() as tx:
        for n in range(attempts):
            tx.run(
                "INSERT INTO attempts (learner, puzzle, answer, kind, correct, at) "
                "VALUES ('local', 21, :a, 'values', 0, :at)",
                {"a": f"answer number {n} " + "x" * 40, "at": float(n)},
            )
    data = bytearray(path.read_bytes())
    assert len(data) > 200_000
    for offset in range(len(data) * 2 // 3, len(data) * 2 // 3 + 8192, 7):
        data[offset] = 0x5A
    path.write_bytes(bytes(data))
    return path


def test_damaged_pages_export_and_reset_refuse_check_still_shows_the_verdict(tmp_path: Path) -> None:
    damaged_pages(tmp_path)
    out = tmp_path / "out.json"
    exported = run_cli("progress", "--export", str(out), home=tmp_path)
    assert exported.returncode == 2 and "damaged" in exported.stderr and "Traceback" not in exported.stderr
    assert not out.exists(), "a partial export was written"
    reset = run_cli("reset", "--yes", home=tmp_path)
    assert reset.returncode == 2 and "damaged" in reset.stderr and "Traceback" not in reset.stderr
    checked = run_cli("check", "21", "ij,jk->ik", home=tmp_path)
    assert "Puzzle 21: Correct" in checked.stdout and "Traceback" not in checked.stderr
    assert checked.returncode in (0, 2)
    if checked.returncode == 2:
        assert "not saved" in checked.stderr


def test_a_folder_instead_of_the_file(tmp_path: Path) -> None:
    (tmp_path / "progress.sqlite3").mkdir()
    checked = run_cli("check", "21", "ij,jk->ki", home=tmp_path)
    assert checked.returncode == 2 and "Puzzle 21" in checked.stdout
    assert "not saved" in checked.stderr and "is a folder" in checked.stderr and "Traceback" not in checked.stderr
    listed = run_cli("progress", home=tmp_path)
    assert listed.returncode == 2 and "is a folder" in listed.stderr


def test_a_read_only_file(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with Progress(home / "progress.sqlite3") as progress:
        progress.record(21, "ij,jk->ki", "order", False)
    for p in (tmp_path, home):
        p.chmod(0o755)
    (home / "progress.sqlite3").chmod(0o444)
    checked = run_cli("check", "21", "ij,jk->ik", home=home, user=True)
    assert "Puzzle 21: Correct" in checked.stdout, checked.stderr
    assert checked.returncode == 2 and "not saved" in checked.stderr and "Traceback" not in checked.stderr
    with Progress(home / "progress.sqlite3") as progress:
        assert len(progress.attempts()) == 1


def test_web_store_failure_is_a_503_without_paths(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from einsum_puzzles.web import create_app

    folder = tmp_path / "secret-place" / "progress.sqlite3"
    folder.mkdir(parents=True)
    client = TestClient(create_app(folder), raise_server_exceptions=False)
    response = client.post("/api/check", json={"puzzle": 21, "answer": "ij,jk->ik"})
    assert response.status_code == 503
    body = response.json()
    assert body["error"] == "progress_store" and body["verdict"]["correct"] is True
    assert "secret-place" not in response.text
    page = client.get("/")
    assert page.status_code == 503 and "secret-place" not in page.text
