"""The terminal's rough edges: a closed pipe, a taken port, missing files, names cut at a word, quiz
totals, notebook openers, and dtype in ``backends --compare``."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from einsum_puzzles import notebook as notebook_module
from einsum_puzzles.cli import main
from einsum_puzzles.terminal import EXIT_BROKEN_PIPE, fit, notebook_openers, port_problem

SCRIPT = Path(sys.executable).with_name("einsum-puzzles")
needs_script = pytest.mark.skipif(not SCRIPT.exists(), reason="the console script is not installed next to this Python")


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EINSUM_PUZZLES_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def env(home: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "EINSUM_PUZZLES_HOME": str(home), **extra}


@needs_script
@pytest.mark.parametrize("buffered", [True, False], ids=["buffered", "unbuffered"])
@pytest.mark.parametrize("args", [["list"], ["quiz", "--answers"], ["progress", "--json"], ["cheatsheet"]])
def test_a_closed_pipe_ends_quietly(home: Path, args: list[str], buffered: bool) -> None:
    # The reader has gone before the first write (as `| head -1` is after its line): every write fails.
    read_end, write_end = os.pipe()
    os.close(read_end)
    extra = {} if buffered else {"PYTHONUNBUFFERED": "1"}
    try:
        done = subprocess.run(
            [str(SCRIPT), *args], stdout=write_end, stderr=subprocess.PIPE, env=env(home, **extra), timeout=60
        )
    finally:
        os.close(write_end)
    assert done.stderr.decode() == ""  # no BrokenPipeError traceback, no "Exception ignored" line
    assert done.returncode == EXIT_BROKEN_PIPE


def test_a_closed_pipe_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    class Closed:
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

        def fileno(self) -> int:
            raise ValueError("no file descriptor")

        def isatty(self) -> bool:
            return False

    monkeypatch.setattr(sys, "stdout", Closed())
    assert main(["list"]) == EXIT_BROKEN_PIPE


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@needs_script
def test_serve_on_a_taken_port_exits_2_before_printing_the_address(home: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = subprocess.run(
            [str(SCRIPT), "serve", "--port", str(port)], capture_output=True, text=True, env=env(home), timeout=60
        )
    assert done.returncode == 2
    assert done.stdout == ""  # the "on http://..." line is not printed
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"port {port} on 127.0.0.1 is already in use" in lines[0] and "--port" in lines[0]


def test_port_problem() -> None:
    assert port_problem("127.0.0.1", free_port()) is None
    assert "not a port number" in (port_problem("127.0.0.1", 70000) or "")
    assert "cannot listen on 'no-such-host.invalid'" in (port_problem("no-such-host.invalid", 8123) or "")


def test_code_puzzle_file_not_found(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["check", "31", str(tmp_path / "missing.py")]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'missing.py'}: no such file" in err and "Traceback" not in err
    assert main(["check", "31", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err
    latin = tmp_path / "latin.py"
    latin.write_bytes(b"# caf\xe9\n")
    assert main(["check", "31", str(latin)]) == 2
    assert "is not UTF-8 text" in capsys.readouterr().err


def test_a_file_that_cannot_be_written(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "course.ipynb"
    assert main(["notebook", "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {target}: No such file or directory") and "Traceback" not in err
    assert main(["progress", "--export", str(target)]) == 2
    assert "No such file or directory" in capsys.readouterr().err


def test_fit_shortens_at_a_word() -> None:
    assert fit("Diagonal and trace: one name twice in one term", 40) == "Diagonal and trace: one name twice in…"
    assert fit("short", 40) == "short"
    assert fit("Transposition and permutation", 20) == "Transposition and…"
    assert fit("Supercalifragilistic", 10) == "Supercali…"
    for width in range(5, 50):
        text = fit("Transposition and permutation: reorder the output", width)
        assert len(text) <= width
        assert text.endswith("…") or text == "Transposition and permutation: reorder the output"


def test_progress_names_are_whole(capsys: pytest.CaptureFixture[str]) -> None:
    from einsum_puzzles.curriculum import sections

    assert main(["progress"]) == 0
    out = capsys.readouterr().out
    for s in sections():
        if s.puzzles:
            assert f"  {s.title} " in out or f"{fit(s.title, 50)} " in out, s.title


def test_quiz_total_counts_the_questions_answered(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from einsum_puzzles.curriculum import shape_questions

    items = list(shape_questions())
    right = [("scalar" if q.answer == () else "x".join(map(str, q.answer))) for q in items[:3]]
    replies = iter([*right, "1x1x1x1x1", ""])  # three right, one wrong, then stop
    monkeypatch.setattr("builtins.input", lambda prompt="": next(replies))
    assert main(["quiz"]) == 0
    out = capsys.readouterr().out
    assert f"3/4 right (4 of the {len(items)} questions answered)." in out
    every = iter([("scalar" if q.answer == () else "x".join(map(str, q.answer))) for q in items])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(every))
    assert main(["quiz"]) == 0
    assert f"{len(items)}/{len(items)} right." in capsys.readouterr().out


def test_notebook_names_only_what_is_installed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))  # no jupyter beside this Python either
    path = tmp_path / "course.ipynb"
    assert main(["notebook", "-o", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Open it with" not in out and "No Jupyter here: install it (pip install jupyterlab)" in out
    assert "Google Colab" in out
    for name in ("jupyter-lab", "code"):
        tool = bin_dir / name
        tool.write_text("#!/bin/sh\n", encoding="utf-8")
        tool.chmod(0o755)
    assert notebook_openers(path) == [f"jupyter lab {path}", f"code {path} (VS Code, with its Jupyter extension)"]
    assert main(["notebook", "-o", str(path), "--force"]) == 0
    out = capsys.readouterr().out
    assert f"Open it with: jupyter lab {path}" in out and f"or: code {path}" in out


def test_notebook_setup_cell_says_what_to_do_without_the_package(tmp_path: Path) -> None:
    cell = notebook_module.build(section_id="identity", source=str(tmp_path / "missing.whl"))["cells"][1]["source"]
    assert "make wheel" in cell
    # Run the cell in a Python that cannot import einsum_puzzles (isolated mode, no PYTHONPATH, no site).
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", cell], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert done.returncode == 1
    assert f"einsum-puzzles is not installed in this kernel, and there is no file {tmp_path / 'missing.whl'}" in (
        done.stderr
    )
    assert "Upload the wheel" in done.stderr
    default = notebook_module.build(section_id="identity")["cells"][1]["source"]
    assert repr(notebook_module.wheel_name()) in default


def test_compare_says_when_the_dtype_differs(capsys: pytest.CaptureFixture[str]) -> None:
    from einsum_puzzles.backends import usable

    assert main(["backends", "--compare", "ij,jk->ik", "2x3", "3x4", "--json"]) == 0
    rows = {row["backend"]: row for row in json.loads(capsys.readouterr().out)["results"]}
    assert rows["numpy"]["same_dtype"] and rows["numpy"]["dtype"] == "float64"
    assert main(["backends", "--compare", "ij,jk->ik", "2x3", "3x4"]) == 0
    text = capsys.readouterr().out
    if "mlx" in usable():  # mlx computes in float32
        assert rows["mlx"]["agrees_with_numpy"] and not rows["mlx"]["same_dtype"]
        assert "same values as numpy, but float32 where numpy gives float64" in text
        assert not any(line.startswith("  mlx") and "same as numpy" in line for line in text.splitlines())
    for name in usable():
        if name != "numpy" and rows[name]["same_dtype"]:
            assert any(line.startswith(f"  {name} ") and "same as numpy" in line for line in text.splitlines())
