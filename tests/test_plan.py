"""The plan: which primitive steps an einsum becomes."""

from __future__ import annotations

import numpy as np
import pytest

import einsum_puzzles as ep


def kinds(subscript: str, *shapes: tuple[int, ...]) -> list[str]:
    return [step.function for step in ep.make_plan(ep.bind(subscript, *shapes)).steps]


@pytest.mark.parametrize(
    ("subscript", "shapes", "functions"),
    [
        ("ij->ij", [(2, 3)], []),
        ("ij->ji", [(2, 3)], ["transpose"]),
        ("ii->i", [(3, 3)], ["diagonal"]),
        ("ii", [(3, 3)], ["diagonal", "sum"]),
        ("ij->i", [(2, 3)], ["sum"]),
        ("ij,jk->ik", [(2, 3), (3, 4)], ["tensordot"]),
        ("ij,jk->ki", [(2, 3), (3, 4)], ["tensordot", "transpose"]),
        ("bij,bjk->bik", [(5, 2, 3), (5, 3, 4)], ["matmul"]),
        ("ij,ij->ij", [(2, 3), (2, 3)], ["multiply"]),
        ("i,j->ij", [(2,), (3,)], ["multiply"]),
        ("ij,jk->ik", [(2, 1), (3, 4)], ["squeeze", "sum", "multiply"]),
        ("ij,jk->", [(2, 3), (3, 4)], ["sum", "sum", "tensordot"]),
    ],
)
def test_steps(subscript: str, shapes: list[tuple[int, ...]], functions: list[str]) -> None:
    assert kinds(subscript, *shapes) == functions


def test_chain_order_follows_cost() -> None:
    # (a @ b) @ c costs 10*100*10 + 10*10*100; a @ (b @ c) costs far more: the plan must pick the first.
    plan = ep.make_plan(ep.bind("ij,jk,kl->il", (10, 100), (100, 10), (10, 100)))
    first = plan.steps[0]
    assert first.inputs == (0, 1)
    assert plan.cost == 10 * 100 * 10 + 10 * 10 * 100
    other = ep.make_plan(ep.bind("ij,jk,kl->il", (100, 10), (10, 100), (100, 10)))
    assert other.steps[0].inputs == (1, 2)


def test_many_operands_use_the_greedy_order_and_stay_right() -> None:
    shapes = [(2, 3), (3, 4), (4, 2), (2, 5), (5, 3), (3, 2), (2, 2)]
    subscript = "ab,bc,cd,de,ef,fg,gh->ah"
    plan = ep.make_plan(ep.bind(subscript, *shapes))
    assert len([s for s in plan.steps if s.kind in ("contract", "multiply")]) == 6
    arrays = [np.random.default_rng(i).standard_normal(s) for i, s in enumerate(shapes)]
    np.testing.assert_allclose(ep.einsum(subscript, *arrays), np.einsum(subscript, *arrays))


def test_steps_are_data_with_shapes_after() -> None:
    plan = ep.make_plan(ep.bind("iij,jk->ik", (3, 3, 4), (4, 5)))
    diagonal, contract = plan.steps
    assert diagonal.kind == "diagonal" and diagonal.labels == ("i",) and diagonal.shape == (3, 4)
    assert diagonal.input_labels == (("i", "i", "j"),) and diagonal.result_labels == ("i", "j")
    assert contract.inputs == (diagonal.result, 1) and contract.labels == ("j",) and contract.shape == (3, 5)
    assert plan.result == contract.result


def test_the_evaluator_never_calls_einsum(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("np.einsum was called")

    cases = [("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]), ("ii", [(3, 3)])]
    arrays = [[np.ones(s) for s in shapes] for _, shapes in cases]
    expected = [np.einsum(sub, *ops) for (sub, _), ops in zip(cases, arrays)]
    monkeypatch.setattr(np, "einsum", forbidden)
    monkeypatch.setattr(np, "einsum_path", forbidden)
    for (sub, _), ops, want in zip(cases, arrays, expected):
        np.testing.assert_allclose(ep.einsum(sub, *ops), want)
