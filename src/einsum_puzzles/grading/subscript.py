"""Checking a subscript answer: validate, compare on the shown inputs and on fresh draws, diagnose.

The answer is right when, on the shown inputs and on every fresh draw (new sizes for every
dimension, each different from the others, and new values), it gives exactly the expected shape and
the expected values. Draws are seeded per puzzle, so a verdict is reproducible.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from ..contraction import Contraction, bind
from ..curriculum.model import Puzzle
from ..draws import Draws
from ..errors import EinsumError
from .diagnose import ORDER_REASON, Advice, advise
from .fix import ELLIPSIS, Fix
from .fix import find_fix as search_fix
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
    puzzle: Puzzle,
    answer: str,
    evaluate: Evaluator,
    trials: int = FRESH_TRIALS,
    backend: str = "numpy",
    find_fix: bool = True,
) -> Verdict:
    """Grade a subscript. ``find_fix=False`` skips the search for a fix (used to verify a fix).

    A verdict that names an input passed again (``x_2``) says once, first in its details, what that name is."""
    verdict = _check_subscript(puzzle, answer, evaluate, trials, backend, find_fix)
    note = puzzle.argument_note(verdict.message, *verdict.details)
    if not note:
        return verdict
    return replace(verdict, details=(note, *verdict.details))


def _check_subscript(
    puzzle: Puzzle,
    answer: str,
    evaluate: Evaluator,
    trials: int,
    backend: str,
    find_fix: bool,
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
        if not find_fix:
            return Verdict(puzzle.id, answer, error.kind, str(error))
        return _invalid(puzzle, answer, error)

    if puzzle.implicit_only and learner.subscript.explicit:
        fixed = _find_fix(puzzle, answer) if find_fix else None
        message = (
            "this puzzle asks for a subscript without an arrow: remove '->' and the output, and choose letters "
            "so that the sorted output comes out in the order you need."
        )
        if fixed is not None:
            message += " " + _advice(puzzle, fixed).text()
        return Verdict(puzzle.id, answer, "rules", message, fix=fixed.fix.text if fixed else None)
    all_trials = _trials(puzzle, trials)
    for number, (inputs, expected) in enumerate(all_trials):
        arguments = puzzle.einsum_arguments(inputs)
        shapes = tuple(np.shape(a) for a in arguments)
        if shapes != shown_shapes:
            try:
                bind(answer, *shapes)
            except EinsumError as error:
                return _fails_on_fresh(puzzle, answer, error, list(shapes), _explain(puzzle, learner), find_fix)
        if backend == "numpy" and shapes == shown_shapes and _cannot_match(learner.output_shape, expected.shape):
            # numpy gives the shape bind gives: no axis order of it is the target's, so the values are
            # not needed for the verdict (a wrong shape); a stand-in of that shape, allocating nothing.
            got = np.broadcast_to(np.zeros((), dtype=expected.dtype), learner.output_shape)
            return _wrong(puzzle, answer, learner, got, expected, number, _explain(puzzle, learner), find_fix)
        try:
            got = np.asarray(evaluate(answer, *arguments))
        except Exception as error:  # the backend's own failure, reported as such, never as a traceback
            return Verdict(
                puzzle.id,
                answer,
                "error",
                f"the einsum backend could not compute {answer!r}: {type(error).__name__}: {error}",
            )
        reference = got
        if backend != "numpy":
            reference = np.asarray(np.einsum(answer, *arguments))
        library_right = got.shape == expected.shape and _close(got, expected)
        numpy_right = reference.shape == expected.shape and _close(reference, expected)
        if numpy_right and library_right:
            continue
        if numpy_right:
            return _library_differs(puzzle, answer, backend, got, reference, number)
        verdict = _wrong(puzzle, answer, learner, reference, expected, number, _explain(puzzle, learner), find_fix)
        if library_right:
            # The library's own behaviour turns this wrong subscript into the target: it is still wrong.
            from dataclasses import replace

            verdict = replace(
                verdict,
                message=verdict.message
                + f" ({backend} happens to give the target for this subscript, because it computes it "
                "differently from numpy; numpy's einsum is the reference, so the subscript is wrong.)",
            )
        return verdict
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


_ACCEPTED: dict[tuple[int, str], tuple[Puzzle, bool]] = {}
_ACCEPTED_LIMIT = 4096


def _accepter(puzzle: Puzzle) -> Callable[[str], bool]:
    def accepts(candidate: str) -> bool:
        # A verdict is a pure function of (puzzle, subscript): a candidate is graded once.
        key = (id(puzzle), candidate)
        cached = _ACCEPTED.get(key)
        if cached is not None and cached[0] is puzzle:
            return cached[1]
        accepted = check_subscript(puzzle, candidate, np.einsum, find_fix=False).correct
        if len(_ACCEPTED) >= _ACCEPTED_LIMIT:
            _ACCEPTED.pop(next(iter(_ACCEPTED)))
        _ACCEPTED[key] = (puzzle, accepted)
        return accepted

    return accepts


def _find_fix(puzzle: Puzzle, answer: str, permutation: Sequence[int] | None = None) -> Fix | None:
    return search_fix(puzzle, answer, _accepter(puzzle), permutation)


def _advice(puzzle: Puzzle, fixed: Fix) -> Advice:
    return advise(fixed, puzzle.argument_shapes(), puzzle.argument_names)


def _invalid(puzzle: Puzzle, answer: str, error: EinsumError) -> Verdict:
    """A subscript numpy refuses: the rule it breaks, then (when there is one) how to reach the fix."""
    fixed = _find_fix(puzzle, answer)
    if fixed is None and error.kind in ("syntax", "operand_count"):
        # Text numpy cannot read, or terms that do not match the operands: small repairs of the text.
        from .repair import repair

        fixed = repair(puzzle, answer, _accepter(puzzle))
    message = named(str(error), puzzle.argument_names)
    notes: list[str] = []
    if fixed is not None:
        dropped = error.kind == "output" and "drops the ellipsis" in error.message
        if dropped and not any(ELLIPSIS in term for term in fixed.fix.terms):
            # The generic advice (keep '...') would not reach the target, which sums those axes.
            message = (
                "numpy's einsum cannot sum the axes under '...': it needs '...' in the output whenever an input has it."
            )
        elif fixed.symbols:
            wrong = ", ".join(f"'{w}'" for w, _ in fixed.symbols)
            message = f"{wrong} {'is' if len(fixed.symbols) == 1 else 'are'} not part of einsum's grammar."
        notes.append(_advice(puzzle, fixed).text())
    case = _case_note(answer)
    if case:
        notes.insert(0, case)
    text = message + ("\n" + " ".join(notes) if notes and "\n" in message else (" " + " ".join(notes) if notes else ""))
    return Verdict(puzzle.id, answer, error.kind, text, fix=fixed.fix.text if fixed else None)


_IN_OPERAND = re.compile(r"\bin operand (\d+)\b")
_TERM = re.compile(r"\bterm (\d+)\b")
_OPERAND = re.compile(r"\boperand (\d+)\b")


def named(message: str, names: Sequence[str]) -> str:
    """numpy's positions ("term 1", "operand 0") as the puzzle's names ("b's term", "a"): the learner
    sees a and b, not positions counted from 0. A position past the names stays as it is."""

    def name(match: re.Match[str], pattern: str) -> str:
        index = int(match.group(1))
        return pattern.format(names[index]) if index < len(names) else match.group(0)

    message = _IN_OPERAND.sub(lambda m: name(m, "in {}'s term"), message)
    message = _TERM.sub(lambda m: name(m, "{}'s term"), message)
    return _OPERAND.sub(lambda m: name(m, "{}"), message)


def _case_note(answer: str) -> str:
    """Letters are case-sensitive: say so when the output uses a letter only its other case has."""
    if "->" not in answer:
        return ""
    inputs, output = answer.split("->", 1)
    missing = [c for c in output if c.isalpha() and c not in inputs and c.swapcase() in inputs]
    if not missing:
        return ""
    pairs = ", ".join(f"'{c}' is not '{c.swapcase()}'" for c in dict.fromkeys(missing))
    return f"Letters are case-sensitive: {pairs}."


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


def _explain(puzzle: Puzzle, learner: Contraction) -> Any:
    """What the answer computes on the puzzle's shown shapes (``explain`` of them, from its binding)."""
    from ..explainer import Explanation

    return Explanation(learner, puzzle.argument_names)


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
    find_fix: bool = True,
) -> Verdict:
    perm = _permutation(got, expected)
    fixed = _find_fix(puzzle, answer, perm) if find_fix else None
    advice = ""
    if fixed is not None:
        found = _advice(puzzle, fixed)
        if perm is not None:  # the lead already says so
            found.reasons = [r for r in found.reasons if r != ORDER_REASON]
        advice = found.text()
    where = "on the shown inputs" if trial == 0 else f"on fresh inputs (draw {trial}, with other sizes)"
    details = ["What your subscript computes:", explanation.diagram]
    implicit_note = ""
    if not learner.subscript.explicit:
        implicit_note = (
            f" Note: without an arrow the output letters are sorted, so your subscript means "
            f"'{learner.subscript.canonical()}'."
        )
    fix_text = fixed.fix.text if fixed is not None else None
    if perm is not None:
        kind = "order"
        lead = (
            f"your output is the expected one with its axes in another order (np.transpose(out, {perm}) "
            "gives the target)."
        )
    elif got.shape != expected.shape:
        kind = "shape"
        lead = f"your output has shape {got.shape} but the target has shape {expected.shape} ({where})."
    else:
        kind = "values"
        index = _first_difference(got, expected)
        lead = (
            f"the shape {got.shape} is right but the values are not ({where}): at index {index} you get "
            f"{_fmt(got[index])}, the target is {_fmt(expected[index])}."
        )
    message = lead + implicit_note + (" " + advice if advice else "")
    return Verdict(
        puzzle.id, answer, kind, message, tuple(details), expected.shape, got.shape, trial + 1, explanation, fix_text
    )


def _fails_on_fresh(
    puzzle: Puzzle,
    answer: str,
    error: EinsumError,
    shapes: Sequence[tuple[int, ...]],
    explanation: Any,
    find_fix: bool = True,
) -> Verdict:
    advice = (
        "This puzzle's inputs come with other numbers of axes too: let '...' stand for the axes you do not name."
        if error.kind == "rank"
        else "Letters that tie axes together must name axes that always have the same size."
    )
    fixed = _find_fix(puzzle, answer) if find_fix else None
    message = (
        f"your subscript works on the shown shapes only by coincidence: with shapes {tuple(shapes)} it fails "
        f"({named(error.message, puzzle.argument_names)}). {advice}"
    )
    if fixed is not None:
        message += " " + _advice(puzzle, fixed).text()
    return Verdict(
        puzzle.id,
        answer,
        "shape",
        message,
        ("What your subscript computes:", explanation.diagram),
        explanation=explanation,
        fix=fixed.fix.text if fixed else None,
    )


def _cannot_match(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    """No axis order of ``shape`` is ``target`` (so the output is wrong whatever its values)."""
    return sorted(shape) != sorted(target)


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
