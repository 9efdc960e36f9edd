"""The course as a Jupyter/Colab notebook (nbformat 4.5), generated from the curriculum.

A setup cell (imports; where the package is missing, as in Colab, it installs it from a wheel), then
per section: the lesson as Markdown with each worked example as a runnable cell showing the explainer,
each puzzle as a code cell with the answer placeholder (or the solution) and a ``check`` call, and the
section's questions. The cheatsheet closes the notebook. Written as plain JSON: no notebook library
is needed to make one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .curriculum import cheatsheet, sections
from .curriculum.model import Puzzle, Section, shape_text

PLACEHOLDER = "<YOUR_ANSWER_HERE>"
NBFORMAT, NBFORMAT_MINOR = 4, 5


class _Builder:
    def __init__(self) -> None:
        self.cells: list[dict[str, Any]] = []

    def _id(self) -> str:
        return f"cell-{len(self.cells) + 1:04d}"

    def markdown(self, text: str) -> None:
        self.cells.append({"cell_type": "markdown", "id": self._id(), "metadata": {}, "source": text.strip()})

    def code(self, source: str) -> None:
        self.cells.append(
            {
                "cell_type": "code",
                "id": self._id(),
                "metadata": {},
                "execution_count": None,
                "outputs": [],
                "source": source.strip(),
            }
        )


WHEEL = "einsum_puzzles-{version}-py3-none-any.whl"
"""The file name of the package's wheel (``make wheel`` writes it to dist/)."""


def wheel_name() -> str:
    from . import __version__

    return WHEEL.format(version=__version__)


SETUP = """\
# Setup. This notebook needs the einsum-puzzles package in its kernel. When it is missing (in Colab,
# for example), this cell installs it with pip from SOURCE: the wheel file next to this notebook
# ('make wheel' in a clone of einsum-puzzles builds dist/{wheel}:
# upload it with the notebook, in Colab to the Files panel), or any path or URL pip accepts
# (set SOURCE below, or the EINSUM_PUZZLES_SOURCE environment variable).
import importlib.util
import os
import subprocess
import sys

SOURCE = os.environ.get("EINSUM_PUZZLES_SOURCE", {source!r})

if importlib.util.find_spec("einsum_puzzles") is None:
    if "://" not in SOURCE and not os.path.exists(SOURCE):
        raise SystemExit(
            f"einsum-puzzles is not installed in this kernel, and there is no file {{os.path.abspath(SOURCE)}}. "
            "Upload the wheel (make wheel writes it to dist/) next to this notebook, or set SOURCE to its path "
            "or URL, then run this cell again."
        )
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "-q", SOURCE], check=False)
    if installed.returncode != 0:
        raise SystemExit(f"pip could not install einsum-puzzles from {{SOURCE}} (its message is above).")
    importlib.invalidate_caches()

import numpy as np

import einsum_puzzles as ep
from einsum_puzzles import jupyter
from einsum_puzzles.jupyter import check

jupyter.BACKEND = {backend!r}
"""


def build(
    solutions: bool = False, backend: str = "numpy", section_id: str | None = None, source: str | None = None
) -> dict[str, Any]:
    """The notebook as a JSON-ready dict; ``source``: where its setup cell installs the package from when the
    kernel lacks it (default: the wheel's file name, next to the notebook)."""
    chosen = [s for s in sections() if section_id is None or s.id == section_id]
    if not chosen:
        known = ", ".join(s.id for s in sections())
        raise LookupError(f"no section {section_id!r}; the sections are: {known}")
    nb = _Builder()
    nb.markdown(
        "# einsum puzzles\n\n"
        "Learn numpy's `einsum` one idea at a time. Each puzzle cell holds an answer: replace "
        f"`{PLACEHOLDER}` with your subscript and run the cell. `check` compares your answer with the target "
        "on the example shown and on fresh inputs with other sizes, and tells you what is wrong in your own "
        "letters. Your progress is saved (the same progress as the `einsum-puzzles` command)."
    )
    nb.code(SETUP.format(backend=backend, wheel=wheel_name(), source=source or wheel_name()))
    for sec in chosen:
        _section(nb, sec, solutions)
    if section_id is None:
        _cheatsheet(nb)
    return {
        "cells": nb.cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": NBFORMAT,
        "nbformat_minor": NBFORMAT_MINOR,
    }


