"""Code puzzles as a structured template: the learner gives the subscript of each einsum step, the
server runs fixed glue code around them (scaling, mask, softmax). Only subscripts are evaluated, so
this is how the web app checks puzzles 31 and 32 without running learner code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..contraction import bind
from ..curriculum.model import Puzzle
from ..curriculum.reference import softmax
from ..errors import EinsumError
from .subscript import _close, _first_difference, _fmt, _permutation, _trials
from .verdict import Verdict


@dataclass(frozen=True)
class StepSpec:
    name: str
    operands: tuple[str, ...]
    """Names of the values the step combines: puzzle inputs or earlier steps."""
    reference: str
    """A subscript that is right (the reference solution's)."""
    description: str


ATTENTION_STEPS: dict[int, tuple[StepSpec, ...]] = {
    31: (
        StepSpec("q", ("x", "w_q"), "bld,dk->blk", "queries: project x with w_q, shape (b, l, k)"),
        StepSpec("k", ("x", "w_k"), "bld,dk->blk", "keys: project x with w_k, shape (b, l, k)"),
        StepSpec("v", ("x", "w_v"), "bld,dk->blk", "values: project x with w_v, shape (b, l, k)"),
        StepSpec("scores", ("q", "k"), "blk,bmk->blm", "every query against every key, shape (b, l, l)"),
        StepSpec("out", ("weights", "v"), "blm,bmk->blk", "the values mixed by the weights, shape (b, l, k)"),
    ),
    32: (
        StepSpec("q", ("x", "w_q"), "bld,dhk->blhk", "queries per head, shape (b, l, h, k)"),
        StepSpec("k", ("x", "w_k"), "bld,dhk->blhk", "keys per head, shape (b, l, h, k)"),
        StepSpec("v", ("x", "w_v"), "bld,dhk->blhk", "values per head, shape (b, l, h, k)"),
        StepSpec("scores", ("q", "k"), "blhk,bmhk->bhlm", "per head, queries against keys, shape (b, h, l, l)"),
        StepSpec("mixed", ("weights", "v"), "bhlm,bmhk->blhk", "per head, values mixed by weights, shape (b, l, h, k)"),
        StepSpec("out", ("mixed", "w_o"), "blhk,hkd->bld", "back to the model width, summing heads, shape (b, l, d)"),
    ),
}


def step_specs(puzzle: Puzzle) -> tuple[StepSpec, ...]:
    return ATTENTION_STEPS.get(puzzle.id, ())


def run_steps(
    puzzle: Puzzle, subscripts: Mapping[str, str], inputs: tuple[Any, ...], evaluate: Callable[..., Any]
) -> dict[str, Any]:
    """Every intermediate value, computed with the learner's subscripts and the fixed glue."""
    values: dict[str, Any] = dict(zip(puzzle.input_names, inputs))
    for spec in step_specs(puzzle):
        values[spec.name] = np.asarray(evaluate(subscripts[spec.name], *(values[o] for o in spec.operands)))
        if spec.name == "scores":
            head_width = values["q"].shape[-1]
            values["weights"] = softmax(values["scores"] / np.sqrt(head_width) + values["mask"], axis=-1)
    return values


def check_steps(puzzle: Puzzle, subscripts: Mapping[str, str], evaluate: Callable[..., Any]) -> Verdict:
    specs = step_specs(puzzle)
    answer = "; ".join(f"{s.name}: {subscripts.get(s.name, '')}" for s in specs)
    missing = [s.name for s in specs if not str(subscripts.get(s.name, "")).strip()]
    if len(missing) == len(specs):
        return Verdict(puzzle.id, answer, "unsolved", "not solved yet: fill in the subscript of each step.")
    if missing:
        return Verdict(puzzle.id, answer, "unsolved", f"not solved yet: fill in the steps {', '.join(missing)}.")
    trials = _trials(puzzle, 2)
    reference = run_steps(puzzle, {s.name: s.reference for s in specs}, trials[0][0], np.einsum)
    for spec in specs:
        shapes = [np.shape(reference[o]) for o in spec.operands]
        try:
            bind(subscripts[spec.name], *shapes)
        except EinsumError as error:
            return Verdict(puzzle.id, answer, error.kind, f"step '{spec.name}' ({', '.join(spec.operands)}): {error}")
    for number, (inputs, expected) in enumerate(trials):
        reference = run_steps(puzzle, {s.name: s.reference for s in specs}, inputs, np.einsum)
        try:
            got = run_steps(puzzle, subscripts, inputs, evaluate)
        except (EinsumError, ValueError) as error:
            return Verdict(puzzle.id, answer, "shape", f"the steps do not fit together: {error}")
        for spec in specs:
            mine, theirs = got[spec.name], reference[spec.name]
            if mine.shape == theirs.shape and _close(mine, theirs):
                continue
            where = "on the shown inputs" if number == 0 else "on fresh inputs with other sizes"
            if _permutation(mine, theirs) is not None:
                kind, detail = "order", f"has the right values with its axes in another order {where}"
            elif mine.shape != theirs.shape:
                kind, detail = "shape", f"has shape {mine.shape}, but the next steps need {theirs.shape} {where}"
            else:
                index = _first_difference(mine, theirs)
                kind = "values"
                detail = f"has wrong values {where} (at {index}: {_fmt(mine[index])} instead of {_fmt(theirs[index])})"
            return Verdict(
                puzzle.id, answer, kind, f"step '{spec.name}' ({spec.description}) {detail}.", trials=number + 1
            )
        if not _close(np.asarray(got["out"]), np.asarray(expected)):
            return Verdict(puzzle.id, answer, "values", "the result differs from the target.", trials=number + 1)
    return Verdict(
        puzzle.id,
        answer,
        "correct",
        f"every step is right, on the shown inputs and on {len(trials) - 1} fresh draws.",
        trials=len(trials),
    )
