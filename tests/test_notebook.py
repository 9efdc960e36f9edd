"""The generated notebook: valid nbformat, and executed by a real kernel (offline)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

import einsum_puzzles as ep
from einsum_puzzles.backends import installed
from einsum_puzzles.cli import main
from einsum_puzzles.notebook import PLACEHOLDER, build, dumps
from einsum_puzzles.progress import Progress


def execute(notebook: dict[str, Any], tmp_path: Path) -> nbformat.NotebookNode:
    node = nbformat.reads(dumps(notebook), as_version=4)
    nbformat.validate(node)
    NotebookClient(node, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    return node


def outputs(node: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """(cell source, text of its outputs) for every code cell."""
    found = []
    for cell in node.cells:
        if cell.cell_type != "code":
            continue
        text = []
        for output in cell.outputs:
            assert output.output_type != "error", (cell.source, output.get("ename"), output.get("evalue"))
            text.append(output.get("text") or output.get("data", {}).get("text/plain", ""))
        found.append((cell.source, "\n".join(text)))
    return found


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EINSUM_PUZZLES_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_with_solutions_every_check_is_correct_and_progress_is_shared(tmp_path: Path, home: Path) -> None:
    node = execute(build(solutions=True), tmp_path)
    checks = [(source, text) for source, text in outputs(node) if "check(" in source.splitlines()[-1]]
    assert len(checks) == len(ep.puzzles())
    for source, text in checks:
        assert "Correct" in text, (source, text)
    with Progress(home / "progress.sqlite3") as progress:
        assert progress.solved() == {p.id for p in ep.puzzles()}


def test_without_solutions_every_puzzle_is_not_solved_yet(tmp_path: Path) -> None:
    notebook = build()
    assert sum(PLACEHOLDER in "".join(c["source"]) for c in notebook["cells"]) >= 40
    node = execute(notebook, tmp_path)
    checks = [(source, text) for source, text in outputs(node) if "check(" in source.splitlines()[-1]]
    assert len(checks) == len(ep.puzzles())
    for source, text in checks:
        assert "Not solved yet" in text, (source, text)
    worked = [text for source, text in outputs(node) if source.startswith("display(ep.explain(")]
    assert worked and all("output:" in text for text in worked)


def test_html_renderings_are_in_the_outputs(tmp_path: Path) -> None:
    node = execute(build(solutions=True, section_id="matmul"), tmp_path)
    html = [o for c in node.cells if c.cell_type == "code" for o in c.outputs if "text/html" in o.get("data", {})]
    assert any("ep-explain" in o["data"]["text/html"] for o in html)
    assert any("ep-verdict" in o["data"]["text/html"] for o in html)


def test_magic(tmp_path: Path) -> None:
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "id": "m1",
                "metadata": {},
                "execution_count": None,
                "outputs": [],
                "source": "%load_ext einsum_puzzles\n%einsum_explain ij,jk->ik 3x2 2x3",
            },
            {
                "cell_type": "code",
                "id": "m2",
                "metadata": {},
                "execution_count": None,
                "outputs": [],
                "source": "%einsum_explain ij,jk->ik 3x2 4x3",
            },
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    node = execute(notebook, tmp_path)
    texts = [text for _, text in outputs(node)]
    assert "output: (3, 3)" in texts[0]
    assert "error: label 'j' has size 2" in texts[1]


@pytest.mark.skipif("torch" not in installed(), reason="torch is not installed here (pip install torch==2.13.0)")
def test_torch_backend_notebook(tmp_path: Path) -> None:
    node = execute(build(solutions=True, backend="torch", section_id="matmul"), tmp_path)
    checks = [text for source, text in outputs(node) if "check(" in source.splitlines()[-1]]
    assert checks and all("Correct" in text for text in checks)


def test_cli_writes_and_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "course.ipynb"
    assert main(["notebook", "-o", str(target)]) == 0
    nbformat.validate(nbformat.read(target, as_version=4))
    assert main(["notebook", "-o", str(target)]) == 2
    assert "add --force" in capsys.readouterr().err
    assert main(["notebook", "-o", str(target), "--force", "--section", "identity"]) == 0
    assert main(["notebook", "-o", str(tmp_path / "x.ipynb"), "--section", "nope"]) == 2
    assert main(["notebook", "-o", str(tmp_path / "y.ipynb"), "--backend", "fortran"]) == 2


def test_every_question_is_in_its_lessons_part_of_the_notebook() -> None:
    from markdown_it import MarkdownIt

    from einsum_puzzles.curriculum import sections

    cells = ["".join(cell["source"]) for cell in build()["cells"] if cell["cell_type"] == "markdown"]
    blocks = [cell for cell in cells if cell.startswith("### Check your understanding")]
    course = [s for s in sections() if s.questions or s.shape_questions]
    assert len(blocks) == len(course)
    for section, block in zip(course, blocks):
        html = MarkdownIt("commonmark").render(block)
        expected = [q.id for q in section.questions] + [q.id for q in section.shape_questions]
        assert [f"<strong>{i}.</strong>" in html for i in expected] == [True] * len(expected)
        assert "<em>" not in html and "<a " not in html  # no stray Markdown in the questions' prose
        for q in section.questions:
            assert q.answer in block
