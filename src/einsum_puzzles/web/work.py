"""How much arithmetic an answer would cost the server, before it is graded.

The grader evaluates an answer on the shown inputs and on every fresh draw (other sizes), so the cost
of an answer is its largest multiply-add count over all of them: the product of the sizes of every
label of the subscript (numpy's default ``optimize=False`` loops over all of them at once). For the
code-puzzle templates every step counts, with the shapes the learner's own earlier steps produce.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..contraction import bind
from ..curriculum.model import Puzzle
from ..errors import EinsumError
from ..grading.steps import step_specs
from ..grading.subscript import FRESH_TRIALS, trial_inputs


def subscript_work(subscript: str, shapes: list[tuple[int, ...]]) -> int:
    """Multiply-adds of one einsum call (0 when the subscript does not fit the shapes: no work is done)."""
    try:
        contraction = bind(subscript, *shapes)
    except (EinsumError, ValueError):
        return 0
    return math.prod(contraction.sizes.values())


def _trial_shapes(puzzle: Puzzle, trials: int) -> list[dict[str, tuple[int, ...]]]:
    return [
        {name: tuple(np.shape(value)) for name, value in zip(puzzle.input_names, inputs)}
        for inputs in trial_inputs(puzzle, trials)
    ]


def answer_work(puzzle: Puzzle, answer: str) -> int:
    """The most multiply-adds ``answer`` costs on the shown inputs or on any fresh draw."""
    most = 0
    for inputs in trial_inputs(puzzle, FRESH_TRIALS):
        arguments: Any = puzzle.einsum_arguments(inputs)
        most = max(most, subscript_work(answer, [tuple(np.shape(a)) for a in arguments]))
    return most


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
