"""``ep.einsum`` as a drop-in for ``np.einsum``: the sublist form and the keywords, against numpy.

numpy's own test file runs against ``ep.einsum`` in ``test_numpy_einsum_suite.py``; here are the
cases it does not pin down, and a hypothesis run of random calls with random keywords.
"""

from __future__ import annotations

import string
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import einsum_puzzles as ep

from .conftest import assert_same_result, numpy_zero_size_diagonal_bug, random_arrays
from .test_properties import valid_cases

LETTERS = string.ascii_uppercase + string.ascii_lowercase


def outcome(function: Any, *args: Any, **kwargs: Any) -> tuple[bool, Any]:
    try:
        return True, function(*args, **kwargs)
    except Exception as exc:
        return False, exc


def to_sublists(subscript: str, arrays: list[np.ndarray]) -> list[Any]:
    """'ij,j...->i...' -> [a, [i, j], b, [j, Ellipsis], [i, Ellipsis]] with numpy's label numbers."""

    def term(text: str) -> list[Any]:
        items: list[Any] = []
        text = text.replace(" ", "").replace("...", ".")
        for char in text:
            items.append(Ellipsis if char == "." else LETTERS.index(char))
        return items

    inputs, _, output = subscript.partition("->")
    call: list[Any] = []
    for array, text in zip(arrays, inputs.split(",")):
        call += [array, term(text)]
    if "->" in subscript:
        call.append(term(output))
    return call


# The sublist form ------------------------------------------------------------------------------


def test_sublist_form_matches_numpy() -> None:
    a = np.arange(6.0).reshape(2, 3)
    b = np.arange(12.0).reshape(3, 4)
    assert_same_result(ep.einsum(a, [0, 1], b, [1, 2], [0, 2]), np.einsum(a, [0, 1], b, [1, 2], [0, 2]))
    assert_same_result(ep.einsum(a, [0, 1], b, [1, 2]), np.einsum(a, [0, 1], b, [1, 2]))
    # Numbers past 25 are lowercase letters in numpy's reading; the implicit output is in number order.
    assert_same_result(ep.einsum(a, [30, 2]), np.einsum(a, [30, 2]))
    assert_same_result(ep.einsum(a, (0, 51), b, range(51, 49, -1)), np.einsum(a, (0, 51), b, range(51, 49, -1)))
    c = np.arange(24.0).reshape(2, 3, 4)
    assert_same_result(ep.einsum(c, [Ellipsis, 0], [0, Ellipsis]), np.einsum(c, [Ellipsis, 0], [0, Ellipsis]))
    assert_same_result(ep.einsum(a, np.array([0, 0])[:1].tolist() + [1]), np.einsum(a, [0, 1]))


@pytest.mark.parametrize(
    ("call", "error"),
    [
        ((), ValueError),
        ((np.ones(2),), ValueError),
        ((np.ones(2), [52]), ValueError),
        ((np.ones(2), [-1]), ValueError),
        ((np.ones((2, 2)), [Ellipsis, 0, Ellipsis]), ValueError),
        ((np.ones(2), 0), TypeError),
        ((np.ones(2), None), TypeError),
        ((np.ones(2), "i"), TypeError),
        ((np.ones(2), [0.0]), TypeError),
        ((np.ones(2), [0], None), TypeError),
        ((0, 0), TypeError),
    ],
)
def test_sublist_errors_have_numpys_exception_class(call: tuple[Any, ...], error: type[Exception]) -> None:
    with pytest.raises(error):
        np.einsum(*call)
    with pytest.raises(error) as info:
        ep.einsum(*call)
    assert "sublist" in str(info.value) or "operand" in str(info.value)
    if error is ValueError:
        assert isinstance(info.value, ep.EinsumError)


# Keywords ----------------------------------------------------------------------------------------


