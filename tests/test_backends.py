"""The five backends: every reference solution passes on each, the known differences still hold, our
validation speaks first, and a missing library is named with the extra to install."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

import einsum_puzzles as ep
from einsum_puzzles import backends as backends_module
from einsum_puzzles.backends import BACKENDS, NAMES, BackendUnavailable, Status, get, installed, usable
from einsum_puzzles.backends.matrix import markdown
from einsum_puzzles.cli import main
from einsum_puzzles.grading import evaluator
from einsum_puzzles.grading.steps import check_steps, step_specs
from einsum_puzzles.progress import Progress
from einsum_puzzles.web import create_app

ROOT = Path(__file__).resolve().parents[1]
OPTIONAL = [name for name in NAMES if name != "numpy"]


def needs(name: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        not BACKENDS[name].available(), reason=f"{name} is not installed ({BACKENDS[name].install_hint()})"
    )


@pytest.mark.parametrize("name", NAMES)
def test_every_reference_solution_passes(name: str) -> None:
    if not BACKENDS[name].available():
        pytest.skip(f"{name} is not installed ({BACKENDS[name].install_hint()})")
    for puzzle in ep.puzzles():
        if puzzle.kind == "code":  # the step template: only subscripts run, on this backend
            verdict = check_steps(puzzle, {s.name: s.reference for s in step_specs(puzzle)}, evaluator(name))
            assert verdict.correct, (name, puzzle.id, verdict.message)
            continue
        for solution in puzzle.solutions:
            if documented_difference(name, solution, puzzle.argument_shapes()):
                continue  # e.g. tinygrad does not stretch size-1 labels (puzzle 53): a known difference
            verdict = ep.check(puzzle.id, solution, backend=name)
            assert verdict.correct, (name, puzzle.id, solution, verdict.message)


def documented_difference(name: str, subscript: str, shapes: tuple[tuple[int, ...], ...]) -> bool:
    """A known difference of the backend (it raises or gives other values) applies to this einsum."""
    contraction = ep.bind(subscript, *shapes)
    return any(
        (d.library_raises or d.wrong_values) and d.applies is not None and d.applies(contraction)
        for d in BACKENDS[name].differences
    )


CASES = [(name, d) for name in OPTIONAL for d in BACKENDS[name].differences]


@pytest.mark.parametrize(("name", "difference"), CASES, ids=[f"{n}:{d.id}" for n, d in CASES])
def test_known_differences_are_observed(name: str, difference: object) -> None:
    if not BACKENDS[name].available():
        pytest.skip(f"{name} is not installed ({BACKENDS[name].install_hint()})")
    assert BACKENDS[name].observe(difference)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", NAMES)
def test_a_bad_subscript_gets_our_message_on_every_backend(name: str) -> None:
    if not BACKENDS[name].available():
        pytest.skip(f"{name} is not installed")
    reference = ep.check(21, "ij,jk->ix")
    verdict = ep.check(21, "ij,jk->ix", backend=name)
    assert (
        (verdict.kind, verdict.message)
        == (reference.kind, reference.message)
        == (
            "output",
            reference.message,
        )
    )
    dropped = ep.check(30, "...j,jk->k", backend=name)  # torch/jax/tinygrad/mlx would sum: we follow numpy
    assert dropped.kind == "output" and "drops the ellipsis" in dropped.message


@needs("tinygrad")
def test_a_library_bug_is_reported_as_the_library_behaviour() -> None:
    verdict = ep.check(34, "ipiq->ipq", backend="tinygrad")
    assert verdict.correct
    assert "library's behaviour, not your mistake" in verdict.message
    assert "wrong order when a repeated (diagonal) label" in verdict.message
    wrong = ep.check(34, "ipiq->iqp", backend="tinygrad")
    assert not wrong.correct


def test_unknown_and_missing_backends_are_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(BackendUnavailable, match="choose one of numpy, torch, jax, tinygrad, mlx"):
        get("fortran")
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a))
    with pytest.raises(BackendUnavailable, match=re.escape("pip install 'torch==2.13.0'")):
        ep.check(21, "ij,jk->ik", backend="torch")
    monkeypatch.setenv("EINSUM_PUZZLES_HOME", str(tmp_path))
    assert main(["check", "21", "ij,jk->ik", "--backend", "torch"]) == 2
    assert "pip install 'torch==2.13.0'" in capsys.readouterr().err
    assert main(["notebook", "-o", str(tmp_path / "t.ipynb"), "--backend", "torch"]) == 2
    with TestClient(create_app(tmp_path / "web.sqlite3")) as client:
        response = client.post("/api/check", json={"puzzle": 21, "answer": "ij,jk->ik", "backend": "torch"})
        assert response.status_code == 422 and "pip install 'torch==2.13.0'" in response.json()["message"]
    assert "torch" not in installed()


def test_install_hints_are_the_extras_of_pyproject() -> None:
    import tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    for name in OPTIONAL:
        assert extras[BACKENDS[name].extra] == [BACKENDS[name].requirement], name
        assert BACKENDS[name].requirement in extras["backends"]


# --- a library that is installed but cannot run here ------------------------------------------------
SCRIPT = Path(sys.executable).with_name("einsum-puzzles")
CLANG_PROBLEM = "its CPU device needs the clang compiler, and there is no clang on PATH"


@needs("tinygrad")
@pytest.mark.skipif(not SCRIPT.exists(), reason="the console script is not installed next to this Python")
def test_tinygrad_without_clang_is_unavailable_not_a_wrong_answer(tmp_path: Path) -> None:
    # No compiler on PATH and no cached kernels: tinygrad cannot open its CPU device.
    env = {
        **os.environ,
        "PATH": "/nonexistent",
        "CACHELEVEL": "0",
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "EINSUM_PUZZLES_HOME": str(tmp_path / "home"),
    }

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, env=env, timeout=300, check=False)

    done = cli("check", "21", "ij,jk->ik", "--backend", "tinygrad")
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"error: tinygrad cannot run here: {CLANG_PROBLEM}")
    assert "apt-get install clang" in done.stderr
    progress = json.loads(cli("progress", "--json").stdout)
    assert progress["attempts"] == 0  # nothing recorded: not the learner's mistake
    rows = {row["name"]: row for row in json.loads(cli("backends", "--json").stdout)}
    assert rows["tinygrad"]["installed"] and not rows["tinygrad"]["available"]
    assert CLANG_PROBLEM in rows["tinygrad"]["reason"] and "apt-get install clang" in rows["tinygrad"]["fix"]
    assert rows["numpy"]["available"]
    table = cli("backends").stdout
    assert "cannot run here" in table and CLANG_PROBLEM in table
    compared = cli("backends", "--compare", "ij,jk->ik", "2x3", "3x4").stdout
    assert f"tinygrad   tinygrad cannot run here: {CLANG_PROBLEM}" in compared


@needs("tinygrad")
def test_web_disables_a_library_that_cannot_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    down = Status("tinygrad", True, False, "0.0", CLANG_PROBLEM, "Install clang (apt-get install clang)")
    monkeypatch.setitem(backends_module._STATUS, "tinygrad", down)
    with TestClient(create_app(tmp_path / "web.sqlite3")) as client:
        page = client.get("/puzzles/21").text
        assert re.search(r'<option value="tinygrad"[^>]*\bdisabled\b', page), page
        assert not re.search(r'<option value="torch"[^>]*\bdisabled\b', page)
        assert f"{CLANG_PROBLEM}. Install clang (apt-get install clang)." in page  # the reason and the fix
        response = client.post("/api/check", json={"puzzle": 21, "answer": "ij,jk->ik", "backend": "tinygrad"})
        assert response.status_code == 422
        assert response.json()["limit"] == "backend" and "tinygrad cannot run here" in response.json()["message"]
        form = client.post("/puzzles/21/check", data={"answer": "ij,jk->ik", "backend": "tinygrad"})
        assert form.status_code == 200 and "tinygrad cannot run here" in form.text
        learner = client.cookies["ep_learner"]
    with Progress(tmp_path / "web.sqlite3", learner=f"web:{learner}") as progress:
        assert progress.attempts() == []  # nothing recorded: not the learner's mistake


def test_cli_backends_table_and_compare(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backends"]) == 0
    text = capsys.readouterr().out
    for name in NAMES:
        assert name in text
    assert main(["backends", "--compare", "ij,jk->ik", "2x3", "3x4"]) == 0
    text = capsys.readouterr().out
    assert "numpy" in text and "same as numpy" in text


@needs("torch")
def test_web_backend_selector(tmp_path: Path) -> None:
    with TestClient(create_app(tmp_path / "web.sqlite3")) as client:
        page = client.get("/puzzles/21").text
        assert '<select name="backend"' in page and '<option value="torch"' in page
        verdict = client.post("/api/check", json={"puzzle": 21, "answer": "ij,jk->ik", "backend": "torch"}).json()
        assert verdict["correct"]


def test_the_compatibility_doc_is_generated() -> None:
    doc = (ROOT / "docs" / "backends.md").read_text(encoding="utf-8")
    versions = next(line for line in doc.splitlines() if line.startswith("Versions: "))
    current = "Versions: " + ", ".join(f"{n} {BACKENDS[n].version()}" for n in usable()) + "."
    if len(usable()) < len(NAMES) or versions != current:
        pytest.skip(f"regenerate docs/backends.md on a machine with these versions ({current})")
    assert markdown() == doc


def test_explainer_notes_come_from_the_differences() -> None:
    for name in NAMES:
        for difference in BACKENDS[name].differences:
            if difference.applies is None:
                continue
            contraction = ep.bind(difference.subscript, *difference.shapes)
            assert difference.applies(contraction), (name, difference.id)
            dtypes = difference.dtype.split(",")
            operands = [np.ones(shape, dtype=dtypes[i % len(dtypes)]) for i, shape in enumerate(difference.shapes)]
            assert f"{name} {difference.summary}" in ep.explain(difference.subscript, *operands).backend_notes
    assert not any("tinygrad" in note for note in ep.explain("ij->ji", (2, 3)).backend_notes)


@needs("tinygrad")
def test_tinygrad_from_several_threads() -> None:
    # The web app grades in a thread pool; tinygrad's kernel cache is a SQLite connection bound to one thread.
    from concurrent.futures import ThreadPoolExecutor

    assert ep.check(21, "ij,jk->ik", backend="tinygrad").correct  # this thread first
    cases = [(p.id, p.solutions[0]) for p in ep.puzzles() if p.kind == "subscript"][:12]  # new kernels each
    with ThreadPoolExecutor(4) as pool:
        verdicts = list(pool.map(lambda case: ep.check(case[0], case[1], backend="tinygrad"), cases))
    assert all(v.correct for v in verdicts), [v.message for v in verdicts if not v.correct]