def _section(nb: _Builder, sec: Section, solutions: bool) -> None:
    for block in _lesson_blocks(sec.lesson):
        if block.startswith("```einsum"):
            lines = [line for line in block.splitlines()[1:-1] if line.strip()]
            nb.code("\n".join(_example_call(line) for line in lines))
        else:
            nb.markdown(block)
    for p in sec.puzzles:
        _puzzle(nb, p, solutions)
    if sec.questions or sec.shape_questions:
        lines = ["### Check your understanding", ""]
        for q in sec.questions:
            lines += [
                f"**{q.id}.** {q.text}",
                "",
                f"<details><summary>Answer</summary>\n\n{q.answer}\n\n</details>",
                "",
            ]
        for sq in sec.shape_questions:
            lines += [
                f"**{sq.id}.** {sq.text}",
                "",
                f"<details><summary>Answer</summary>\n\n{sq.answer}: {sq.why}.\n\n</details>",
                "",
            ]
        nb.markdown("\n".join(lines))


def _lesson_blocks(markdown: str) -> Iterable[str]:
    """Split a lesson into Markdown runs and ```einsum blocks, in order."""
    current: list[str] = []
    inside = False
    for line in markdown.splitlines():
        if line.strip() == "```einsum":
            if current:
                yield "\n".join(current)
            current, inside = [line], True
            continue
        if inside and line.strip().startswith("```"):
            current.append(line)
            yield "\n".join(current)
            current, inside = [], False
            continue
        current.append(line)
    if "\n".join(current).strip():
        yield "\n".join(current)


def _example_call(line: str) -> str:
    from .curriculum import parse_example

    subscript, shapes = parse_example(line)
    args = ", ".join(repr(shape) for shape in shapes)
    return f"display(ep.explain({subscript!r}, {args}))  # shapes {shape_text(shapes)}"


def _puzzle(nb: _Builder, p: Puzzle, solutions: bool) -> None:
    text = [f"### Puzzle {p.id}: {p.title}", "", p.prompt]
    if p.note:
        text += ["", f"*{p.note}*"]
    nb.markdown("\n".join(text))
    names = ", ".join(p.input_names)
    if p.kind == "code":
        source = p.solutions[0] if solutions else p.starter
        body = source.replace("import numpy as np\n\n\n", "").replace("import numpy as np\n\n", "")
        nb.code(
            f"{_targets(p.input_names)} = ep.puzzle({p.id}).inputs()\n\n"
            f"{body.rstrip()}\n\n\n"
            f"# {p.function_name}({names}) runs your function on the example above\n"
            f"check({p.id}, {p.function_name})"
        )
        return
    answer = p.solutions[0] if solutions else PLACEHOLDER
    arguments = ", ".join(p.input_names[i] for i in p.argument_indices)
    nb.code(
        f"{_targets(p.input_names)} = ep.puzzle({p.id}).inputs()\n"
        f"answer = {answer!r}\n"
        f"# when it is right, np.einsum(answer, {arguments}) gives shape {p.target_shape}\n"
        f"check({p.id}, answer)"
    )


def _targets(names: tuple[str, ...]) -> str:
    return f"({names[0]},)" if len(names) == 1 else ", ".join(names)


CHEATSHEET_CELL = """\
from einsum_puzzles.curriculum import cheatsheet

rng = np.random.default_rng(0)  # one stream: every operand differs, so x * x cannot pass for x * y
wrong = []
for entry in cheatsheet():
    operands = [rng.standard_normal(shape) for shape in entry.shapes]
    scope = {'np': np, **dict(zip('xyz', operands))}
    result, claimed = np.einsum(entry.subscript, *operands), eval(entry.numpy, scope)
    same = np.shape(result) == np.shape(claimed) and np.allclose(result, claimed)
    print(f"{entry.subscript:22} {entry.numpy:55} {'ok' if same else 'DIFFERENT'}")
    if not same:
        wrong.append(entry.subscript)
assert not wrong, f'these cheatsheet lines are wrong: {wrong}'
"""


def _cheatsheet(nb: _Builder) -> None:
    rows = ["## Cheatsheet", "", "| einsum | numpy | what |", "|---|---|---|"]
    for e in cheatsheet():
        rows.append(f"| `{e.subscript}` | `{e.numpy}` | {e.name} |")
    rows += ["", "The operands are x, y, z in order. The next cell checks every line."]
    nb.markdown("\n".join(rows))
    nb.code(CHEATSHEET_CELL)


def dumps(notebook: dict[str, Any]) -> str:
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
