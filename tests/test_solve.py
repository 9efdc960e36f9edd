"""ep.solve: every subscript that maps the inputs to the output, against plain enumeration."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import einsum_puzzles as ep
from einsum_puzzles.curriculum import lint
from einsum_puzzles.find.solve import MAX_AXES, SolveLimit, canonical, enumerate_plainly

SUBSCRIPT_PUZZLES = [p for p in ep.puzzles() if p.kind == "subscript"]


@pytest.mark.parametrize("puzzle", SUBSCRIPT_PUZZLES, ids=lambda p: f"puzzle{p.id}")
def test_solve_finds_the_reference_answer_from_the_shown_example(puzzle: ep.Puzzle) -> None:
    inputs = puzzle.einsum_arguments(puzzle.inputs())
    found = ep.solve(inputs, puzzle.expected(*puzzle.inputs()), max_results=100)
    assert canonical(puzzle.solutions[0], *puzzle.argument_shapes()) in found
    for candidate in found:
        np.testing.assert_array_equal(np.einsum(candidate, *inputs), puzzle.expected(*puzzle.inputs()))


@pytest.mark.parametrize("puzzle", SUBSCRIPT_PUZZLES, ids=lambda p: f"puzzle{p.id}")
def test_linter_proves_the_answer_unique(puzzle: ep.Puzzle) -> None:
    assert lint.check_answer_unique(puzzle) == []


def test_linter_catches_an_example_that_two_answers_fit() -> None:
    # A symmetric example: the transpose passes it too, which the linter must report for a puzzle
    # whose check would refuse the transpose.
    x = np.array([[1, 2], [2, 5]])
    assert ep.solve([x], x) == ["ij->ij", "ij->ji"]


def test_matmul_and_friends() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 9, (2, 3)), rng.integers(0, 9, (3, 4))
    assert ep.solve([a, b], a @ b) == ["ij,jk->ik"]
    assert ep.solve([a, b], (a @ b).T) == ["ij,jk->ki"]
    assert ep.solve([a], a.sum(axis=0)) == ["ij->j"]
    assert ep.solve([a, b], np.zeros((5,))) == []  # no input axis of size 5
    assert ep.solve([a, b], np.zeros((2, 4))) == []  # right shape, values of no einsum


def test_diagonal_and_trace() -> None:
    m = np.arange(9).reshape(3, 3) ** 2
    assert ep.solve([m], np.trace(m)) == ["ii->"]
    assert ep.solve([m], np.diagonal(m)) == ["ii->i"]


def test_floats_to_rounding() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((4, 5))
    assert ep.solve([a, b], a @ b) == ["ij,jk->ik"]
    assert ep.solve([a, b], a @ b + 1e-3) == []


def test_order_fewest_labels_first_and_max_results() -> None:
    ones = np.ones((2, 2))
    found = ep.solve([ones], np.full((2,), 2.0), max_results=50)
    assert found == ["ij->i", "ij->j"]
    assert ep.solve([ones], np.full((2,), 2.0), max_results=1) == ["ij->i"]
    assert ep.solve([ones], np.full((2,), 2.0), max_results=0) == []
    grid = np.ones((2, 2))
    assert ep.solve([grid, grid], np.full((2, 2), 2.0))[0].count(",") == 1


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="numbers"):
        ep.solve([np.array(["a"])], np.zeros(1))
    with pytest.raises(ValueError, match="at least one input"):
        ep.solve([], np.zeros(1))
    with pytest.raises(SolveLimit, match=f"at most {MAX_AXES}"):
        ep.solve([np.ones((1,) * (MAX_AXES + 1))], np.ones(()))


def test_canonical() -> None:
    assert canonical("...j,jk", (2, 3), (3, 4)) == "ij,jk->ik"
    assert canonical("bij,bjk->bik", (2, 3, 4), (2, 4, 5)) == "ijk,ikl->ijl"
    assert canonical("ji", (2, 3)) == "ij->ji"


@st.composite
def examples(draw: st.DrawFn) -> tuple[str, list[tuple[int, ...]]]:
    n_labels = draw(st.integers(1, 4))
    letters = "abcd"[:n_labels]
    sizes = dict(zip(letters, draw(st.lists(st.integers(1, 3), min_size=n_labels, max_size=n_labels))))
    terms = [
        "".join(draw(st.lists(st.sampled_from(letters), min_size=0, max_size=3)))
        for _ in range(draw(st.integers(1, 2)))
    ]
    used = sorted(set("".join(terms)))
    output = "".join(draw(st.permutations(used))[: draw(st.integers(0, len(used)))])
    return f"{','.join(terms)}->{output}", [tuple(sizes[c] for c in term) for term in terms]


@settings(max_examples=80, deadline=None)
@given(examples(), st.integers(0, 2**16))
def test_solve_agrees_with_plain_enumeration(example: tuple[str, list[tuple[int, ...]]], seed: int) -> None:
    subscript, shapes = example
    rng = np.random.default_rng(seed)
    inputs = [rng.integers(-3, 4, shape) for shape in shapes]
    output = np.einsum(subscript, *inputs)
    found = ep.solve(inputs, output, max_results=10_000)
    assert canonical(subscript, *shapes) in found
    assert sorted(found) == sorted(enumerate_plainly(inputs, output))
