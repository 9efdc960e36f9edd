"""The content linter: every rule the course must keep, as functions that return problems.

Run by the test suite (``tests/test_curriculum.py``). Each function returns a list of human-readable
problems; an empty list means the rule holds.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import string
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from ..contraction import bind
from ..errors import EinsumError
from ..subscript import parse
from . import cheatsheet, puzzles, questions, sections, shape_questions, worked_examples
from .model import Puzzle

CANDIDATE_AXIS_LIMIT = 7


def candidate_subscripts(shapes: Sequence[tuple[int, ...]]) -> Iterator[str]:
    """Every einsum over these shapes, up to renaming: each way to tie axes of equal size together,
    with each ordered choice of output labels. Spellings (ellipsis, implicit mode) are not repeated."""
    axes = [(i, k, size) for i, shape in enumerate(shapes) for k, size in enumerate(shape)]
    for blocks in _partitions(list(range(len(axes))), [size for _, _, size in axes]):
        label_of = {}
        for number, block in enumerate(blocks):
            for axis in block:
                label_of[axis] = string.ascii_letters[number]
        terms = []
        position = 0
        for shape in shapes:
            terms.append("".join(label_of[position + k] for k in range(len(shape))))
            position += len(shape)
        labels = [string.ascii_letters[n] for n in range(len(blocks))]
        inputs = ",".join(terms)
        for count in range(len(labels) + 1):
            for output in itertools.permutations(labels, count):
                yield f"{inputs}->{''.join(output)}"


def _partitions(items: list[int], sizes: list[int]) -> Iterator[list[list[int]]]:
    """Set partitions of ``items`` whose blocks hold axes of one size only, in canonical order."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for partition in _partitions(rest, sizes):
        yield [[first], *partition]
        for index, block in enumerate(partition):
            if sizes[block[0]] == sizes[first]:
                yield [*partition[:index], [first, *block], *partition[index + 1 :]]


def implicit_spelling(candidate: str) -> str | None:
    """The same einsum without an arrow, letters renamed so the sorted output has the right order;
    None when no arrowless spelling exists (a kept label used twice, or a summed one used once)."""
    sub = parse(candidate)
    counts: dict[str, int] = {}
    for term in sub.inputs:
        for label in term.labels:
            counts[label] = counts.get(label, 0) + 1
    output = sub.output.labels
    if {label for label, count in counts.items() if count == 1} != set(output):
        return None
    summed = [label for label in counts if label not in output]
    rename = dict(zip([*output, *summed], string.ascii_letters))
    return ",".join("".join(rename[label] for label in term.labels) for term in sub.inputs)


def uses_einsum(function: Any) -> bool:
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return False
    tree = ast.parse(source.strip() if not source.startswith(" ") else "if True:\n" + source)
    return any(isinstance(n, ast.Attribute) and n.attr in ("einsum", "einsum_path") for n in ast.walk(tree))


def check_puzzle(p: Puzzle) -> list[str]:
    from ..grading import check

    problems: list[str] = []
    label = f"puzzle {p.id}"
    if not (2 <= len(p.hints) <= 3):
        problems.append(f"{label}: has {len(p.hints)} hints; give 2 or 3")
    if any(not hint.strip() for hint in p.hints) or len(set(p.hints)) != len(p.hints):
        problems.append(f"{label}: hints must be non-empty and different")
    if not p.prompt.strip() or not p.title.strip():
        problems.append(f"{label}: needs a title and a prompt")
    if uses_einsum(p.expected_fn):
        problems.append(f"{label}: expected() must not use einsum")
    sizes = [p.sizes[dim] for dim in p.dims]
    if len(set(sizes)) != len(sizes) or min(sizes) < 2:
        problems.append(f"{label}: shown sizes must be 2 or more and differ per dimension, got {dict(p.sizes)}")
    if not p.seed_puzzle and not p.note:
        problems.append(f"{label}: a puzzle past the seed needs a note")
    for placeholder in ("", "<YOUR_ANSWER_HERE>"):
        if check(p.id, placeholder).kind != "unsolved":
            problems.append(f"{label}: an unanswered puzzle must report 'unsolved'")
    if p.kind == "code" and check(p.id, p.starter).kind != "unsolved":
        problems.append(f"{label}: the starter template must report 'unsolved'")
    for solution in p.solutions:
        verdict = check(p.id, solution)
        if not verdict.correct:
            problems.append(f"{label}: reference solution {solution!r} is not accepted: {verdict.message}")
    problems += check_answer_unique(p)
    return problems


