"""Shared helpers: compare the project's einsum with numpy's."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest
from hypothesis import settings

import einsum_puzzles as ep

# CI replays a fixed set of examples (reproducible runs); local runs keep exploring new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")


def numpy_outcome(subscript: str, arrays: list[np.ndarray]) -> tuple[bool, Any]:
    """(True, result) when np.einsum accepts the call, (False, exception) when it raises."""
    try:
        return True, np.einsum(subscript, *arrays)
    except Exception as exc:  # numpy raises ValueError (and UnicodeEncodeError for non-ASCII)
        return False, exc


def assert_same_result(ours: Any, theirs: Any) -> None:
    assert type(ours) is type(theirs), (type(ours), type(theirs))
    assert np.shape(ours) == np.shape(theirs)
    assert np.asarray(ours).dtype == np.asarray(theirs).dtype
    dtype = np.asarray(theirs).dtype
    if dtype.kind in "fc":
        tolerance = float(np.finfo(dtype).eps) * 1000
        np.testing.assert_allclose(ours, theirs, rtol=tolerance, atol=tolerance)
    else:
        np.testing.assert_array_equal(ours, theirs)


def random_arrays(shapes: list[tuple[int, ...]], dtype: Any = np.float64, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    arrays = []
    for shape in shapes:
        if np.dtype(dtype).kind == "b":
            arrays.append(rng.integers(0, 2, size=shape).astype(bool))
        elif np.dtype(dtype).kind in "iu":
            arrays.append(rng.integers(-5, 6, size=shape).astype(dtype))
        else:
            arrays.append(rng.standard_normal(shape).astype(dtype))
    return arrays


def check_against_numpy(subscript: str, shapes: list[tuple[int, ...]], dtype: Any = np.float64) -> str | None:
    """Assert ep.bind/ep.einsum agree with np.einsum; return our error kind (None when valid)."""
    arrays = random_arrays(shapes, dtype)
    ok, theirs = numpy_outcome(subscript, arrays)
    if not ok:
        with pytest.raises(ep.EinsumError) as info:
            ep.bind(subscript, *shapes)
        with pytest.raises(ep.EinsumError):
            ep.einsum(subscript, *arrays)
        return info.value.kind
    contraction = ep.bind(subscript, *shapes)
    ours = ep.einsum(subscript, *arrays)
    assert contraction.output_shape == np.shape(theirs)
    assert_same_result(ours, theirs)
    return None


def numpy_zero_size_diagonal_bug(subscript: str, shapes: list[tuple[int, ...]]) -> bool:
    """numpy's one-operand view path (no label summed) treats a first diagonal size of 0 as "unset":
    ``np.einsum('kk->k', np.ones((0, 2)))`` returns a (2,) view of unallocated memory instead of raising.
    We raise the diagonal-size error (docs/core.md); tests skip exactly these cases."""
    if len(shapes) != 1:
        return False
    try:
        sub = ep.parse(subscript)
    except ep.EinsumError:
        return False
    term, shape = sub.inputs[0], shapes[0]
    if not sub.explicit or len(term.labels) > len(shape):
        return False
    if any(label not in sub.output.labels for label in term.labels):
        return False
    labels = list(term.labels)
    if term.ellipsis is not None:
        labels = labels[: term.ellipsis] + ["."] * (len(shape) - len(labels)) + labels[term.ellipsis :]
    for label in set(term.labels):
        sizes = [size for name, size in zip(labels, shape) if name == label]
        if len(sizes) > 1 and sizes[0] == 0 and len(set(sizes)) > 1:
            return True
    return False


from tests.postgres import postgres  # noqa: E402, F401  (the throwaway PostgreSQL: a session fixture)
