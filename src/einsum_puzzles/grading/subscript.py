"""Checking a subscript answer: validate, compare on the shown inputs and on fresh draws, diagnose.

The answer is right when, on the shown inputs and on every fresh draw (new sizes for every
dimension, each different from the others, and new values), it gives exactly the expected shape and
the expected values. Draws are seeded per puzzle, so a verdict is reproducible.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..contraction import Contraction, bind
from ..curriculum.model import Puzzle
from ..draws import Draws
from ..errors import EinsumError
from .verdict import Verdict

FRESH_TRIALS = 4
PLACEHOLDER = re.compile(r"your[\s_-]*answer|^\s*(\?+|todo|\.\.\.\?)\s*$", re.IGNORECASE)

Evaluator = Callable[..., Any]


def is_placeholder(answer: object) -> bool:
    if answer is None:
        return True
    if not isinstance(answer, str):
        return False
    return not answer.strip() or bool(PLACEHOLDER.search(answer))


def trial_inputs(puzzle: Puzzle, trials: int = FRESH_TRIALS) -> list[tuple[Any, ...]]:
    """The shown inputs, then ``trials`` fresh draws (seeded by the puzzle number)."""
    return [inputs for inputs, _ in _trials(puzzle, trials)]


_TRIALS: dict[tuple[int, int], tuple[Puzzle, tuple[tuple[tuple[Any, ...], Any], ...]]] = {}


def _trials(puzzle: Puzzle, trials: int) -> tuple[tuple[tuple[Any, ...], Any], ...]:
    """(inputs, expected) for the shown example and each fresh draw, computed once per puzzle."""
    key = (id(puzzle), trials)
    cached = _TRIALS.get(key)
    if cached is not None and cached[0] is puzzle:
        return cached[1]
    data = _make_trials(puzzle, trials)
    _TRIALS[key] = (puzzle, data)
    return data


def _make_trials(puzzle: Puzzle, trials: int) -> tuple[tuple[tuple[Any, ...], Any], ...]:
    rng = Draws(f"einsum-puzzles/check/{puzzle.id}")
    sets = [puzzle.inputs(), *(puzzle.inputs(rng) for _ in range(trials))]
    result = []
    for inputs in sets:
        for array in inputs:
            if isinstance(array, np.ndarray):
                array.setflags(write=False)
        expected = np.asarray(puzzle.expected(*inputs))
        expected.setflags(write=False)
        result.append((tuple(inputs), expected))
    return tuple(result)


def unsolved(puzzle: Puzzle, answer: str) -> Verdict:
    # Name what the learner sees: an empty answer (terminal, web), or the notebook's placeholder text.
    what = f"replace {answer.strip()!r} with a subscript" if answer.strip() else "the answer is empty: give a subscript"
    return Verdict(puzzle.id, answer, "unsolved", f"not solved yet: {what} for {puzzle.call}.")


def check_subscript(
    puzzle: Puzzle, answer: str, evaluate: Evaluator, trials: int = FRESH_TRIALS, backend: str = "numpy"
) -> Verdict:
    if is_placeholder(answer):
        return unsolved(puzzle, answer if isinstance(answer, str) else "")
    if not isinstance(answer, str):
        return Verdict(
            puzzle.id, repr(answer), "syntax", f"an answer is a subscript string such as 'ij,jk->ik', not {answer!r}"
        )
    if "\0" in answer:
        return Verdict(puzzle.id, answer.replace("\0", "?"), "syntax", "the answer contains a NUL character; remove it")
    shown_shapes = puzzle.argument_shapes()
    try:
        learner = bind(answer, *shown_shapes)
    except EinsumError as error:
        return Verdict(puzzle.id, answer, error.kind, str(error))

    if puzzle.implicit_only and learner.subscript.explicit:
        return Verdict(
            puzzle.id,
            answer,
            "rules",
            "this puzzle asks for a subscript without an arrow: remove '->' and the output, and choose letters "
            "so that the sorted output comes out in the order you need.",
        )
    all_trials = _trials(puzzle, trials)
    for number, (inputs, expected) in enumerate(all_trials):
        arguments = puzzle.einsum_arguments(inputs)
        try:
            bind(answer, *(np.shape(a) for a in arguments))
        except EinsumError as error:
            return _fails_on_fresh(puzzle, answer, error, [np.shape(a) for a in arguments], _explain(puzzle, answer))
        try:
            got = np.asarray(evaluate(answer, *arguments))
        except Exception as error:  # the backend's own failure, reported as such, never as a traceback
            return Verdict(
                puzzle.id,
                answer,
                "error",
                f"the einsum backend could not compute {answer!r}: {type(error).__name__}: {error}",
            )
        if got.shape == expected.shape and _close(got, expected):
            continue
        if backend != "numpy":
            reference = np.asarray(np.einsum(answer, *arguments))
            if reference.shape == expected.shape and _close(reference, expected):
                return _library_differs(puzzle, answer, backend, got, reference, number)
        return _wrong(puzzle, answer, learner, got, expected, number, _explain(puzzle, answer))
    return Verdict(
        puzzle.id,
        answer,
        "correct",
        f"{answer!r} gives the expected result on the shown inputs and on {len(all_trials) - 1} fresh draws "
        "with other sizes and values.",
        expected_shape=tuple(np.shape(all_trials[0][1])),
        got_shape=learner.output_shape,
        trials=len(all_trials),
    )


def _library_differs(
    puzzle: Puzzle, answer: str, backend: str, got: np.ndarray, reference: np.ndarray, trial: int
) -> Verdict:
    from ..backends import notes

    known = notes(backend)
    what = f"shape {got.shape}" if got.shape != reference.shape else "other values"
    message = (
        f"{answer!r} is right: numpy's einsum gives the target. But {backend} computes this subscript "
        f"differently (it returns {what}): that is the library's behaviour, not your mistake."
    )
    if known:
        message += " Known differences of " + backend + ": " + "; ".join(known) + "."
    return Verdict(
        puzzle.id, answer, "correct", message, expected_shape=reference.shape, got_shape=got.shape, trials=trial + 1
    )


def _explain(puzzle: Puzzle, answer: str) -> Any:
    from ..explainer import explain

    return explain(answer, *puzzle.argument_shapes(), names=puzzle.argument_names)


def _close(got: np.ndarray, expected: np.ndarray) -> bool:
    if got.dtype.kind not in "biufc" or expected.dtype.kind not in "biufc":
        return bool(np.array_equal(got, expected))
    # 32-bit results (mlx, and torch/jax on float32 inputs) get a tolerance to match their precision.
    single = got.dtype.itemsize <= 4 and got.dtype.kind in "fc"
    rtol, atol = (1e-4, 1e-5) if single else (1e-7, 1e-9)
    return bool(np.allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True))


def _permutation(got: np.ndarray, expected: np.ndarray) -> tuple[int, ...] | None:
    """An axis order that turns ``got`` into ``expected``, other than the identity."""
    if got.ndim != expected.ndim or sorted(got.shape) != sorted(expected.shape) or got.ndim > 7:
        return None
    for perm in itertools.permutations(range(got.ndim)):
        if perm == tuple(range(got.ndim)):
            continue
        if tuple(got.shape[p] for p in perm) == expected.shape and _close(np.transpose(got, perm), expected):
            return perm
    return None


def _wrong(
    puzzle: Puzzle,
    answer: str,
    learner: Contraction,
    got: np.ndarray,
    expected: np.ndarray,
    trial: int,
    explanation: Any,
) -> Verdict:
    names = puzzle.argument_names
    shapes = puzzle.argument_shapes()
    references = []
    for solution in puzzle.solutions:
        try:
            references.append(bind(solution, *shapes))
        except EinsumError:  # a reference that needs other shapes cannot be aligned here
            continue
    from .diagnose import best_diagnosis

    diagnosis = best_diagnosis(learner, references, names) if references else None
    where = "on the shown inputs" if trial == 0 else f"on fresh inputs (draw {trial}, with other sizes)"
    details = ["What your subscript computes:", explanation.diagram]
    implicit_note = ""
    if not learner.subscript.explicit:
        implicit_note = (
            f" Note: without an arrow the output letters are sorted, so your subscript means "
            f"'{learner.subscript.canonical()}'."
        )
    perm = _permutation(got, expected)
    if perm is not None:
        fix = ""
        if diagnosis is not None and diagnosis.order_hint is not None:
            fix = f": write the output as '->{diagnosis.order_hint}'"
        message = (
            f"your output is the expected one with its axes in another order (apply np.transpose(out, {perm}) "
            f"to get the target){fix}.{implicit_note}"
        )
        return Verdict(
            puzzle.id, answer, "order", message, tuple(details), expected.shape, got.shape, trial + 1, explanation
        )
    problems = diagnosis.problems if diagnosis is not None else []
    if got.shape != expected.shape:
        lead = f"your output has shape {got.shape} but the target has shape {expected.shape} ({where})"
        kind = "shape"
    else:
        index = _first_difference(got, expected)
        lead = (
            f"the shape {got.shape} is right but the values are not ({where}): at index {index} you get "
            f"{_fmt(got[index])}, the target is {_fmt(expected[index])}"
        )
        kind = "values"
    message = lead + (". In your subscript, " + " Also, ".join(problems) if problems else ".") + implicit_note
    return Verdict(puzzle.id, answer, kind, message, tuple(details), expected.shape, got.shape, trial + 1, explanation)


def _fails_on_fresh(
    puzzle: Puzzle, answer: str, error: EinsumError, shapes: Sequence[tuple[int, ...]], explanation: Any
) -> Verdict:
    message = (
        f"your subscript works on the shown shapes only by coincidence: with shapes {tuple(shapes)} it fails "
        f"({error.message}). Letters that tie axes together must name axes that always have the same size."
    )
    return Verdict(
        puzzle.id,
        answer,
        "shape",
        message,
        ("What your subscript computes:", explanation.diagram),
        explanation=explanation,
    )


def _first_difference(got: np.ndarray, expected: np.ndarray) -> tuple[int, ...]:
    if got.ndim == 0:
        return ()
    bad = ~np.isclose(got, expected, rtol=1e-7, atol=1e-9, equal_nan=True)
    return tuple(int(i) for i in np.argwhere(bad)[0])


def _fmt(value: Any) -> str:
    number = np.asarray(value).item()
    if isinstance(number, float):
        return f"{number:.6g}"
    return str(number)
