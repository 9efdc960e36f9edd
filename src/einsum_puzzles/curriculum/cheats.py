"""The cheatsheet as data: every line is an einsum and the plain numpy that computes the same.

The test suite evaluates every line on random operands of the given shapes and asserts equality. The
operands come from one random stream (``cheat_operands``), so no two of them are equal and a wrong
line such as ``x * x`` for ``ij,ij->ij`` fails (the seed drew every operand from the same seed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CheatEntry:
    """One cheatsheet line: an einsum and the plain numpy that computes the same."""

    group: str
    name: str
    subscript: str
    numpy: str
    """A numpy expression over the operands x, y, z (in that order)."""
    shapes: tuple[tuple[int, ...], ...]


def _c(group: str, name: str, subscript: str, numpy: str, *shapes: tuple[int, ...]) -> CheatEntry:
    return CheatEntry(group, name, subscript, numpy, shapes)


V3, V4, M23, M34, M32, T234 = (3,), (4,), (2, 3), (3, 4), (3, 2), (2, 3, 4)

CHEATSHEET: tuple[CheatEntry, ...] = (
    _c("one vector", "identity", "i->i", "x", V3),
    _c("one vector", "sum", "i->", "np.sum(x)", V3),
    _c("one matrix", "transpose", "ij->ji", "x.T", M23),
    _c("one matrix", "sum of all elements", "ij->", "np.sum(x)", M23),
    _c("one matrix", "column sums", "ij->j", "np.sum(x, axis=0)", M23),
    _c("one matrix", "row sums", "ij->i", "np.sum(x, axis=1)", M23),
    _c("square matrix", "diagonal", "ii->i", "np.diag(x)", (3, 3)),
    _c("square matrix", "trace", "ii->", "np.trace(x)", (3, 3)),
    _c("two vectors", "elementwise product", "i,i->i", "x * y", V3, V3),
    _c("two vectors", "dot product", "i,i->", "np.dot(x, y)", V3, V3),
    _c("two vectors", "outer product", "i,j->ij", "np.outer(x, y)", V3, V4),
    _c("two vectors", "transposed outer product", "i,j->ji", "np.outer(x, y).T", V3, V4),
    _c("two tensors", "elementwise product", "ijk,ijk->ijk", "x * y", T234, T234),
    _c("two tensors", "sum of the product", "ijk,ijk->", "np.sum(x * y)", T234, T234),
    _c("two tensors", "product summed over the last axis", "ijk,ijk->ij", "np.sum(x * y, axis=2)", T234, T234),
    _c("two tensors", "product summed over the first two axes", "ijk,ijk->k", "np.sum(x * y, axis=(0, 1))", T234, T234),
    _c("broadcasting", "scale each column", "ij,j->ij", "x * y", M34, V4),
    _c("broadcasting", "matrix-vector product", "ij,j->i", "x @ y", M34, V4),
    _c("broadcasting", "scale a stack by a matrix", "ijk,jk->ijk", "x * y", T234, M34),
    _c("broadcasting", "stack times matrix, summed over j", "ijk,jk->ik", "np.sum(x * y, axis=1)", T234, M34),
    _c("ellipsis", "swap the last two axes", "...ij->...ji", "np.swapaxes(x, -2, -1)", (2, 3, 4, 5)),
    _c("ellipsis", "sum the first axis", "i...->...", "np.sum(x, axis=0)", (2, 3, 4, 5)),
    _c("ellipsis", "move two axes to the end", "ij...->...ij", "np.moveaxis(x, [0, 1], [-2, -1])", (2, 3, 4, 5)),
    _c("ellipsis", "batched dot with a matrix", "...ij,ij->...i", "np.sum(x * y, axis=-1)", (2, 3, 4, 5), (4, 5)),
    _c("matrix products", "a.T @ b", "ki,kj->ij", "x.T @ y", M32, M32),
    _c("matrix products", "a @ b.T", "ik,jk->ij", "x @ y.T", M32, M32),
    _c("matrix products", "matrix product", "ij,jk->ik", "x @ y", M23, M34),
    _c("matrix products", "transposed product", "ij,jk->ki", "(x @ y).T", M23, M34),
    _c("matrix products", "batched product", "bij,bjk->bik", "x @ y", (5, 2, 3), (5, 3, 4)),
    _c("matrix products", "row sums of a @ b.T", "ik,jk->i", "np.sum(x @ y.T, axis=1)", M32, M32),
    _c("matrix products", "column sums of a @ b.T", "ik,jk->j", "np.sum(x @ y.T, axis=0)", M32, M32),
    _c("matrix products", "sum of a @ b.T", "ik,jk->", "np.sum(x @ y.T)", M32, M32),
    _c("matrix products", "chain of three", "ij,jk,kl->il", "x @ y @ z", M23, M34, (4, 5)),
    _c("tensordot", "contract two axes", "ikl,jkl->ij", "np.tensordot(x, y, axes=([1, 2], [1, 2]))", T234, T234),
    _c(
        "tensordot",
        "contract two axes, sum the first",
        "ikl,jkl->j",
        "np.sum(np.tensordot(x, y, axes=([1, 2], [1, 2])), axis=0)",
        T234,
        T234,
    ),
    _c(
        "tensordot",
        "contract one axis, reorder",
        "ijm,lkm->ijkl",
        "np.transpose(np.tensordot(x, y, axes=([2], [2])), (0, 1, 3, 2))",
        T234,
        T234,
    ),
    _c(
        "tensordot",
        "contract one axis, keep the outer axes",
        "ijm,lkm->il",
        "np.sum(np.tensordot(x, y, axes=([2], [2])), axis=(1, 3))",
        T234,
        T234,
    ),
    _c(
        "tensordot",
        "contract one axis, sum the rest",
        "ijm,lkm->",
        "np.sum(np.tensordot(x, y, axes=([2], [2])))",
        T234,
        T234,
    ),
    _c("two matrices", "elementwise product", "ij,ij->ij", "x * y", M32, M32),
    _c("two matrices", "column sums of the product", "ij,ij->j", "np.sum(x * y, axis=0)", M32, M32),
    _c("two matrices", "row sums of the product", "ij,ij->i", "np.sum(x * y, axis=1)", M32, M32),
    _c("forms", "bilinear form", "i,ij,j->", "x @ y @ z", V3, M34, V4),
    _c("forms", "Frobenius inner product", "ij,ij->", "np.sum(x * y)", M23, M23),
    _c("forms", "batched trace", "bii->b", "np.trace(x, axis1=1, axis2=2)", (4, 3, 3)),
)


def cheat_operands(seed: int = 0) -> list[list[Any]]:
    """Random operands for every line, all drawn from one stream: no two operands are equal."""
    import numpy as np

    rng = np.random.default_rng(seed)
    return [[rng.standard_normal(shape) for shape in entry.shapes] for entry in CHEATSHEET]
