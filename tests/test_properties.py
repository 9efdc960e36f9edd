"""Hypothesis: random subscripts and shapes, valid and mutated, against np.einsum (optimize=False).

numpy raises <=> ``ep.bind`` raises ``EinsumError`` (and ``ep.einsum`` too); otherwise the output
shape, dtype and values agree. Any other exception from our code fails the test.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import einsum_puzzles as ep

from .conftest import assert_same_result, numpy_outcome, numpy_zero_size_diagonal_bug, random_arrays

LABELS = "ijkIJa"
DTYPES = [np.int64, np.bool_, np.float64, np.int8, np.float32]
SETTINGS = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def valid_cases(draw: st.DrawFn) -> tuple[str, list[tuple[int, ...]]]:
    """A subscript with shapes that usually satisfy numpy (sizes 0-3, size-1 broadcasting, ellipsis)."""
    n_ops = draw(st.integers(1, 4))
    sizes = {label: draw(st.sampled_from([1, 2, 3, 2, 3, 0])) for label in LABELS}
    ellipsis_shape = tuple(draw(st.lists(st.sampled_from([1, 2, 3]), max_size=2)))
    terms: list[str] = []
    shapes: list[tuple[int, ...]] = []
    for _ in range(n_ops):
        labels = draw(st.lists(st.sampled_from(LABELS), max_size=4))
        shape = [1 if draw(st.integers(0, 6)) == 0 else sizes[label] for label in labels]
        # A repeated label needs one size inside its operand.
        first: dict[str, int] = {}
        for axis, label in enumerate(labels):
            shape[axis] = first.setdefault(label, shape[axis])
        term = "".join(labels)
        if draw(st.booleans()) and draw(st.booleans()):
            where = draw(st.integers(0, len(labels)))
            covered = draw(st.integers(0, len(ellipsis_shape)))
            dims = list(ellipsis_shape[len(ellipsis_shape) - covered :])
            dims = [1 if draw(st.integers(0, 5)) == 0 else size for size in dims]
            term = term[:where] + "..." + term[where:]
            shape = shape[:where] + dims + shape[where:]
        terms.append(term)
        shapes.append(tuple(shape))
    subscript = ",".join(terms)
    if draw(st.booleans()):
        used = sorted({c for t in terms for c in t if c.isalpha()})
        out = draw(st.lists(st.sampled_from(used), unique=True)) if used else []
        output = "".join(draw(st.permutations(out)))
        if any("..." in t for t in terms) and draw(st.integers(0, 4)) > 0:
            where = draw(st.integers(0, len(output)))
            output = output[:where] + "..." + output[where:]
        subscript += "->" + output
    if draw(st.integers(0, 5)) == 0:
        subscript = _sprinkle_spaces(draw, subscript)
    return subscript, shapes


def _sprinkle_spaces(draw: st.DrawFn, text: str) -> str:
    where = draw(st.integers(0, len(text)))
    return text[:where] + " " + text[where:]


@st.composite
def mutated_cases(draw: st.DrawFn) -> tuple[str, list[tuple[int, ...]]]:
    """A valid-looking case with one random change: to the text, a shape, or the operand count."""
    subscript, shapes = draw(valid_cases())
    choice = draw(st.integers(0, 5))
    if choice == 0 and subscript:
        where = draw(st.integers(0, len(subscript) - 1))
        subscript = subscript[:where] + subscript[where + 1 :]
    elif choice == 1:
        where = draw(st.integers(0, len(subscript)))
        char = draw(st.sampled_from(list("ij.,->  .Z1_") + ["->", "...", "\t"]))
        subscript = subscript[:where] + char + subscript[where:]
    elif choice == 2:
        index = draw(st.integers(0, len(shapes) - 1))
        shape = list(shapes[index])
        if shape and draw(st.booleans()):
            axis = draw(st.integers(0, len(shape) - 1))
            shape[axis] = draw(st.integers(0, 4))
        elif shape and draw(st.booleans()):
            shape.pop(draw(st.integers(0, len(shape) - 1)))
        else:
            shape.insert(draw(st.integers(0, len(shape))), draw(st.integers(1, 3)))
        shapes[index] = tuple(shape)
    elif choice == 3:
        if len(shapes) > 1 and draw(st.booleans()):
            shapes.pop()
        else:
            shapes.append(draw(st.sampled_from([(), (2,), (3, 2)])))
    elif choice == 4 and "->" in subscript:
        subscript = subscript.split("->")[0] + "->" + draw(st.text(alphabet="ijkIJaz.", max_size=4))
    return subscript, shapes


def _compare(subscript: str, shapes: list[tuple[int, ...]], dtype: Any) -> None:
    arrays = random_arrays(shapes, dtype, seed=len(subscript))
    ok, theirs = numpy_outcome(subscript, arrays)
    if numpy_zero_size_diagonal_bug(subscript, shapes):
        with pytest.raises(ep.EinsumError, match="diagonal needs equal sizes"):
            ep.bind(subscript, *shapes)
        return
    if not ok:
        try:
            ep.bind(subscript, *shapes)
        except ep.EinsumError:
            pass
        else:
            raise AssertionError(f"numpy raised {theirs!r} but ep.bind accepted {subscript!r} {shapes}")
        try:
            ep.einsum(subscript, *arrays)
        except ep.EinsumError:
            return
        raise AssertionError(f"numpy raised {theirs!r} but ep.einsum accepted {subscript!r} {shapes}")
    contraction = ep.bind(subscript, *shapes)
    assert contraction.output_shape == np.shape(theirs)
    assert_same_result(ep.einsum(subscript, *arrays), theirs)


@SETTINGS
@given(valid_cases(), st.sampled_from(DTYPES))
def test_random_cases_agree_with_numpy(case: tuple[str, list[tuple[int, ...]]], dtype: Any) -> None:
    _compare(*case, dtype)


@SETTINGS
@given(mutated_cases(), st.sampled_from(DTYPES))
def test_mutated_cases_agree_with_numpy(case: tuple[str, list[tuple[int, ...]]], dtype: Any) -> None:
    _compare(*case, dtype)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ijkIJ.,-> 1é\0", max_size=12), st.integers(1, 3))
def test_arbitrary_text_agrees_with_numpy(text: str, n_ops: int) -> None:
    shapes = [(2,) * 2 for _ in range(n_ops)]
    _compare(text, shapes, np.int64)


@settings(max_examples=200, deadline=None)
@given(valid_cases())
def test_parse_is_stable_under_canonical_spelling(case: tuple[str, list[tuple[int, ...]]]) -> None:
    subscript, shapes = case
    try:
        contraction = ep.bind(subscript, *shapes)
    except ep.EinsumError:
        assume(False)
        return
    again = ep.bind(contraction.subscript.canonical(), *shapes)
    assert again.output_shape == contraction.output_shape
    assert dict(again.sizes) == dict(contraction.sizes)
