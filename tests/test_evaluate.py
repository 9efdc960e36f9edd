"""The evaluator's dtypes, scalars and corner cases, against numpy."""

from __future__ import annotations

import numpy as np
import pytest

import einsum_puzzles as ep


def test_full_reduction_returns_a_numpy_scalar() -> None:
    result = ep.einsum("i->", np.arange(4.0))
    assert type(result) is np.float64
    assert result == 6.0
    assert type(ep.einsum("->", np.array(3))) is np.int64


def test_bool_sums_are_logical_or() -> None:
    result = ep.einsum("i->", np.array([True, True]))
    assert result is np.True_ or result == np.True_
    assert type(result) is np.bool_


def test_int8_sums_wrap_like_numpy() -> None:
    values = np.array([100, 100], dtype=np.int8)
    assert ep.einsum("i->", values) == np.einsum("i->", values) == -56


def test_mixed_dtypes_promote_like_numpy() -> None:
    a = np.arange(3, dtype=np.int32)
    b = np.arange(3, dtype=np.float32)
    assert ep.einsum("i,i", a, b).dtype == np.einsum("i,i", a, b).dtype == np.float64


def test_python_lists_and_scalars_are_accepted() -> None:
    assert ep.einsum("i,i", [1, 2], [3, 4]) == 11
    assert ep.einsum(",i->i", 2, [1, 2]).tolist() == [2, 4]


def test_object_arrays_work_like_numpy() -> None:
    a = np.array([1, 2, 3], dtype=object)
    assert ep.einsum("i,i", a, a) == np.einsum("i,i", a, a) == 14


def test_strings_are_refused_with_a_type_error() -> None:
    with pytest.raises(TypeError, match="einsum"):
        ep.einsum("i,i->i", np.array(["a", "b"]), np.array(["c", "d"]))
    with pytest.raises(TypeError, match="einsum"):
        ep.einsum("i->", np.array(["a", "b"]))


def test_a_view_of_one_operand_takes_any_dtype_like_numpy() -> None:
    # numpy returns a view when one operand is only transposed or diagonalised, whatever its dtype.
    words = np.array([["a", "b"], ["c", "d"]])
    assert ep.einsum("ij->ji", words).tolist() == np.einsum("ij->ji", words).tolist() == [["a", "c"], ["b", "d"]]


def test_identity_returns_a_new_view_not_the_input() -> None:
    a = np.arange(6.0).reshape(2, 3)
    out = ep.einsum("ij->ij", a)
    assert out is not a
    assert np.shares_memory(out, a)


def test_complex_values() -> None:
    rng = np.random.default_rng(1)
    a = rng.standard_normal((3, 4)) + 1j * rng.standard_normal((3, 4))
    b = rng.standard_normal((4, 2)) + 1j * rng.standard_normal((4, 2))
    np.testing.assert_allclose(ep.einsum("ij,jk->ik", a, b), np.einsum("ij,jk->ik", a, b))


def test_run_refuses_arrays_of_other_shapes() -> None:
    from einsum_puzzles.evaluate import run

    plan = ep.make_plan(ep.bind("ij->ji", (2, 3)))
    with pytest.raises(ValueError, match="this plan is for shapes"):
        run(plan, [np.ones((3, 2))])