def test_out_is_written_in_place_and_returned() -> None:
    a = np.arange(6.0).reshape(2, 3)
    out = np.full((2, 2), 7.0)
    assert ep.einsum("ij,kj->ik", a, a, out=out) is out
    np.testing.assert_array_equal(out, a @ a.T)
    zero_d = np.array(0.0)
    assert ep.einsum("ij,ij->", a, a, out=zero_d) is zero_d
    assert zero_d == 55.0


@pytest.mark.parametrize(
    ("subscript", "shapes"),
    [
        ("ij,jk->ik", [(3, 4), (4, 5)]),
        ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
        ("ij,ij->ij", [(3, 5), (3, 5)]),
        ("ijk->ik", [(3, 4, 5)]),
        ("ij,jk->ki", [(5, 4), (4, 3)]),
    ],
)
def test_out_of_any_layout_is_filled_with_the_result(subscript: str, shapes: list[tuple[int, ...]]) -> None:
    arrays = random_arrays(shapes, np.float64, seed=4)
    expected = np.einsum(subscript, *arrays)
    layouts = [
        np.empty(expected.shape),
        np.empty(expected.shape, order="F"),
        np.empty((*expected.shape[:-1], 2 * expected.shape[-1]))[..., ::2],
        np.empty(expected.shape[::-1]).T,
    ]
    for out in layouts:
        assert ep.einsum(subscript, *arrays, out=out) is out
        np.testing.assert_allclose(out, expected, rtol=1e-12)
        assert ep.einsum(subscript, *arrays, out=out, optimize=True) is out
        np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_out_may_overlap_an_operand() -> None:
    a = np.arange(9.0).reshape(3, 3)
    expected = a @ a
    assert ep.einsum("ij,jk->ik", a, a, out=a) is a
    np.testing.assert_array_equal(a, expected)
    b = np.arange(4.0).reshape(2, 2)
    ep.einsum("ij->ji", b, out=b)
    np.testing.assert_array_equal(b, [[0.0, 2.0], [1.0, 3.0]])


def test_out_dtype_joins_the_computing_dtype_without_optimize() -> None:
    # numpy computes in the common dtype of the operands and out: int8 products do not wrap into int64.
    a = np.array([100, 100], dtype=np.int8)
    for optimize in (False, True):
        ours, theirs = np.zeros((), np.int64), np.zeros((), np.int64)
        ep.einsum("i,i->", a, a, out=ours, optimize=optimize)
        np.einsum("i,i->", a, a, out=theirs, optimize=optimize)
        assert ours == theirs
    assert np.einsum("i,i->", a, a, out=np.zeros((), np.int64)) == 20000


def test_out_with_a_pairwise_optimize_is_assigned_like_numpy() -> None:
    ones = np.ones(7)
    out = np.array(0)
    with pytest.raises(TypeError, match="casting"):
        ep.einsum("i,i->", ones, ones, out=out)
    assert ep.einsum("i,i->", ones, ones, out=out, optimize="optimal") is out
    assert out == 7


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"out": "test"}, TypeError),
        ({"out": [0.0, 0.0]}, TypeError),
        ({"out": np.zeros(3)}, ValueError),
        ({"out": np.zeros((2, 2))}, ValueError),
        ({"out": np.zeros(2, dtype=np.int64)}, TypeError),
        ({"order": "W"}, ValueError),
        ({"order": 1}, TypeError),
        ({"casting": "blah"}, ValueError),
        ({"casting": "same_value"}, ValueError),
        ({"casting": None}, TypeError),
        ({"dtype": "bad_data_type"}, TypeError),
        ({"dtype": "f4"}, TypeError),
        ({"dtype": "U3", "casting": "unsafe"}, TypeError),
        ({"bad_arg": 0}, TypeError),
        ({"optimize": 1}, TypeError),
        ({"optimize": np.True_}, TypeError),
        ({"optimize": ("greedy",)}, TypeError),
        ({"optimize": []}, TypeError),
    ],
)
def test_keyword_errors_have_numpys_exception_class(kwargs: dict[str, Any], error: type[Exception]) -> None:
    a = np.arange(6.0).reshape(2, 3)
    with pytest.raises(error):
        np.einsum("ij->i", a, **kwargs)
    with pytest.raises(error) as info:
        ep.einsum("ij->i", a, **kwargs)
    if error is ValueError:
        assert isinstance(info.value, ep.EinsumError)


