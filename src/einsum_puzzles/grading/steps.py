"""Code puzzles as a structured template: the learner gives the subscript of each einsum step, the
server runs fixed glue code around them (scaling, mask, softmax). Only subscripts are evaluated, so
this is how the web app checks puzzles 31 and 32 without running learner code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
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
    for _ in _steps(puzzle, subscripts, values, evaluate):
        pass
    return values


def _steps(
    puzzle: Puzzle, subscripts: Mapping[str, str], values: dict[str, Any], evaluate: Callable[..., Any]
) -> Iterator[StepSpec]:
    """Each step, once its value is in ``values`` (a wrong step is seen before the next one fails on it)."""
    for spec in step_specs(puzzle):
        values[spec.name] = np.asarray(evaluate(subscripts[spec.name], *(values[o] for o in spec.operands)))
        yield spec
        if spec.name == "scores":
            head_width = values["q"].shape[-1]
            values["weights"] = softmax(values["scores"] / np.sqrt(head_width) + values["mask"], axis=-1)


def check_steps(
    puzzle: Puzzle, subscripts: Mapping[str, str], evaluate: Callable[..., Any], advise: bool = True
) -> Verdict:
    """Grade the subscripts of a code puzzle's steps. ``advise=False`` skips checking a proposed fix."""
    return _check_steps(puzzle, subscripts, evaluate, advise)[0]


def _order_fix(
    puzzle: Puzzle,
    subscripts: Mapping[str, str],
    spec: StepSpec,
    shapes: Sequence[tuple[int, ...]],
    permutation: Sequence[int],
    evaluate: Callable[..., Any],
) -> str | None:
    """The step's subscript with its output letters in the order that gives the right values, when the
    grader then finds this step right (``permutation``: the np.transpose that turns its output into the target)."""
    try:
        contraction = bind(subscripts[spec.name], *shapes)
    except EinsumError:
        return None
    sub = contraction.subscript
    if sub.has_ellipsis:
        return None
    out = contraction.output_labels
    fixed = ",".join(term.text() for term in sub.inputs) + "->" + "".join(out[p] for p in permutation)
    _, failed = _check_steps(puzzle, {**subscripts, spec.name: fixed}, evaluate, advise=False)
    names = [s.name for s in step_specs(puzzle)]
    if failed is not None and names.index(failed) <= names.index(spec.name):
        return None  # this step (or an earlier one) is still wrong
    return fixed


def _check_steps(
    puzzle: Puzzle, subscripts: Mapping[str, str], evaluate: Callable[..., Any], advise: bool
) -> tuple[Verdict, str | None]:
    """The verdict, and the name of the first step found wrong (None when no step is)."""
    specs = step_specs(puzzle)
    answer = "; ".join(f"{s.name}: {subscripts.get(s.name, '')}" for s in specs)
    missing = [s.name for s in specs if not str(subscripts.get(s.name, "")).strip()]
    if len(missing) == len(specs):
        return Verdict(puzzle.id, answer, "unsolved", "not solved yet: fill in the subscript of each step."), None
    if missing:
        message = f"not solved yet: fill in the steps {', '.join(missing)}."
        return Verdict(puzzle.id, answer, "unsolved", message), missing[0]
    trials = _trials(puzzle, 2)
    reference = run_steps(puzzle, {s.name: s.reference for s in specs}, trials[0][0], np.einsum)
    for spec in specs:
        shapes = [np.shape(reference[o]) for o in spec.operands]
        try:
            bind(subscripts[spec.name], *shapes)
        except EinsumError as error:
            message = f"step '{spec.name}' ({', '.join(spec.operands)}): {error}"
            return Verdict(puzzle.id, answer, error.kind, message), spec.name
    for number, (inputs, expected) in enumerate(trials):
        reference = run_steps(puzzle, {s.name: s.reference for s in specs}, inputs, np.einsum)
        got: dict[str, Any] = dict(zip(puzzle.input_names, inputs))
        steps = _steps(puzzle, subscripts, got, evaluate)
        for failing in specs:
            try:
                spec = next(steps)
            except (EinsumError, ValueError) as error:
                return Verdict(puzzle.id, answer, "shape", f"the steps do not fit together: {error}"), failing.name
            mine, theirs = got[spec.name], reference[spec.name]
            if mine.shape == theirs.shape and _close(mine, theirs):
                continue
            where = "on the shown inputs" if number == 0 else "on fresh inputs with other sizes"
            permutation = _permutation(mine, theirs)
            if permutation is not None:
                kind, detail = "order", f"has the right values with its axes in another order {where}"
                shapes = [np.shape(got[o]) for o in spec.operands]
                fixed = _order_fix(puzzle, subscripts, spec, shapes, permutation, evaluate) if advise else None
                if fixed is not None:
                    detail += f". To fix it: write step '{spec.name}' as '{fixed}' instead of '{subscripts[spec.name]}'"
            elif mine.shape != theirs.shape:
                kind, detail = "shape", f"has shape {mine.shape}, but the next steps need {theirs.shape} {where}"
            else:
                index = _first_difference(mine, theirs)
                kind = "values"
                detail = f"has wrong values {where} (at {index}: {_fmt(mine[index])} instead of {_fmt(theirs[index])})"
            message = f"step '{spec.name}' ({spec.description}) {detail}."
            return Verdict(puzzle.id, answer, kind, message, trials=number + 1), spec.name
        if not _close(np.asarray(got["out"]), np.asarray(expected)):
            verdict = Verdict(puzzle.id, answer, "values", "the result differs from the target.", trials=number + 1)
            return verdict, specs[-1].name
    message = f"every step is right, on the shown inputs and on {len(trials) - 1} fresh draws."
    return Verdict(puzzle.id, answer, "correct", message, trials=len(trials)), None