def check_no_wrong_candidate_passes_the_example(p: Puzzle) -> list[str]:
    """For puzzles with few axes: every subscript that matches the shown example is truly right."""
    from ..grading import check

    shapes = p.argument_shapes()
    if p.kind != "subscript" or sum(len(s) for s in shapes) > CANDIDATE_AXIS_LIMIT:
        return []
    inputs = p.einsum_arguments(p.inputs())
    expected = np.asarray(p.expected(*p.inputs()))
    problems = []
    for candidate in candidate_subscripts(shapes):
        got = np.einsum(candidate, *inputs)
        if p.implicit_only:
            spelling = implicit_spelling(candidate)
            if spelling is None:
                continue  # cannot be written without an arrow: the rule rejects it whatever it computes
            candidate = spelling
        if np.shape(got) == expected.shape and np.allclose(got, expected) and not check(p.id, candidate).correct:
            problems.append(f"puzzle {p.id}: the wrong subscript {candidate!r} matches the shown example")
    return problems


def check_answer_unique(p: Puzzle) -> list[str]:
    """With ``solve``: every subscript that reproduces the shown example (whatever the number of axes)
    is accepted by the puzzle, spelled as its rule asks, and the reference answer is among them."""
    from ..find.search import canonical, solve
    from ..grading import check

    if p.kind != "subscript":
        return []
    inputs = p.einsum_arguments(p.inputs())
    found = solve(inputs, p.expected(*p.inputs()), max_results=1000)
    problems = []
    if canonical(p.solutions[0], *p.argument_shapes()) not in found:
        problems.append(f"puzzle {p.id}: solve does not find the reference answer {p.solutions[0]!r}")
    for candidate in found:
        spelling = implicit_spelling(candidate) if p.implicit_only else candidate
        if spelling is not None and not check(p.id, spelling).correct:
            problems.append(f"puzzle {p.id}: the wrong subscript {spelling!r} matches the shown example")
    return problems


def check_no_duplicates() -> list[str]:
    """No answer is accepted by two puzzles that show the same inputs."""
    from ..grading import check

    problems = []
    subscript_puzzles = [p for p in puzzles() if p.kind == "subscript"]
    for p, q in itertools.permutations(subscript_puzzles, 2):
        if p.argument_shapes() != q.argument_shapes():
            continue  # different inputs: a general spelling (an ellipsis) may fit both
        for solution in q.solutions:
            try:
                bind(solution, *p.argument_shapes())
            except EinsumError:
                continue
            if check(p.id, solution).correct:
                problems.append(f"puzzles {p.id} and {q.id} both accept {solution!r}")
    return problems


def check_lessons() -> list[str]:
    from ..explainer import explain

    problems = []
    for section in sections():
        examples = worked_examples(section.lesson)
        if section.id not in ("attention-head", "multi-head", "beyond") and not examples:
            problems.append(f"section {section.id}: the lesson has no worked example")
        for subscript, shapes in examples:
            arrays = [np.random.default_rng(0).standard_normal(shape) for shape in shapes]
            try:
                explanation = explain(subscript, *shapes)
            except EinsumError as error:
                problems.append(f"section {section.id}: worked example {subscript!r} is invalid: {error.message}")
                continue
            from ..evaluate import einsum

            if not np.allclose(einsum(subscript, *arrays), np.einsum(subscript, *arrays)):
                problems.append(f"section {section.id}: {subscript!r} disagrees with numpy")
            equivalent = explanation.operation.equivalent
            if equivalent:
                value = eval(equivalent, {"np": np, **dict(zip(explanation.names, arrays))})
                if not np.allclose(value, np.einsum(subscript, *arrays)):
                    problems.append(f"section {section.id}: the numpy equivalent of {subscript!r} is wrong")
    return problems


def check_cheatsheet() -> list[str]:
    problems = []
    for entry in cheatsheet():
        rng = np.random.default_rng(0)
        arrays = [rng.standard_normal(shape) for shape in entry.shapes]
        scope = {"np": np, **dict(zip("xyz", arrays))}
        result = np.einsum(entry.subscript, *arrays)
        value = eval(entry.numpy, scope)
        if np.shape(value) != np.shape(result) or not np.allclose(value, result):
            problems.append(f"cheatsheet {entry.name!r}: {entry.subscript!r} is not {entry.numpy}")
    return problems


def check_questions() -> list[str]:
    problems = []
    for question in questions():
        if question.check is not None and not question.check():
            problems.append(f"{question.id}: the claim in the answer does not hold")
    if len(questions()) < 8:
        problems.append("fewer than 8 comprehension questions")
    if len(shape_questions()) < 8:
        problems.append("fewer than 8 predict-the-shape questions")
    for shape_question in shape_questions():
        arrays = [np.ones(shape) for shape in shape_question.shapes]
        if np.einsum(shape_question.subscript, *arrays).shape != shape_question.answer:
            problems.append(f"{shape_question.id}: the computed answer disagrees with numpy")
    return problems