def test_read_only_out_is_refused() -> None:
    out = np.zeros(2)
    out.flags.writeable = False
    with pytest.raises(ep.EinsumError, match="read-only"):
        ep.einsum("ij->i", np.ones((2, 3)), out=out)


def test_out_broadcasts_a_size_one_result_axis_like_numpy() -> None:
    a = np.ones((1, 4))
    ours, theirs = np.zeros(3), np.zeros(3)
    ep.einsum("ij->i", a, out=ours)
    np.einsum("ij->i", a, out=theirs)
    np.testing.assert_array_equal(ours, theirs)


def test_dtype_and_casting() -> None:
    a = np.arange(6).reshape(2, 3)
    result = ep.einsum("ij,kj->ik", a, a, dtype=np.float32, casting="same_kind")
    assert result.dtype == np.float32
    with pytest.raises(TypeError, match="casting='safe'"):
        ep.einsum("ij,kj->ik", a, a, dtype=np.float32)
    mixed = (np.ones(2, np.int32), np.ones(2))
    with pytest.raises(TypeError, match="casting='no'"):
        ep.einsum("i,i->i", *mixed, casting="no")
    with pytest.raises(TypeError):
        np.einsum("i,i->i", *mixed, casting="no")
    truth = ep.einsum("i,i->i", np.array([0.0, 1.5]), np.array([2.0, 3.0]), dtype="?", casting="unsafe")
    assert truth.dtype == np.bool_
    assert truth.tolist() == [False, True]


@pytest.mark.parametrize("dtype", ["e", "g", "G", "F", "u1", "u8", "O", "?"])
def test_every_numpy_dtype_computes_like_numpy(dtype: str) -> None:
    a = np.arange(1, 7).reshape(2, 3).astype(dtype)
    b = np.arange(1, 13).reshape(3, 4).astype(dtype)
    for subscript, operands in [
        ("ij,jk->ik", (a, b)),
        ("ij,jk", (a, b)),
        ("ij->", (a,)),
        ("ij,ij->j", (a, a)),
        (",ij->i", (np.array(2).astype(dtype), a)),
    ]:
        assert_same_result(ep.einsum(subscript, *operands), np.einsum(subscript, *operands))


def test_object_arrays_run_python_arithmetic() -> None:
    numbers = np.arange(9, dtype=object)
    assert ep.einsum(",i->", 3, numbers) == 108
    fractions = np.array([__import__("fractions").Fraction(1, n) for n in range(1, 4)], dtype=object)
    assert ep.einsum("i,i", fractions, fractions) == np.einsum("i,i", fractions, fractions)


def test_order() -> None:
    a = np.ones((2, 3, 5), order="F")
    b = np.ones((4, 3), order="F")
    c = np.ones((4, 3))
    assert ep.einsum("...ft,mf->...mt", a, b, order="C").flags.c_contiguous
    assert ep.einsum("...ft,mf->...mt", a, b, order="f").flags.f_contiguous
    assert ep.einsum("...ft,mf->...mt", a, b, order="A").flags.f_contiguous
    assert ep.einsum("...ft,mf->...mt", a, c, order="A").flags.c_contiguous
    assert_same_result(ep.einsum("...ft,mf->...mt", a, b, order="C"), np.einsum("...ft,mf->...mt", a, b))


