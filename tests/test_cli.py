"""The command line, in-process against the real course and a small fixture course, plus subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from einsum_puzzles import curriculum
from einsum_puzzles.cli import UsageError, main, parse_shape
from einsum_puzzles.curriculum import shape_questions

from .fixture_course import COURSE


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EINSUM_PUZZLES_HOME", str(tmp_path))
    monkeypatch.delenv("NO_COLOR", raising=False)
    return tmp_path


@pytest.fixture
def fixture_course() -> Iterator[None]:
    curriculum.use_course(COURSE)
    yield
    curriculum.use_course(None)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> object:
    code, out, err = run(capsys, *args, "--json")
    assert code in (0, 1), err
    return json.loads(out)


# --- the fixture course: every command ------------------------------------------------------------
@pytest.mark.usefixtures("fixture_course")
def test_list_show_check_hint_solution_progress_reset(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "list")
    assert code == 0 and "Fixture basics" in out and "901  Fixture transpose" in out and "0/3 solved (0%)" in out

    code, out, _ = run(capsys, "show", "901")
    assert code == 0 and "Puzzle 901: Fixture transpose" in out and "a.shape = (2, 3)" in out
    assert "i->i" in out  # the lesson's worked example, explained

    code, out, _ = run(capsys, "check", "901", "ij->ij")
    assert code == 1 and "Right values, wrong axis order" in out and "->ji" in out
    code, out, _ = run(capsys, "check", "901", "ij->ji")
    assert code == 0 and "Correct" in out

    code, out, _ = run(capsys, "hint", "902")
    assert code == 0 and "Hint 1/2: Leave every letter out." in out and "Hint 2/2" not in out
    code, out, _ = run(capsys, "hint", "902")
    assert "Hint 2/2: Nothing after the arrow." in out and "last hint" in out

    code, out, err = run(capsys, "solution", "902")
    assert code == 2 and "--yes" in err  # not solved, no terminal to confirm: refuse
    code, out, _ = run(capsys, "solution", "902", "--yes")
    assert code == 0 and "ij->" in out

    data = run_json(capsys, "progress")
    assert data == {
        "solved": 1,
        "total": 3,
        "attempts": 2,
        "hints_used": 2,
        "solutions_revealed": [902],
        "sections": [
            {"section": "fx-basics", "title": "Fixture basics", "solved": 1, "total": 2},
            {"section": "fx-code", "title": "Fixture code", "solved": 0, "total": 1},
        ],
        "file": data["file"],  # type: ignore[index]
    }
    code, out, _ = run(capsys, "list")
    assert "✓ 901" in out and "1/3 solved (33%)" in out
    assert "· 902" in out or "• 902" in out  # every puzzle has a mark: the meaning survives NO_COLOR

    code, _, err = run(capsys, "reset", "901")
    assert code == 2 and "--yes" in err
    code, out, _ = run(capsys, "reset", "901", "--yes")
    assert code == 0 and "Erased puzzle 901" in out
    assert run_json(capsys, "progress")["solved"] == 0  # type: ignore[index]
    code, out, _ = run(capsys, "reset", "--yes")
    assert run_json(capsys, "progress")["solutions_revealed"] == []  # type: ignore[index]


@pytest.mark.usefixtures("fixture_course")
def test_code_puzzle_from_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    good = tmp_path / "double.py"
    good.write_text(COURSE[1].puzzles[0].solutions[0], encoding="utf-8")
    code, out, _ = run(capsys, "check", "903", str(good))
    assert code == 0 and "Correct" in out
    bad = tmp_path / "bad.py"
    bad.write_text("import numpy as np\n\ndef double(a):\n    return a @ np.eye(len(a)) * 2\n", encoding="utf-8")
    code, out, _ = run(capsys, "check", "903", str(bad))
    assert code == 1 and "rules" in json.dumps(run_json(capsys, "check", "903", str(bad)))
    code, _, err = run(capsys, "check", "903", str(tmp_path / "missing.py"))
    assert code == 2 and f"{tmp_path / 'missing.py'}: no such file" in err


# --- JSON schemas ------------------------------------------------------------------------------------
def test_json_schemas(capsys: pytest.CaptureFixture[str]) -> None:
    listing = run_json(capsys, "list")
    assert set(listing) == {"total", "solved", "sections"}  # type: ignore[arg-type]
    first = listing["sections"][0]["puzzles"][0]  # type: ignore[index]
    assert set(first) == {"id", "title", "kind", "solved", "attempted", "revealed"}
    shown = run_json(capsys, "show", "21")
    assert set(shown) == {  # type: ignore[arg-type]
        "id",
        "section",
        "title",
        "prompt",
        "kind",
        "note",
        "inputs",
        "call",
        "arguments",
        "target_shape",
        "hints",
        "function_name",
        "starter",
    }
    verdict = run_json(capsys, "check", "21", "ij,jk->ki")
    assert set(verdict) == {  # type: ignore[arg-type]
        "puzzle",
        "answer",
        "correct",
        "kind",
        "title",
        "message",
        "details",
        "expected_shape",
        "got_shape",
        "trials",
        "fix",
    }
    assert verdict["kind"] == "order"  # type: ignore[index]
    hint = run_json(capsys, "hint", "21")
    assert set(hint) == {"puzzle", "shown", "total", "hints"}  # type: ignore[arg-type]
    explained = run_json(capsys, "explain", "ij,jk->ik", "2x3", "3x4")
    assert explained["operation"] == "matrix product"  # type: ignore[index]
    cheat = run_json(capsys, "cheatsheet", "--grep", "trace")
    assert cheat and all(set(e) == {"group", "name", "subscript", "numpy", "shapes"} for e in cheat)  # type: ignore[union-attr]
    backends = run_json(capsys, "backends")
    numpy_row = next(row for row in backends if row["name"] == "numpy")  # type: ignore[union-attr, index]
    assert set(numpy_row) == {"name", "installed", "available", "version", "reason", "fix", "install", "differences"}
    assert numpy_row["available"] is True and numpy_row["install"] is None and numpy_row["reason"] is None


# --- the real course -------------------------------------------------------------------------------
def test_real_course_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "list")
    assert code == 0 and f"0/{len(curriculum.puzzles())} solved (0%)" in out and "Multi-head attention" in out
    code, out, _ = run(capsys, "show", "31")
    assert "def head(x, w_q, w_k, w_v, mask):" in out
    code, out, _ = run(capsys, "cheatsheet", "--grep", "trace")
    assert code == 0 and "ii->" in out and "np.trace(x)" in out
    code, out, _ = run(capsys, "cheatsheet", "--grep", "nothing-like-this")
    assert "Nothing in the cheatsheet matches" in out
    code, out, _ = run(capsys, "quiz", "--answers")
    assert "Q7." in out and "transposes" in out and "S1." in out
    # lesson by lesson, in course order: the identity lesson's questions come before the seed's Q1
    assert out.index("== Identity: naming the axes ==") < out.index("Q9.") < out.index("Q1.") < out.index("Q27.")
    code, out, _ = run(capsys, "explain", "bij,bjk->bik", "8x2x3", "8x3x4")
    assert code == 0 and "Batched matrix product" in out and "t0 = A @ B" in out


def test_quiz_reads_answers(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    replies = iter(["scalar", "9x9", ""])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(replies))
    code, out, _ = run(capsys, "quiz")
    assert code == 0 and "Right:" in out and "Not quite:" in out
    total = len(shape_questions())
    assert f"1/2 right (2 of the {total} questions answered)" in out  # over the questions answered, not all


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "999"], "there is no puzzle 999"),
        (["check", "abc", "ij"], "'abc' is not a puzzle number"),
        (["check", "21", ""], None),
        (["explain", "ij", "3x"], "cannot read the shape '3x'"),
        (["explain", "ij,jk->ik", "2x3", "4x5"], "error (size): label 'j' has size 3"),
        (["explain", "i\0", "3"], "NUL character"),
        (["check", "21", "ij\0"], "NUL character"),
        (["bogus"], None),
        (["check", "21"], None),
    ],
)
def test_bad_input(capsys: pytest.CaptureFixture[str], args: list[str], message: str | None) -> None:
    code, out, err = run(capsys, *args)
    if args[:3] == ["check", "21", ""]:
        assert code == 1 and "Not solved yet" in out  # an empty answer is "not solved yet", not an error
        return
    assert code == 2
    if message:
        assert message in err
    assert "Traceback" not in err + out


def test_progress_export_import(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(capsys, "check", "21", "ij,jk->ik")
    run(capsys, "hint", "5")
    export = tmp_path / "export.json"
    code, out, _ = run(capsys, "progress", "--export", str(export))
    assert code == 0 and "Exported 1 attempts" in out
    monkeypatch.setenv("EINSUM_PUZZLES_HOME", str(tmp_path / "other"))
    code, out, _ = run(capsys, "progress", "--import", str(export))
    assert code == 0 and "Imported 1 new attempts" in out
    assert run_json(capsys, "progress")["solved"] == 1  # type: ignore[index]
    code, out, _ = run(capsys, "progress", "--import", str(export))
    assert "Imported 0 new attempts" in out
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    code, _, err = run(capsys, "progress", "--import", str(bad))
    assert code == 2 and "is not JSON" in err


def test_damaged_progress_file_is_reported_and_kept(capsys: pytest.CaptureFixture[str], home: Path) -> None:
    store = home / "progress.sqlite3"
    store.write_bytes(b"this is not a database, but it is somebody's data" * 100)
    before = store.read_bytes()
    code, _, err = run(capsys, "check", "21", "ij,jk->ik")
    assert code == 2 and "not a usable einsum-puzzles progress file" in err and "left untouched" in err
    assert store.read_bytes() == before


def test_parse_shape() -> None:
    assert parse_shape("3x2") == (3, 2)
    assert parse_shape("scalar") == ()
    assert parse_shape("7") == (7,)
    for bad in ("3x-1", "x", "", "3x"):
        with pytest.raises(UsageError):
            parse_shape(bad)


def test_console_script_and_colour(home: Path) -> None:
    script = Path(sys.executable).with_name("einsum-puzzles")
    env = dict(os.environ, EINSUM_PUZZLES_HOME=str(home))
    done = subprocess.run(
        [str(script), "check", "21", "ij,jk->ki"], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 1 and "\033[" not in done.stdout  # not a terminal: no colour
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0 and "check" in done.stdout and "play" in done.stdout


def test_an_unquoted_arrow_gets_a_hint_to_quote_it(capsys: pytest.CaptureFixture[str]) -> None:
    # What `einsum-puzzles explain ij,jk->ik 2x3 3x4` leaves after the shell takes '>ik' as a redirection.
    code, _, err = run(capsys, "explain", "ij,jk-", "2x3", "3x4")
    assert code == 2 and "must be the start of the arrow" in err
    assert "hint: quote the subscript" in err
    code, _, err = run(capsys, "explain", "ij,jk", "2x3")  # wrong for another reason: no hint
    assert code == 2 and "hint" not in err
