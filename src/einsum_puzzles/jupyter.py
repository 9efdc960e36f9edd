"""Helpers for notebooks: a ``check`` that records progress and accepts functions, and IPython magics.

from einsum_puzzles.jupyter import check
check(21, "ij,jk->ik")        # shows the Verdict (HTML in Jupyter, text elsewhere)
check(31, head)               # code puzzles: pass your function; its source is checked sandboxed

%load_ext einsum_puzzles
%einsum_explain ij,jk->ik 3x2 2x3
%einsum_translate np.sum(a * b, axis=0)               # operands: the notebook's arrays a and b
%einsum_translate a @ b.T -- a=2x3 b=4x3              # or shapes after --
"""

from __future__ import annotations

import inspect
import textwrap
from typing import Any

from .grading import Verdict
from .grading import check as grade

BACKEND = "numpy"
"""The backend the notebook's checks use (the generated notebook sets it in its setup cell)."""


def check(n: int, answer: Any, backend: str | None = None) -> Verdict:
    """Grade an answer like ``ep.check`` and record it in the learner's progress store.

    A function (``check(31, head)``) is graded from its source, in the same sandbox as a file."""
    verdict = grade(n, answer, backend=backend or BACKEND)
    if verdict.kind != "unsolved":
        try:
            from .progress import Progress, ProgressError

            with Progress() as progress:
                progress.record(n, verdict.answer, verdict.kind, verdict.correct)
        except (ProgressError, OSError) as error:  # the verdict matters more than the record
            print(f"(progress not saved: {error})")
    return verdict


def function_source(function: Any) -> str:
    """The source of a function defined in a notebook cell, with numpy imported as the cell expects."""
    try:
        source = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):
        return ""
    if "import numpy as np" not in source:
        source = "import numpy as np\n\n" + source
    return source


def explain_magic(line: str) -> Any:
    """``%einsum_explain SUBSCRIPT SHAPE...``: the explanation, rendered by the notebook."""
    from .errors import EinsumError
    from .explainer import explain
    from .shapes import ShapeSyntaxError, parse_shape

    parts = line.split()
    if not parts:
        print("usage: %einsum_explain SUBSCRIPT SHAPE...   e.g. %einsum_explain ij,jk->ik 3x2 2x3")
        return None
    try:
        return explain(parts[0], *(parse_shape(p) for p in parts[1:]))
    except (EinsumError, ShapeSyntaxError) as error:
        print(f"error: {error}")
        return None


def translate_magic(line: str, cell: str | None = None, namespace: dict[str, Any] | None = None) -> Any:
    """``%einsum_translate CODE [-- NAME=SHAPE...]`` (or ``%%einsum_translate [NAME=SHAPE...]`` over a cell of
    code): the einsum that computes the code. Operands without a shape are the notebook's own arrays."""
    import ast

    from .find import MissingShape, TranslateError, translate
    from .shapes import ShapeSyntaxError, parse_shape

    if cell is not None:
        code, shape_text = cell, line
    else:
        code, _, shape_text = line.partition(" -- ")
    if not code.strip():
        print("usage: %einsum_translate CODE [-- NAME=SHAPE...]   e.g. %einsum_translate a @ b -- a=2x3 b=3x4")
        return None
    operands: dict[str, Any] = {}
    try:
        for part in shape_text.split():
            name, sep, shape = part.partition("=")
            if not sep or not name.isidentifier():
                print(f"error: cannot read {part!r}: write NAME=SHAPE, e.g. a=2x3")
                return None
            operands[name] = parse_shape(shape)
        try:
            used = {node.id for node in ast.walk(ast.parse(code.strip())) if isinstance(node, ast.Name)}
        except SyntaxError:
            used = set()
        for name in sorted(used - set(operands)):
            value = (namespace or {}).get(name)
            if isinstance(getattr(value, "shape", None), tuple) and hasattr(value, "dtype"):
                operands[name] = value
        return translate(code, **operands)
    except MissingShape as error:
        value = (namespace or {}).get(error.name)
        where = "on the %%einsum_translate line" if cell is not None else "after --"
        shapes = " ".join([*shape_text.split(), f"{error.name}=2x3"])
        example = (
            f"%%einsum_translate {shapes}" if cell is not None else f"%einsum_translate {code.strip()} -- {shapes}"
        )
        if value is not None:
            how = (
                f"{error.name} in this notebook is a {type(value).__name__}, not a numpy array: make it one with "
                f"np.asarray, or give its shape {where}: {example}"
            )
        else:
            how = f"define the array {error.name} in the notebook, or give its shape {where}: {example}"
        print(f"error: {error.reworded(how)}")
        return None
    except (TranslateError, ShapeSyntaxError) as error:
        print(f"error: {error}")
        return None


def load_ipython_extension(ipython: Any) -> None:
    ipython.register_magic_function(explain_magic, magic_kind="line", magic_name="einsum_explain")

    def einsum_translate(line: str, cell: str | None = None) -> Any:
        return translate_magic(line, cell, ipython.user_ns)

    ipython.register_magic_function(einsum_translate, magic_kind="line_cell", magic_name="einsum_translate")