def test_views_where_numpy_returns_views() -> None:
    a = np.arange(9).reshape(3, 3)
    for call in [("ii->i", a), ("ji", a), ("...", a), (a, [1, 0]), (a, [0, 0], [0])]:
        ours, theirs = ep.einsum(*call), np.einsum(*call)
        assert ours.base is a.base
        assert ours.flags.writeable == theirs.flags.writeable
        np.testing.assert_array_equal(ours, theirs)
    # numpy's view ignores dtype, casting and order; so does ours.
    view = ep.einsum("ij->ji", a, dtype=np.float32, order="C")
    assert view.base is a.base
    assert view.dtype == np.einsum("ij->ji", a, dtype=np.float32, order="C").dtype
    a.flags.writeable = False
    assert not ep.einsum("ii->i", a).flags.writeable


# optimize ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "optimize",
    [True, False, None, "greedy", "optimal", ("greedy", 0), ("optimal", 1e9), ["einsum_path", (1, 2), (0, 1)]],
)
def test_every_optimize_form_gives_the_same_result(optimize: Any) -> None:
    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal(shape) for shape in [(3, 4), (4, 5), (5, 2)]]
    expected = np.einsum("ij,jk,kl->il", *arrays)
    np.testing.assert_allclose(ep.einsum("ij,jk,kl->il", *arrays, optimize=optimize), expected)
    np.testing.assert_allclose(np.einsum("ij,jk,kl->il", *arrays, optimize=optimize), expected)


@pytest.mark.parametrize(
    ("path", "error"),
    [
        (["einsum_path", (0, 1)], RuntimeError),
        (["einsum_path"], RuntimeError),
        (["einsum_path", (0, 5), (0, 1)], IndexError),
        (["einsum_path", (-1, 0), (0, 1)], ValueError),
        (["einsum_path", 0, (0, 1)], TypeError),
    ],
)
def test_invalid_explicit_paths_are_refused_like_numpy(path: list[Any], error: type[Exception]) -> None:
    arrays = [np.ones((2, 2))] * 3
    with pytest.raises(error):
        np.einsum("ij,jk,kl->il", *arrays, optimize=path)
    with pytest.raises(error, match="einsum_path"):
        ep.einsum("ij,jk,kl->il", *arrays, optimize=path)


def test_unknown_path_names_are_refused_where_numpy_needs_a_path() -> None:
    a = np.ones((2, 2))
    with pytest.raises(KeyError):
        np.einsum("ij,jk,kl->il", a, a, a, optimize="fastest")
    with pytest.raises(KeyError, match="greedy"):
        ep.einsum("ij,jk,kl->il", a, a, a, optimize="fastest")
    # Two operands leave nothing to order, and numpy does not look the name up.
    assert_same_result(ep.einsum("ij,jk->ik", a, a, optimize="fastest"), np.einsum("ij,jk->ik", a, a))


# Random calls --------------------------------------------------------------------------------------

DTYPES = [np.int64, np.float64, np.float32, np.int8, np.bool_, np.complex128, np.uint8]
CASTINGS = ["no", "equiv", "safe", "same_kind", "unsafe"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    valid_cases(),
    st.sampled_from(DTYPES),
    st.one_of(st.none(), st.sampled_from(DTYPES)),
    st.one_of(st.none(), st.sampled_from(DTYPES)),
    st.sampled_from(CASTINGS),
    st.sampled_from(["K", "C", "F", "A"]),
    st.booleans(),
)
def test_random_calls_with_keywords_agree_with_numpy(
    case: tuple[str, list[tuple[int, ...]]],
    operand_dtype: Any,
    dtype: Any,
    out_dtype: Any,
    casting: str,
    order: str,
    sublists: bool,
) -> None:
    subscript, shapes = case
    assume(not numpy_zero_size_diagonal_bug(subscript, shapes))
    with warnings.catch_warnings():
        # Both warn when a cast drops imaginary parts; the outcome is what is compared here.
        warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
        _compare_call(subscript, shapes, operand_dtype, dtype, out_dtype, casting, order, sublists)


