"""ep.solve: every subscript that maps the inputs to the output, against plain enumeration."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

import einsum_puzzles as ep
from einsum_puzzles.curriculum import lint
from einsum_puzzles.find.search import MAX_AXES, SolveLimit, canonical, enumerate_plainly
from einsum_puzzles.web import create_app

SUBSCRIPT_PUZZLES = [p for p in ep.puzzles() if p.kind == "subscript"]


@pytest.mark.parametrize("puzzle", SUBSCRIPT_PUZZLES, ids=lambda p: f"puzzle{p.id}")
def test_solve_finds_the_reference_answer_from_the_shown_example(puzzle: ep.Puzzle) -> None:
    inputs = puzzle.einsum_arguments(puzzle.inputs())
    found = ep.solve(inputs, puzzle.expected(*puzzle.inputs()), max_results=100)
    if any(puzzle.sizes[dim] == 1 for dim in puzzle.fixed_sizes):
        assert found  # a size-1 axis that stretches (53, 54): solve spells it summed instead
    else:
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


def test_work_budget() -> None:
    rng = np.random.default_rng(2)
    a, b = rng.integers(0, 9, (4, 5)), rng.integers(0, 9, (5, 6))
    assert ep.solve([a, b], a @ b, max_work=1_000_000) == ["ij,jk->ik"]
    with pytest.raises(SolveLimit, match="more than 100 multiply-adds"):
        ep.solve([a, b], a @ b, max_work=100)


def test_tiny_axes_cannot_buy_millions_of_calls() -> None:
    """Size-1 axes make every candidate cost 1 multiply-add; each call is charged CALL_COST at least, so the
    web's budget refuses such a search instead of spending seconds of CPU on it (found by an attack trial)."""
    from einsum_puzzles.find.search import CALL_COST
    from einsum_puzzles.web.translate import MAX_SOLVE_PARTITIONS, MAX_SOLVE_SEARCH_WORK

    ones = np.ones((1, 1, 1, 1))
    calls = 0
    real = np.einsum

    def counting(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        return real(*args, **kwargs)  # type: ignore[call-overload]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(np, "einsum", counting)
        with pytest.raises(SolveLimit):
            ep.solve(
                [ones, ones],
                np.ones((1,) * 6),
                max_results=100,
                max_partitions=MAX_SOLVE_PARTITIONS,
                max_work=MAX_SOLVE_SEARCH_WORK,
            )
    assert calls <= MAX_SOLVE_SEARCH_WORK // CALL_COST + 10


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


# --- faces: command line and web -------------------------------------------------------------------------
def test_cli_solve(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from einsum_puzzles.cli import main

    a, b = np.arange(6).reshape(2, 3), np.arange(12).reshape(3, 4)
    for name, array in {"a": a, "b": b, "out": (a @ b).T, "bad": np.zeros((9,))}.items():
        np.save(tmp_path / f"{name}.npy", array)
    (tmp_path / "text.npy").write_text("not numpy")
    assert main(["solve", str(tmp_path / "a.npy"), str(tmp_path / "b.npy"), "--out", str(tmp_path / "out.npy")]) == 0
    assert "ij,jk->ki" in capsys.readouterr().out
    assert main(["solve", str(tmp_path / "a.npy"), "--out", str(tmp_path / "bad.npy"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"subscripts": []}
    assert main(["solve", str(tmp_path / "a.npy"), "--out", str(tmp_path / "bad.npy")]) == 0
    assert "No einsum maps" in capsys.readouterr().out
    for args, message in [
        ([str(tmp_path / "nope.npy"), "--out", str(tmp_path / "out.npy")], "no such file"),
        ([str(tmp_path / "text.npy"), "--out", str(tmp_path / "out.npy")], "not a numpy .npy file"),
        ([str(tmp_path / "a.npy")], "--out"),
        ([str(tmp_path / "a.npy"), "--out", str(tmp_path / "out.npy"), "--max", "0"], "--max must be 1 or more"),
    ]:
        assert main(["solve", *args]) == 2
        assert message in capsys.readouterr().err


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(tmp_path / "web.sqlite3")) as test_client:
        yield test_client


def test_api_solve(client: TestClient) -> None:
    found = client.post("/api/solve", json={"inputs": [[[1, 2], [3, 4]], [5, 6]], "output": [17, 39]})
    assert found.status_code == 200 and found.json() == {"subscripts": ["ij,j->i"], "count": 1}
    none = client.post("/api/solve", json={"inputs": [[1, 2]], "output": [[1]]})
    assert none.json() == {"subscripts": [], "count": 0}
    ragged = client.post("/api/solve", json={"inputs": [[[1, 2], [3]]], "output": [1]})
    assert ragged.status_code == 422 and "rectangular" in ragged.json()["message"]
    text = client.post("/api/solve", json={"inputs": [["a"]], "output": [1]})
    assert text.status_code == 422 and "numbers" in text.json()["message"]
    big = client.post("/api/solve", json={"inputs": [[0] * 20_000], "output": 0})
    assert big.status_code == 422 and big.json()["limit"] == "elements"
    many_axes = client.post("/api/solve", json={"inputs": [np.ones((1,) * 13).tolist()], "output": 1})
    assert many_axes.status_code == 422 and many_axes.json()["limit"] == "axes"
    same_size = client.post("/api/solve", json={"inputs": [np.ones((2,) * 12).tolist()], "output": 4096})
    assert same_size.status_code == 422 and same_size.json()["limit"] == "search"
    missing = client.post("/api/solve", json={"output": [1]})
    assert missing.status_code == 422
