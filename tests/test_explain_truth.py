"""Issue 16: the explainer's sentences are true on the given shapes, and operand names never collide
with labels in any rendering."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

import einsum_puzzles as ep


def run(source: str, names: tuple[str, ...], arrays: list[np.ndarray]) -> Any:
    scope: dict[str, Any] = {"np": np, **dict(zip(names, arrays))}
    exec(compile(source, "<code>", "exec"), scope)
    return scope["out"]


def arrays_for(shapes: list[tuple[int, ...]]) -> list[np.ndarray]:
    rng = np.random.default_rng(1)
    return [rng.standard_normal(shape) for shape in shapes]


def test_a_column_times_a_matrix_is_not_called_a_matrix_product() -> None:
    a, b = np.ones((2, 1)), np.ones((3, 4))
    with pytest.raises(ValueError):
        a @ b
    e = ep.explain("ij,jk->ik", a, b)
    assert "matrix product" not in e.operation.name and not e.prose.startswith("Matrix product")
    assert "so this is no matrix product" in e.prose
    assert e.operation.name == "product with size-1 broadcasting"
    assert "repeats a along 'j'" in e.prose and "b is summed over 'j' on its own" in e.prose
    assert "a @ b raises an error on these shapes" in e.prose
    assert e.operation.equivalent is None


def test_ij_ji_is_the_trace_of_a_product_not_an_elementwise_product() -> None:
    a, b = arrays_for([(2, 3), (3, 2)])
    with pytest.raises(ValueError):
        a * b
    e = ep.explain("ij,ji", (2, 3), (3, 2))
    assert "element by element" not in e.prose
    assert e.operation.name == "trace of a matrix product"
    assert e.operation.equivalent == "np.trace(a @ b)"
    assert np.isclose(eval(e.operation.equivalent), np.einsum("ij,ji", a, b))
    assert np.isclose(run(e.numpy_code, e.names, [a, b]), np.einsum("ij,ji", a, b))


def test_reordered_elementwise_product_says_the_axes_are_lined_up_by_name() -> None:
    e = ep.explain("ij,ji->ij", (2, 3), (3, 2))
    assert "lining up their axes by name" in e.prose or "lining up" in e.operation.summary


def test_implicit_transposed_product_is_named_as_transposed() -> None:
    e = ep.explain("ij,jh", (2, 3), (3, 4))
    assert e.operation.name == "transposed matrix product"
    assert e.operation.equivalent == "(a @ b).T"


def test_batched_matrix_vector_equivalent_runs() -> None:
    a, b = arrays_for([(2, 3, 4), (2, 4)])
    e = ep.explain("bij,bj->bi", a, b)
    value = eval(e.operation.equivalent or "None", {"np": np, **dict(zip(e.names, [a, b]))})
    np.testing.assert_allclose(value, np.einsum("bij,bj->bi", a, b))


@pytest.mark.parametrize(
    ("subscript", "shapes"),
    [
        ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
        ("ab,bc->ac", [(2, 3), (3, 4)]),
        ("aA,Ab->ab", [(2, 3), (3, 4)]),
        ("aAxX,Xb->ab", [(2, 3, 4, 5), (5, 6)]),
        ("abcd,ABCD,xyzu,XYZU,pqrs,PQRS->", [(1, 1, 1, 1)] * 6),
    ],
)
def test_default_names_never_collide_with_labels(subscript: str, shapes: list[tuple[int, ...]]) -> None:
    e = ep.explain(subscript, *shapes)
    labels = {label for label in e.contraction.labels}
    assert not set(e.names) & labels, e.names
    html = e.html()
    for name in e.names:
        assert f"{name}.shape" in e.diagram
        assert f"{name}[" in e.formula or f"{name}[" in e.loops
        assert name in html
    text = e.diagram + e.prose
    # every operand mention in prose and notes is a name, never a label
    for mention in re.findall(r"is in (\w+) and (\w+)", text):
        assert set(mention) <= set(e.names)
    result = run(e.numpy_code, e.names, arrays_for(shapes))
    np.testing.assert_allclose(result, np.einsum(subscript, *arrays_for(shapes)))


def test_bij_bjk_reads_without_collisions() -> None:
    e = ep.explain("bij,bjk->bik", (2, 3, 4), (2, 4, 5))
    assert e.names == ("A", "B")
    assert "'b' is in A and B" in e.diagram
    assert e.formula == "out[b, i, k] = Σ_j A[b, i, j] · B[b, j, k]"
    assert "b[b" not in e.formula and "b[b" not in e.loops


def test_attention_numpy_code_is_the_readable_one() -> None:
    e = ep.explain("bhqd,bhkd->bhqk", (2, 4, 5, 8), (2, 4, 6, 8))
    assert "reshape" not in e.numpy_code
    assert "A @ np.swapaxes(B, -1, -2)" in e.numpy_code


@pytest.mark.parametrize(
    ("subscript", "shapes", "fragment"),
    [
        ("ij,jk->ik", [(2, 3), (3, 4)], "a @ b"),
        ("ij,kj->ik", [(2, 3), (4, 3)], "a @ b.T"),
        ("ji,jk->ik", [(3, 2), (3, 4)], "a.T @ b"),
        ("ii->", [(3, 3)], "np.trace(a)"),
        ("bii->b", [(4, 3, 3)], "np.trace(a, axis1=1, axis2=2)"),
        ("ii->i", [(3, 3)], "np.diagonal(a)"),
        ("ij->ji", [(2, 3)], "a.T"),
        ("bij,bj->bi", [(2, 3, 4), (2, 4)], "(A @ B[..., None])[..., 0]"),
    ],
)
def test_numpy_code_uses_the_familiar_spelling(subscript: str, shapes: list[tuple[int, ...]], fragment: str) -> None:
    e = ep.explain(subscript, *shapes)
    assert fragment in e.numpy_code, e.numpy_code
    assert "reshape" not in e.numpy_code
    np.testing.assert_allclose(
        run(e.numpy_code, e.names, arrays_for(shapes)), np.einsum(subscript, *arrays_for(shapes))
    )


@pytest.mark.parametrize(
    ("subscript", "shapes"),
    [("...ij,...jk->...ik", [(5, 1, 2, 3), (7, 3, 4)]), ("...ij,...j->...i", [(1, 2, 3), (4, 3)])],
)
def test_ellipsis_grammar(subscript: str, shapes: list[tuple[int, ...]]) -> None:
    e = ep.explain(subscript, *shapes)
    text = e.prose + e.numpy_code + e.diagram
    assert "every the" not in text
    assert "axes the" not in text and "size-1 the" not in text


def test_chosen_names_that_are_labels_are_worded_as_operands() -> None:
    e = ep.explain("bij,bjk->bik", (2, 3, 4), (2, 4, 5), names=["a", "b"])
    assert "'b' is in operand a and operand b" in e.diagram
    assert "multiplies operand a and operand b along 'j'" in e.prose
    assert "In numpy: a @ b." in e.prose  # code keeps the names the caller binds
    assert e.formula == "out[b_, i, k] = Σ_j a[b_, i, j] · b[b_, j, k]"
    assert "operand a and operand b" in e.html()
    plain = ep.explain("ij,jk->ik", (2, 3), (3, 4), names=["x", "w"])
    assert "'j' is in x and w" in plain.diagram


@pytest.mark.parametrize(
    "subscript", ["ij,jk->ik", "ii->i", "ii", "ij->", "bij,bjk->bik", "i,i->", "ij,ij->ij", "...i,i"]
)
@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.complex128])
def test_the_code_for_einsum_with_a_dtype_casts_as_einsum_does(subscript: str, dtype: type) -> None:
    shapes = {"ij,jk->ik": [(2, 3), (3, 4)], "ii->i": [(3, 3)], "ii": [(3, 3)], "ij->": [(2, 3)]}
    shapes |= {"bij,bjk->bik": [(2, 2, 3), (2, 3, 2)], "i,i->": [(4,), (4,)], "ij,ij->ij": [(2, 3), (2, 3)]}
    shapes |= {"...i,i": [(2, 3), (3,)]}
    rng = np.random.default_rng(7)
    arrays = [rng.integers(-50, 50, size=shape).astype(np.int16) for shape in shapes[subscript]]
    expected = np.einsum(subscript, *arrays, dtype=dtype)
    e = ep.explain(subscript, *arrays, dtype=dtype)
    for source in (e.numpy_code, e.loops):
        got = np.asarray(run(source, e.names, arrays))
        assert got.dtype == expected.dtype, source
        assert np.array_equal(got, expected), source


@pytest.mark.parametrize("casting", ["no", "equiv", "safe", "same_kind", "unsafe"])
@pytest.mark.parametrize("dtype", [None, np.float32, np.int8, np.float64])
@pytest.mark.parametrize("subscript", ["ij,jk->ik", "ii->i", "ij->"])
def test_explain_refuses_a_cast_exactly_when_einsum_does(subscript: str, dtype: type | None, casting: str) -> None:
    arrays = {"ij,jk->ik": [np.ones((2, 3), np.int64), np.ones((3, 2), np.int16)]}
    operands = arrays.get(subscript, [np.ones((3, 3), np.int64)])
    try:
        np.einsum(subscript, *operands, dtype=dtype, casting=casting)  # type: ignore[call-overload]
    except TypeError:
        with pytest.raises(TypeError, match="does not allow"):
            ep.explain(subscript, *operands, dtype=dtype, casting=casting)
    else:
        e = ep.explain(subscript, *operands, dtype=dtype, casting=casting)
        got = np.asarray(run(e.numpy_code, e.names, operands))
        assert np.array_equal(got, np.einsum(subscript, *operands, dtype=dtype, casting=casting))  # type: ignore[call-overload]
