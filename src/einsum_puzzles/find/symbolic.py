"""Symbolic tracing: every value is a sum of products of operands, every axis a label.

A traced value is ``Sym(axes, factors)``: the factors are the operands multiplied together, each with
one label per axis; ``axes`` are the labels of the value's own axes; every other label is summed.
So ``a @ b`` is ``Sym(axes=(i, k), factors=(("a", (i, j)), ("b", (j, k))))``, which is the einsum
``ij,jk->ik``. Operations only rename, drop or tie labels (a union-find), which is why the result is
always one einsum. A size-1 axis that no operand has (made by ``None`` indexing or ``keepdims``) is a
``Phantom``: it may broadcast against a real axis (and then takes its label), but it may not survive to
the result, since einsum cannot create axes.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass

from ..contraction import bind
from ..errors import EinsumError
from .walker import OpError


@dataclass(frozen=True, eq=False)
class Phantom:
    """A size-1 axis that comes from no operand; ``node`` is the code that made it."""

    node: ast.AST | None


Axis = int | Phantom
Factor = tuple[str, tuple[int, ...]]
MAX_FACTORS = 32
"""Operands in one traced product (numpy's einsum takes at most 32 without optimize)."""


@dataclass(frozen=True)
class Sym:
    axes: tuple[Axis, ...]
    factors: tuple[Factor, ...]


class SymbolicBackend:
    """Traces operations on ``Sym`` values; refuses (``OpError``) what one einsum cannot do."""

    def __init__(self, shapes: dict[str, tuple[int, ...]], complex_operands: frozenset[str] = frozenset()) -> None:
        self.shapes = shapes
        self.complex_operands = complex_operands
        self.parent: list[int] = []
        self.sizes: list[int] = []
        self.created: list[int] = []
        """Each label's size when it was made (``sizes`` keeps the broadcast size of each root)."""
        self.node: ast.AST | None = None

    def locate(self, node: ast.AST) -> None:
        self.node = node

    # --- labels -------------------------------------------------------------------------------------
    def fresh(self, size: int) -> int:
        self.parent.append(len(self.parent))
        self.sizes.append(size)
        self.created.append(size)
        return len(self.parent) - 1

    def find(self, label: int) -> int:
        root = label
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[label] != root:
            self.parent[label], label = root, self.parent[label]
        return root

    def size(self, axis: Axis) -> int:
        return 1 if isinstance(axis, Phantom) else self.sizes[self.find(axis)]

    def tie(self, a: Axis, b: Axis, exact: bool, what: str) -> Axis:
        """One axis from two: broadcasting (``exact=False``: a size 1 stretches) or a contraction."""
        sa, sb = self.size(a), self.size(b)
        if sa != sb and (exact or 1 not in (sa, sb)):
            raise OpError(f"{what}: sizes {sa} and {sb} do not match")
        if isinstance(a, Phantom):
            return b
        if isinstance(b, Phantom):
            return a
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra
            self.sizes[ra] = max(sa, sb)
        return ra

    # --- values -------------------------------------------------------------------------------------
    def join(self, *parts: tuple[Factor, ...]) -> tuple[Factor, ...]:
        factors = tuple(factor for part in parts for factor in part)
        if len(factors) > MAX_FACTORS:
            raise OpError(
                f"this would multiply {len(factors)} operands in one einsum; numpy takes at most {MAX_FACTORS}"
            )
        return factors

    def operand(self, name: str) -> Sym:
        labels = tuple(self.fresh(size) for size in self.shapes[name])
        return Sym(labels, ((name, labels),))

    def reuse(self, value: Sym) -> Sym:
        """A variable used again: the same sum of products over new labels (its sums stay separate)."""
        renamed: dict[int, int] = {}

        def new(label: int) -> int:
            root = self.find(label)
            if root not in renamed:
                renamed[root] = self.fresh(self.sizes[root])
            return renamed[root]

        factors = tuple((name, tuple(new(label) for label in labels)) for name, labels in value.factors)
        axes = tuple(axis if isinstance(axis, Phantom) else new(axis) for axis in value.axes)
        return Sym(axes, factors)

    def shape(self, value: Sym) -> tuple[int, ...]:
        return tuple(self.size(axis) for axis in value.axes)

    def broadcast(self, x: Sequence[Axis], y: Sequence[Axis], what: str) -> tuple[Axis, ...]:
        n = max(len(x), len(y))
        px = [Phantom(None)] * (n - len(x)) + list(x)
        py = [Phantom(None)] * (n - len(y)) + list(y)
        if any(self.size(a) != self.size(b) and 1 not in (self.size(a), self.size(b)) for a, b in zip(px, py)):
            raise OpError(
                f"{what}: shapes {self._shape(x)} and {self._shape(y)} do not broadcast together "
                "(each pair of sizes, from the right, must be equal or 1)"
            )
        return tuple(self.tie(a, b, False, what) for a, b in zip(px, py))

    def _shape(self, axes: Sequence[Axis]) -> tuple[int, ...]:
        return tuple(self.size(axis) for axis in axes)

    def multiply(self, x: Sym, y: Sym) -> Sym:
        return Sym(self.broadcast(x.axes, y.axes, "multiplying"), self.join(x.factors, y.factors))

    def contract(self, x: Sym, y: Sym, ax: Sequence[int], ay: Sequence[int], what: str) -> Sym:
        for i, j in zip(ax, ay):
            sa, sb = self.size(x.axes[i]), self.size(y.axes[j])
            if sa != sb:
                raise OpError(
                    f"{what}: axis {i} of the first array has size {sa} but axis {j} of the second has size {sb}"
                )
        for i, j in zip(ax, ay):
            self.tie(x.axes[i], y.axes[j], True, what)
        kept = tuple(a for k, a in enumerate(x.axes) if k not in ax) + tuple(
            a for k, a in enumerate(y.axes) if k not in ay
        )
        return Sym(kept, self.join(x.factors, y.factors))

    def matmul(self, x: Sym, y: Sym) -> Sym:
        nx, ny = len(x.axes), len(y.axes)
        if nx == 0 or ny == 0:
            raise OpError("matmul does not take 0-d arrays (scalars); multiply with * instead")
        batch_x, rows, kx = (x.axes[:-2], x.axes[-2:-1], x.axes[-1]) if nx >= 2 else ((), (), x.axes[0])
        batch_y, ky, cols = (y.axes[:-2], y.axes[-2], y.axes[-1:]) if ny >= 2 else ((), y.axes[0], ())
        if self.size(kx) != self.size(ky):
            raise OpError(
                f"matmul: the last axis of the first array (size {self.size(kx)}) must match the "
                f"{'second-to-last' if ny >= 2 else 'only'} axis of the second (size {self.size(ky)})"
            )
        batch = self.broadcast(batch_x, batch_y, "matmul's batch axes")
        self.tie(kx, ky, True, "matmul")
        return Sym(batch + rows + cols, self.join(x.factors, y.factors))

    def dot(self, x: Sym, y: Sym) -> Sym:
        nx, ny = len(x.axes), len(y.axes)
        if nx == 0 or ny == 0:
            return self.multiply(x, y)
        return self.contract(x, y, [nx - 1], [0 if ny == 1 else ny - 2], "dot")

    def inner(self, x: Sym, y: Sym) -> Sym:
        nx, ny = len(x.axes), len(y.axes)
        if nx == 0 or ny == 0:
            return self.multiply(x, y)
        return self.contract(x, y, [nx - 1], [ny - 1], "inner")

    def outer(self, x: Sym, y: Sym) -> Sym:
        parts = []
        for value in (x, y):
            if len(value.axes) >= 2:
                raise OpError(
                    f"np.outer flattens its {len(value.axes)}-d input into one axis (a reshape), and einsum "
                    "keeps every axis whole: take the outer product with broadcasting instead"
                )
            parts.append(value.axes if value.axes else (Phantom(self.node),))
        return Sym(parts[0] + parts[1], self.join(x.factors, y.factors))

    def vdot(self, x: Sym, y: Sym) -> Sym:
        if any(name in self.complex_operands for name, _ in x.factors):
            raise OpError("np.vdot conjugates a complex first argument, and einsum never conjugates")
        if self.shape(x) != self.shape(y):
            raise OpError(
                f"np.vdot flattens its inputs; shapes {self.shape(x)} and {self.shape(y)} differ, so pairing "
                "their elements needs a reshape, which einsum cannot do"
            )
        n = len(x.axes)
        return self.contract(x, y, list(range(n)), list(range(n)), "vdot")

    def tensordot(self, x: Sym, y: Sym, axes_x: tuple[int, ...], axes_y: tuple[int, ...]) -> Sym:
        return self.contract(x, y, axes_x, axes_y, "tensordot")

    def einsum(self, subscript: str, operands: Sequence[Sym]) -> Sym:
        try:
            contraction = bind(subscript, *(self.shape(op) for op in operands))
        except EinsumError as error:
            raise OpError(f"this einsum is invalid: {error.message}") from None
        axis_of: dict[str, Axis] = {}
        for value, bound in zip(operands, contraction.operands):
            for axis, letter in zip(value.axes, bound.axis_labels):
                axis_of[letter] = axis if letter not in axis_of else self.tie(axis_of[letter], axis, False, "einsum")
        factors = self.join(*(value.factors for value in operands))
        return Sym(tuple(axis_of[letter] for letter in contraction.output_labels), factors)

    def sum(self, x: Sym, axes: tuple[int, ...], keepdims: bool) -> Sym:
        kept: list[Axis] = []
        for k, axis in enumerate(x.axes):
            if k not in axes:
                kept.append(axis)
            elif keepdims:
                kept.append(Phantom(self.node))
        return Sym(tuple(kept), x.factors)

    def transpose(self, x: Sym, order: tuple[int, ...]) -> Sym:
        return Sym(tuple(x.axes[k] for k in order), x.factors)

    def diagonal(self, x: Sym, axis1: int, axis2: int) -> Sym:
        s1, s2 = self.size(x.axes[axis1]), self.size(x.axes[axis2])
        if s1 != s2:
            raise OpError(
                f"the diagonal of a {s1}x{s2} block is not square: numpy stops at the shorter side, but "
                "einsum's repeated label needs equal sizes"
            )
        tied = self.tie(x.axes[axis1], x.axes[axis2], True, "diagonal")
        rest = tuple(a for k, a in enumerate(x.axes) if k not in (axis1, axis2))
        return Sym((*rest, tied), x.factors)

    def squeeze(self, x: Sym, axes: tuple[int, ...]) -> Sym:
        # A size-1 axis of an operand leaves the result: summing over one element changes nothing.
        return Sym(tuple(a for k, a in enumerate(x.axes) if k not in axes), x.factors)

    def index(self, x: Sym, spec: tuple[bool, ...]) -> Sym:
        axes = iter(x.axes)
        return Sym(tuple(Phantom(self.node) if new else next(axes) for new in spec), x.factors)
