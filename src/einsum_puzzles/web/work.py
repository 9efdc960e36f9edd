"""How much arithmetic an answer would cost the server, before it is graded.

The grader evaluates an answer on the shown inputs and on every fresh draw (other sizes), so the cost
of an answer is its largest multiply-add count over all of them: the product of the sizes of every
label of the subscript (numpy's default ``optimize=False`` loops over all of them at once). For the
code-puzzle templates every step counts, with the shapes the learner's own earlier steps produce.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

import numpy as np

from ..contraction import MAX_DIMS, bind
from ..curriculum.model import Puzzle
from ..errors import EinsumError
from ..grading.steps import step_specs
from ..grading.subscript import FRESH_TRIALS, trial_inputs


def subscript_work(subscript: str, shapes: list[tuple[int, ...]]) -> int:
    """Multiply-adds of one einsum call (0 when the subscript does not fit the shapes: no work is done)."""
    quick = _plain_work(subscript, shapes)
    if quick is not None:
        return quick
    try:
        contraction = bind(subscript, *shapes)
    except (EinsumError, ValueError):
        return 0
    return math.prod(contraction.sizes.values())


def _plain_work(subscript: str, shapes: list[tuple[int, ...]]) -> int | None:
    """The multiply-adds of a plain subscript (letters only, one letter per axis, no '...', every size of
    a letter equal, a valid output) without binding it: exactly what ``bind`` gives for it. None for any
    other subscript (``bind`` then decides, with numpy's rules for size-1 axes, ellipses and errors)."""
    return _plain_work_all(subscript, [shapes])


def _plain_work_all(subscript: str, shape_sets: Sequence[list[tuple[int, ...]]]) -> int | None:
    """``_plain_work`` over several sets of shapes (the largest), reading the subscript once; None when
    any set is not plain."""
    if not _PLAIN.fullmatch(subscript):
        return None
    inputs, _, output = subscript.partition("->")
    terms = inputs.split(",")
    if len(set(output)) != len(output):
        return None
    most = 0
    for shapes in shape_sets:
        if not shapes or len(terms) != len(shapes):
            return None
        sizes: dict[str, int] = {}
        for term, shape in zip(terms, shapes):
            if len(term) != len(shape):
                return None
            for label, size in zip(term, shape):
                if sizes.setdefault(label, size) != size:
                    return None
        if not set(output) <= sizes.keys() or len(sizes) > MAX_DIMS:
            return None
        most = max(most, math.prod(sizes.values()))
    return most


_PLAIN = re.compile(r"[A-Za-z]+(?:,[A-Za-z]+)*(?:->[A-Za-z]*)?")
_SHAPES: dict[tuple[int, int], tuple[Puzzle, tuple[list[tuple[int, ...]], ...]]] = {}


def _trial_argument_shapes(puzzle: Puzzle, trials: int) -> tuple[list[tuple[int, ...]], ...]:
    """The einsum arguments' shapes on the shown inputs and on each fresh draw, computed once per puzzle."""
    key = (id(puzzle), trials)
    cached = _SHAPES.get(key)
    if cached is not None and cached[0] is puzzle:
        return cached[1]
    found = tuple(
        [tuple(np.shape(a)) for a in puzzle.einsum_arguments(inputs)] for inputs in trial_inputs(puzzle, trials)
    )
    _SHAPES[key] = (puzzle, found)
    return found


def _trial_shapes(puzzle: Puzzle, trials: int) -> list[dict[str, tuple[int, ...]]]:
    return [
        {name: tuple(np.shape(value)) for name, value in zip(puzzle.input_names, inputs)}
        for inputs in trial_inputs(puzzle, trials)
    ]


def answer_work(puzzle: Puzzle, answer: str) -> int:
    """The most multiply-adds ``answer`` costs on the shown inputs or on any fresh draw."""
    shape_sets = _trial_argument_shapes(puzzle, FRESH_TRIALS)
    quick = _plain_work_all(answer, shape_sets)
    if quick is not None:
        return quick
    return max(subscript_work(answer, shapes) for shapes in shape_sets)


def steps_work(puzzle: Puzzle, subscripts: Mapping[str, str], trials: int = 2) -> int:
    """The most multiply-adds one step of the template costs, following the learner's own shapes."""
    specs = step_specs(puzzle)
    most = 0
    for shapes in _trial_shapes(puzzle, trials):
        values: dict[str, tuple[int, ...]] = dict(shapes)
        for spec in specs:
            operands = [values.get(name) for name in spec.operands]
            subscript = str(subscripts.get(spec.name, ""))
            if any(shape is None for shape in operands) or not subscript.strip():
                break
            known = [shape for shape in operands if shape is not None]
            most = max(most, subscript_work(subscript, known))
            try:
                values[spec.name] = bind(subscript, *known).output_shape
            except (EinsumError, ValueError):
                break  # the grader stops here with a verdict: nothing after this step runs
            if spec.name == "scores":
                try:
                    values["weights"] = tuple(np.broadcast_shapes(values["scores"], values.get("mask", ())))
                except ValueError:
                    break
    return most
