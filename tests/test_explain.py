"""The explainer: every rendering is computed, runs, and agrees with numpy."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import einsum_puzzles as ep

from .conftest import numpy_zero_size_diagonal_bug
from .explain_examples import WORKED_EXAMPLES, golden_name
from .test_properties import valid_cases

GOLDEN = Path(__file__).parent / "golden"


def run_source(source: str, names: tuple[str, ...], arrays: list[np.ndarray]) -> Any:
    scope: dict[str, Any] = {"np": np, **dict(zip(names, arrays))}
    exec(compile(source, "<explanation>", "exec"), scope)
    return scope["out"]


def arrays_for(shapes: list[tuple[int, ...]], seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape) for shape in shapes]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(valid_cases())
def test_loops_numpy_code_and_equivalent_compute_the_einsum(case: tuple[str, list[tuple[int, ...]]]) -> None:
    subscript, shapes = case
    if numpy_zero_size_diagonal_bug(subscript, shapes):
        return  # numpy returns unallocated memory there; we raise (docs/core.md)
    try:
        expected = np.einsum(subscript, *arrays_for(shapes))
    except ValueError:
        with pytest.raises(ep.EinsumError):
            ep.explain(subscript, *shapes)
        return
    arrays = arrays_for(shapes)
    explanation = ep.explain(subscript, *shapes)
    names = explanation.names
    assert "einsum" not in explanation.numpy_code
    for source in (explanation.loops, explanation.numpy_code):
        result = run_source(source, names, arrays)
        assert np.shape(result) == np.shape(expected), source
        np.testing.assert_allclose(result, expected, rtol=1e-9, atol=1e-9, err_msg=source)
    if explanation.operation.equivalent:
        value = eval(explanation.operation.equivalent, {"np": np, **dict(zip(names, arrays))})
        assert np.shape(value) == np.shape(expected), explanation.operation
        np.testing.assert_allclose(value, expected, rtol=1e-9, atol=1e-9)
    assert explanation.diagram.splitlines()[0].replace(" ", "") in subscript.replace(" ", "")


@pytest.mark.parametrize(("subscript", "shapes"), WORKED_EXAMPLES, ids=[s for s, _ in WORKED_EXAMPLES])
def test_golden_diagrams(subscript: str, shapes: list[tuple[int, ...]]) -> None:
    path = GOLDEN / golden_name(subscript, shapes)
    explanation = ep.explain(subscript, *shapes)
    text = f"{explanation.diagram}\n\n{explanation.prose}\n\n{explanation.formula}\n"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path.name}: run with UPDATE_GOLDEN=1 and review it"
    assert text == path.read_text(encoding="utf-8")


def test_every_lesson_example_has_a_golden_diagram() -> None:
    from einsum_puzzles.curriculum import sections, worked_examples

    golden = {(s, tuple(tuple(shape) for shape in shapes)) for s, shapes in WORKED_EXAMPLES}
    for section in sections():
        for example in worked_examples(section.lesson):
            assert example in golden, (section.id, example)


def test_every_golden_file_belongs_to_an_example() -> None:
    expected = {golden_name(s, shapes) for s, shapes in WORKED_EXAMPLES}
    assert {path.name for path in GOLDEN.glob("*.txt")} == expected


CLASSICS: list[tuple[str, list[tuple[int, ...]], str]] = [
    ("i->i", [(3,)], "identity"),
    ("ij", [(2, 3)], "identity"),
    ("ij->ji", [(2, 3)], "transpose"),
    ("ji", [(2, 3)], "transpose"),
    ("ijk->kji", [(2, 3, 4)], "permutation of axes"),
    ("i->", [(3,)], "sum of all elements"),
    ("ijk->", [(2, 3, 4)], "sum of all elements"),
    ("ij->i", [(2, 3)], "sum over an axis"),
    ("ijk->j", [(2, 3, 4)], "sum over axes"),
    ("ii->i", [(3, 3)], "diagonal"),
    ("ii->", [(3, 3)], "trace"),
    ("ii", [(3, 3)], "trace"),
    ("bii->b", [(4, 3, 3)], "batched trace"),
    ("i,i->i", [(3,), (3,)], "elementwise (Hadamard) product"),
    ("ij,ij->ij", [(2, 3), (2, 3)], "elementwise (Hadamard) product"),
    ("i,i->", [(3,), (3,)], "dot product"),
    ("i,i", [(3,), (3,)], "dot product"),
    ("ij,ij->", [(2, 3), (2, 3)], "Frobenius inner product"),
    ("i,j->ij", [(3,), (4,)], "outer product"),
    ("ij,kl->ijkl", [(2, 3), (2, 4)], "outer product"),
    ("ij,jk->ik", [(2, 3), (3, 4)], "matrix product"),
    ("ab,bc", [(2, 3), (3, 4)], "matrix product"),
    ("ij,kj->ik", [(2, 3), (4, 3)], "matrix product"),
    ("ij,j->i", [(2, 3), (3,)], "matrix-vector product"),
    ("j,jk->k", [(3,), (3, 4)], "vector-matrix product"),
    ("bij,bjk->bik", [(5, 2, 3), (5, 3, 4)], "batched matrix product"),
    ("bhqd,bhkd->bhqk", [(2, 4, 5, 8), (2, 4, 6, 8)], "batched matrix product"),
    ("ij,ij->i", [(2, 3), (2, 3)], "batched dot product"),
    ("ijk,jkl->il", [(2, 3, 4), (3, 4, 5)], "tensordot over 2 axes"),
    ("ij,j->ij", [(2, 3), (3,)], "broadcasting product"),
    (",ij->ij", [(), (2, 3)], "scaling by a scalar"),
    ("i,ij,j->", [(3,), (3, 4), (4,)], "bilinear form"),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)], "chain of matrix products"),
    ("i,i,i->i", [(3,), (3,), (3,)], "elementwise product of 3 arrays"),
]


def test_the_naming_table_is_large() -> None:
    assert len(CLASSICS) >= 25
    assert len({name for _, _, name in CLASSICS}) >= 20


@pytest.mark.parametrize(("subscript", "shapes", "name"), CLASSICS, ids=[c[0] for c in CLASSICS])
def test_familiar_operations_are_named(subscript: str, shapes: list[tuple[int, ...]], name: str) -> None:
    explanation = ep.explain(subscript, *shapes)
    assert explanation.operation.name == name
    assert explanation.prose.lower().startswith(name.lower())
    arrays = arrays_for(shapes, seed=3)
    if explanation.operation.equivalent:
        value = eval(explanation.operation.equivalent, {"np": np, **dict(zip(explanation.names, arrays))})
        np.testing.assert_allclose(value, np.einsum(subscript, *arrays))


@pytest.mark.parametrize(
    ("subscript", "shapes"),
    [("ij,jk->ik", [(2, 3), (4, 5)]), ("i->j", [(3,)]), ("i,j", [(3,)]), ("ij", [(3,)]), ("i- >i", [(3,)])],
)
def test_invalid_subscripts_raise_the_same_error_as_bind(subscript: str, shapes: list[tuple[int, ...]]) -> None:
    with pytest.raises(ep.EinsumError) as from_bind:
        ep.bind(subscript, *shapes)
    with pytest.raises(ep.EinsumError) as from_explain:
        ep.explain(subscript, *shapes)
    assert (from_explain.value.kind, str(from_explain.value)) == (from_bind.value.kind, str(from_bind.value))


def test_arrays_and_shapes_are_both_accepted() -> None:
    a, b = np.ones((2, 3)), np.ones((3, 4))
    assert ep.explain("ij,jk", a, b).diagram == ep.explain("ij,jk", (2, 3), [3, 4]).diagram
    assert ep.explain("i,i", np.array([1, 2]), [2]).contraction.shapes == ((2,), (2,))
    assert ep.explain(",i", 2.0, np.ones(3)).contraction.shapes == ((), (3,))


def test_names_are_used_everywhere() -> None:
    e = ep.explain("bld,dk->blk", (2, 5, 4), (4, 3), names=["x", "w_q"])
    assert "x.shape = (2, 5, 4)" in e.diagram
    assert "w_q.shape = (4, 3)" in e.diagram
    assert "x[b, l, d]" in e.formula and "w_q[d, k]" in e.formula
    result = run_source(e.numpy_code, ("x", "w_q"), arrays_for([(2, 5, 4), (4, 3)]))
    assert result.shape == (2, 5, 3)


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["a"], "1 names for 2 operands"),
        (["a", "a"], "must differ"),
        (["a", "1x"], "not a Python identifier"),
        (["out", "b"], "taken by the generated code"),
    ],
)
def test_bad_names(names: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ep.explain("i,i", (3,), (3,), names=names)


def test_labels_that_are_operand_names_get_other_loop_variables() -> None:
    e = ep.explain("ab,bc->ac", (2, 3), (3, 4), names=["a", "b"])
    assert "for a_ in range(2)" in e.loops
    assert e.formula == "out[a_, c] = Σ_b_ a[a_, b_] · b[b_, c]"
    arrays = arrays_for([(2, 3), (3, 4)])
    np.testing.assert_allclose(run_source(e.loops, e.names, arrays), arrays[0] @ arrays[1])


def test_html_colours_each_label_the_same_everywhere() -> None:
    e = ep.explain("ij,jk->ik", (2, 3), (3, 4))
    html = e._repr_html_()
    assert "<script" not in html
    classes = dict(re.findall(r'class="ep-label (ep-c\d+)[^"]*" title="[^"]*">(\w)<', html)[::1])
    spans = re.findall(r'class="ep-label (ep-c\d+)[^"]*" title="[^"]*">(\w)<', html)
    colour: dict[str, set[str]] = {}
    for cls, label in spans:
        colour.setdefault(label, set()).add(cls)
    assert all(len(found) == 1 for found in colour.values()), colour
    assert len({next(iter(found)) for found in colour.values()}) == 3
    assert classes
    assert "<style>" in html and "<style>" not in e.html(include_style=False)


def test_steps_are_data() -> None:
    e = ep.explain("ij,jk->ki", (2, 3), (3, 4))
    kinds = [(step.kind, step.function, step.shape) for step in e.steps]
    assert kinds == [("contract", "matmul", (2, 4)), ("transpose", "transpose", (4, 2))]
    assert e.steps[0].inputs == ("a", "b")
    assert e.steps[1].code == "t0.T"
    data = e.to_dict()
    assert data["operation"] == "transposed matrix product"
    assert data["steps"][0]["labels"] == ["j"]


def test_integer_operands_get_exact_sums() -> None:
    a = np.array([[100, 100], [1, 2]], dtype=np.int8)
    e = ep.explain("ij->i", a)
    assert "dtype=np.int8" in e.numpy_code
    result = run_source(e.numpy_code, e.names, [a])
    np.testing.assert_array_equal(result, np.einsum("ij->i", a))
    assert result.dtype == np.int8