def _compare_call(
    subscript: str,
    shapes: list[tuple[int, ...]],
    operand_dtype: Any,
    dtype: Any,
    out_dtype: Any,
    casting: str,
    order: str,
    sublists: bool,
) -> None:
    arrays = random_arrays(shapes, operand_dtype, seed=len(subscript))
    call: list[Any] = [subscript, *arrays]
    if sublists and outcome(ep.parse, subscript)[0]:  # a space inside '->' or '...' has no sublist form
        call = to_sublists(subscript, arrays)
    kwargs: dict[str, Any] = {"casting": casting, "order": order}
    if dtype is not None:
        kwargs["dtype"] = dtype
    ok, expected = outcome(np.einsum, *call, **kwargs)
    if ok and out_dtype is not None:
        shape = np.shape(expected)
        theirs, ours = np.zeros(shape, out_dtype), np.zeros(shape, out_dtype)
        ok, expected = outcome(np.einsum, *call, out=theirs, **kwargs)
        kwargs["out"] = ours
    if not ok:
        with pytest.raises(type(expected) if isinstance(expected, TypeError) else ValueError):
            ep.einsum(*call, **kwargs)
        return
    result = ep.einsum(*call, **kwargs)
    if "out" in kwargs:
        assert result is kwargs["out"]
        assert ours.dtype == theirs.dtype
        # The values were computed in the coarsest of the dtypes involved, whatever out's dtype.
        floats = [np.dtype(d) for d in (operand_dtype, dtype, out_dtype) if d is not None]
        eps = max((float(np.finfo(d).eps) for d in floats if d.kind in "fc"), default=0.0)
        np.testing.assert_allclose(ours, theirs, rtol=eps * 1000, atol=eps * 1000)
        return
    assert_same_result(result, expected)
    if isinstance(expected, np.ndarray) and expected.ndim > 1 and order != "K":
        assert result.flags.c_contiguous == expected.flags.c_contiguous
        assert result.flags.f_contiguous == expected.flags.f_contiguous


# ep.explain takes the same call ---------------------------------------------------------------------


def test_explain_takes_the_sublist_form() -> None:
    a, b = np.ones((2, 3)), np.ones((3, 4))
    by_sublists = ep.explain(a, [0, 1], b, [1, 2], [0, 2])
    by_letters = ep.explain("AB,BC->AC", a, b)
    assert by_sublists.subscript == "AB,BC->AC"
    assert by_sublists.output_shape == (2, 4)
    assert by_sublists.prose == by_letters.prose
    assert ep.explain(a, [0, 1], b, [1, 2]).output_shape == np.einsum(a, [0, 1], b, [1, 2]).shape
    # Shapes stand in for arrays in the sublist form too.
    assert ep.explain((5, 3), [Ellipsis, 0], [0, Ellipsis]).output_shape == (3, 5)


def test_explain_takes_einsums_keywords_and_checks_them() -> None:
    a = np.arange(6, dtype=np.int16).reshape(2, 3)  # int16 -> float32 is a safe cast (int64 would be refused)
    explained = ep.explain("ij,kj->ik", a, a, dtype=np.float32, out=np.empty((2, 2)), optimize="greedy")
    assert explained.dtype == np.float32
    scope = {"a": a, "b": a, "np": np}
    exec(explained.numpy_code, scope)
    np.testing.assert_array_equal(scope["out"], a @ a.T)
    with pytest.raises(TypeError):
        ep.explain("ij->i", a, casting=3)
    with pytest.raises(ep.EinsumError, match="out has shape"):
        ep.explain("ij->i", a, out=np.empty(3))
    with pytest.raises(RuntimeError, match="einsum_path"):
        ep.explain("ij,jk,kl->il", (2, 2), (2, 2), (2, 2), optimize=["einsum_path", (0, 1)])
    with pytest.raises(TypeError):
        ep.explain("ij->i", a, bad_arg=1)
