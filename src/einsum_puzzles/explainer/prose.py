"""Name the familiar operation an einsum performs, and tell what it does in plain words.

``identify`` reads only the contraction's structure (which labels each operand has, which are kept,
shared, repeated), never the letters, so ``ab,bc->ac`` and ``ij,jk->ik`` are both a matrix product.
Where a short numpy spelling exists it is given as ``Operation.equivalent`` (the test suite evaluates
every one of them against ``np.einsum``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from ..contraction import Contraction, is_ellipsis_label
from .naming import every_text, join, labels_text, order_text, plural


@dataclass(frozen=True)
class Operation:
    name: str
    """The familiar name, e.g. "matrix product"."""
    summary: str
    """One sentence on what it computes, in the operands' names."""
    equivalent: str | None = None
    """A numpy expression (operands by name) that computes the same, when there is a short one."""


def identify(c: Contraction, names: Sequence[str] | None = None, verify: bool = True) -> Operation:
    from .naming import default_names

    names = tuple(names) if names is not None else default_names(len(c.operands), c.labels)
    operation = _Identifier(c, names).identify()
    stretched = [(label, role) for label, role in c.roles.items() if role.broadcast]
    if not stretched:
        return operation
    # With a size-1 axis stretched, the familiar name holds only if its numpy spelling computes the same on
    # these shapes (a * b broadcasts; a @ b refuses (2, 1) with (3, 4)): verified by running it.
    verdict = _equivalent_holds(c, names, operation.equivalent) if verify else None
    if verdict is True:
        return operation
    if all(is_ellipsis_label(label) for label, _ in stretched):
        return replace(operation, equivalent=None)
    parts = []
    alone = []
    who = ""
    for label, role in stretched:
        if is_ellipsis_label(label):
            continue
        who = join([names[i] for i in role.broadcast])
        parts.append(f"repeats {who} along '{label}' (size 1 there) to size {role.size}")
        full = [names[i] for i in role.operands if i not in role.broadcast]
        if role.summed and len(full) == 1:
            alone.append(f"{full[0]} is summed over '{label}' on its own")
    general = _Identifier(c, names).general()
    summary = "; ".join(parts)
    if isinstance(verdict, str) and operation.equivalent:
        summary += f" (so this is no {operation.name}: {operation.equivalent} {verdict} on these shapes)"
    summary += f"; then {general.summary}"
    if alone:
        summary += f" (as {who if len(parts) == 1 else 'the others'} is the same all along it, {join(alone)})"
    return Operation("product with size-1 broadcasting", summary)


VERIFY_LIMIT = 100_000
"""Operands up to this many elements in all are small enough to run a claimed numpy spelling on."""


def _equivalent_holds(c: Contraction, names: Sequence[str], equivalent: str | None) -> bool | str | None:
    """True when ``equivalent`` computes this einsum on random operands of these shapes, else what goes
    wrong ("raises an error", "gives other numbers"); None when there is no spelling or the operands are
    too large to try."""
    if not equivalent or sum(int(np.prod(shape)) for shape in c.shapes) > VERIFY_LIMIT:
        return None
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(shape) for shape in c.shapes]
    expected = np.einsum(c.subscript.text, *arrays)
    try:
        with np.errstate(all="ignore"):
            value = eval(equivalent, {"np": np, **dict(zip(names, arrays))})
    except Exception:
        return "raises an error"
    if np.shape(value) == np.shape(expected) and np.allclose(value, expected):
        return True
    return "gives other numbers"


class _Identifier:
    def __init__(self, c: Contraction, names: Sequence[str]) -> None:
        self.c = c
        self.names = names
        self.out = c.output_labels
        self.out_set = set(c.output_labels)
        self.labels = [tuple(dict.fromkeys(op.axis_labels)) for op in c.operands]
        self.has_diagonal = [len(set(op.axis_labels)) < len(op.axis_labels) for op in c.operands]
        self.summed = [label for label in c.labels if c.roles[label].summed]

    def identify(self) -> Operation:
        if len(self.c.operands) == 1:
            return self.unary()
        if any(self.has_diagonal):
            return self.general()
        if len(self.c.operands) == 2:
            return self.binary()
        return self.many()

    # one operand ---------------------------------------------------------------------------------
    def unary(self) -> Operation:
        (a,) = self.names
        op = self.c.operands[0]
        labels = self.labels[0]
        if self.has_diagonal[0]:
            repeated = [label for label in labels if op.axis_labels.count(label) > 1]
            others = [label for label in labels if label not in repeated]
            rep = labels_text(repeated)
            element = f"{a}[{_term_index(op.term.labels, op.term.ellipsis)}]"
            if all(label not in self.out_set for label in repeated) and all(label in self.out_set for label in others):
                if not others:
                    equivalent = f"np.trace({a})" if op.ndim == 2 else None
                    return Operation("trace", f"adds up the diagonal of {a}, the elements {element}", equivalent)
                return Operation(
                    "batched trace",
                    f"takes a trace of {a} over {rep}, once for {every_text(others)}",
                )
            if all(label in self.out_set for label in labels):
                if not others and op.ndim == 2:
                    return Operation("diagonal", f"takes the diagonal of {a}", f"np.diagonal({a})")
                return Operation(
                    "diagonal", f"takes the elements {element} of {a}, where the repeated {rep} axes agree"
                )
            return Operation("diagonal, then sum", f"takes a diagonal of {a} over {rep} and sums the rest away")
        if not self.summed:
            if self.out == labels:
                return Operation("identity", f"returns {a} unchanged", a)
            perm = tuple(labels.index(label) for label in self.out)
            if op.ndim == 2:
                return Operation("transpose", f"swaps the two axes of {a}", f"{a}.T")
            return Operation(
                "permutation of axes",
                f"reorders the axes of {a} to ({order_text(self.out)})",
                f"np.transpose({a}, {perm})",
            )
        if not self.out:
            return Operation("sum of all elements", f"adds up every element of {a}", f"np.sum({a})")
        axes = tuple(labels.index(label) for label in self.summed)
        kept_order = [label for label in labels if label in self.out_set]
        axis_text = str(axes[0]) if len(axes) == 1 else str(axes)
        equivalent = f"np.sum({a}, axis={axis_text})" if kept_order == list(self.out) else None
        which = labels_text(self.summed)
        name = "sum over an axis" if len(axes) == 1 else "sum over axes"
        return Operation(name, f"adds up {a} along {which}, keeping {labels_text(self.out)}", equivalent)

    # two operands --------------------------------------------------------------------------------
    def binary(self) -> Operation:
        a, b = self.names
        la, lb = self.labels
        shared = [label for label in la if label in lb]
        free_a = [label for label in la if label not in lb]
        free_b = [label for label in lb if label not in la]
        if any(label not in self.out_set for label in free_a + free_b):
            return self.general()
        if not la or not lb:
            scalar, other = (a, b) if not la else (b, a)
            if self.out == (la or lb):
                return Operation(
                    "scaling by a scalar", f"multiplies every element of {other} by the scalar {scalar}", f"{a} * {b}"
                )
            return self.general()
        summed = [label for label in shared if label not in self.out_set]
        batch = [label for label in shared if label in self.out_set]
        if not shared:
            if self.out == la + lb:
                equivalent = f"np.outer({a}, {b})" if len(la) == len(lb) == 1 else f"np.multiply.outer({a}, {b})"
                return Operation(
                    "outer product", f"multiplies every element of {a} by every element of {b}", equivalent
                )
            return Operation(
                "outer product", f"multiplies every element of {a} by every element of {b} (axes reordered)"
            )
        if not summed:
            if set(la) == set(lb):
                same = la == lb == self.out
                if la == lb:
                    summary = f"multiplies {a} and {b} element by element"
                else:
                    summary = (
                        f"multiplies {a} and {b} element by element after lining up their axes by name "
                        f"({b}'s axes are in another order, so {a} * {b} would pair the wrong elements)"
                    )
                return Operation("elementwise (Hadamard) product", summary, f"{a} * {b}" if same else None)
            return Operation(
                "broadcasting product",
                f"multiplies {a} and {b} element by element along {labels_text(shared)} "
                "and broadcasts along the other axes",
            )
        if not batch:
            return self.contraction_without_batch(shared, free_a, free_b)
        return self.batched(batch, summed, free_a, free_b)

    def contraction_without_batch(self, shared: list[str], free_a: list[str], free_b: list[str]) -> Operation:
        a, b = self.names
        la, lb = self.labels
        equivalent: str | None
        if not free_a and not free_b:
            if len(shared) == 1:
                return Operation(
                    "dot product", f"multiplies {a} and {b} element by element and adds it all up", f"np.dot({a}, {b})"
                )
            if la == lb:
                name = "Frobenius inner product" if len(la) == 2 else "full contraction"
                return Operation(
                    name, f"multiplies {a} and {b} element by element and adds it all up", f"np.sum({a} * {b})"
                )
            if len(la) == 2:
                # ij,ji: a * b would pair a[i, j] with b[i, j]; this pairs it with b[j, i].
                return Operation(
                    "trace of a matrix product",
                    f"adds up {a}[i, j] · {b}[j, i] over every i and j: the trace of {a} @ {b} "
                    f"(the sum of {a} * {b}.T), without forming {a} @ {b}",
                    f"np.trace({a} @ {b})",
                )
            return Operation(
                "full contraction",
                f"multiplies {a} and {b} along every axis, lining the axes up by name (not by position), "
                "and adds it all up",
            )
        if len(shared) == 1 and len(free_a) <= 1 and len(free_b) <= 1:
            (j,) = shared
            left = self._matrix(a, la, j, first=True)
            right = self._matrix(b, lb, j, first=False)
            product = f"{left} @ {right}"
            expected_out = tuple(free_a + free_b)
            if self.out == expected_out:
                equivalent = product
            elif len(self.out) == 2:
                equivalent = f"({product}).T"
            else:
                equivalent = None
            transposed = self.out != expected_out
            if free_a and free_b:
                name, summary = (
                    "transposed matrix product" if transposed else "matrix product",
                    (
                        f"multiplies matrix {a} by matrix {b}: each output element is a row of one "
                        f"times a column of the other, summed over '{j}'"
                        + (", and the result is transposed" if transposed else "")
                    ),
                )
            elif free_a:
                name, summary = "matrix-vector product", f"multiplies matrix {a} by vector {b}, summing over '{j}'"
            else:
                name, summary = "vector-matrix product", f"multiplies vector {a} by matrix {b}, summing over '{j}'"
            return Operation(name, summary, equivalent)
        axes_a = [la.index(label) for label in shared]
        axes_b = [lb.index(label) for label in shared]
        equivalent = (
            f"np.tensordot({a}, {b}, axes=({axes_a}, {axes_b}))" if self.out == tuple(free_a + free_b) else None
        )
        return Operation(
            f"tensordot over {plural(len(shared), 'axis', 'axes')}",
            f"multiplies {a} and {b} along {labels_text(shared)} and sums over {'it' if len(shared) == 1 else 'them'}",
            equivalent,
        )

    def batched(self, batch: list[str], summed: list[str], free_a: list[str], free_b: list[str]) -> Operation:
        a, b = self.names
        la, lb = self.labels
        batch_text = every_text(batch)
        if not free_a and not free_b:
            equivalent = None
            if la == lb and self.out == tuple(batch) and la[: len(batch)] == tuple(batch):
                axes = tuple(range(len(batch), len(la)))
                equivalent = f"np.sum({a} * {b}, axis={axes[0] if len(axes) == 1 else axes})"
            return Operation(
                "batched dot product",
                f"takes the dot product of {a} and {b} over {labels_text(summed)}, once for {batch_text}",
                equivalent,
            )
        equivalent = None
        n = len(batch)
        if (
            len(summed) == 1
            and len(free_a) <= 1
            and len(free_b) <= 1
            and la[:n] == lb[:n] == self.out[:n] == tuple(batch)
            and len(la) - n <= 2
            and len(lb) - n <= 2
        ):
            (j,) = summed
            left = self._matrix(a, la[n:], j, first=True, batched=True)
            right = self._matrix(b, lb[n:], j, first=False, batched=True)
            tail = tuple(free_a + free_b)
            if not free_a or not free_b:
                # A stack of vectors is not a stack of matrices to @: give it a length-1 axis and drop it after.
                if not free_b and len(lb) - n == 1:
                    product = f"({left} @ {b}[..., None])[..., 0]"
                elif not free_a and len(la) - n == 1:
                    product = f"({a}[..., None, :] @ {right})[..., 0, :]"
                else:
                    product = ""
            else:
                product = f"{left} @ {right}"
            if product and self.out[n:] == tail:
                equivalent = product
            elif product and len(tail) == 2:
                equivalent = f"np.swapaxes({product}, -1, -2)"
        if free_a and free_b and len(summed) == 1:
            name = "batched matrix product"
        elif free_a or free_b:
            name = "batched matrix-vector product" if len(summed) == 1 else "batched tensor contraction"
        else:
            name = "batched tensor contraction"
        return Operation(
            name,
            (
                f"multiplies {a} and {b} along {labels_text(summed)} and sums over "
                f"{'it' if len(summed) == 1 else 'them'}, once for {batch_text}"
            ),
            equivalent,
        )

    def _matrix(self, name: str, labels: Sequence[str], summed: str, first: bool, batched: bool = False) -> str:
        """``name`` or its transpose, so that the summed label is last (left factor) or first (right)."""
        if len(labels) < 2:
            return name
        index = list(labels).index(summed)
        wants = 1 if first else 0
        if index == wants:
            return name
        return f"np.swapaxes({name}, -1, -2)" if batched else f"{name}.T"

    # three or more -------------------------------------------------------------------------------
    def many(self) -> Operation:
        n = len(self.names)
        if all(set(labels) == set(self.labels[0]) for labels in self.labels) and not self.summed:
            same = all(labels == self.out for labels in self.labels)
            return Operation(
                f"elementwise product of {n} arrays",
                f"multiplies {join(list(self.names))} element by element",
                " * ".join(self.names) if same else None,
            )
        bilinear = self._bilinear()
        if bilinear:
            return bilinear
        chain = self._chain()
        if chain:
            return chain
        return self.general()

    def _bilinear(self) -> Operation | None:
        if len(self.names) != 3 or self.out:
            return None
        ranks = [len(labels) for labels in self.labels]
        if sorted(ranks) != [1, 1, 2] or any(self.has_diagonal):
            return None
        m = ranks.index(2)
        vectors = [i for i in range(3) if i != m]
        row, col = self.labels[m]
        first = next((i for i in vectors if self.labels[i] == (row,)), None)
        second = next((i for i in vectors if self.labels[i] == (col,) and i != first), None)
        if first is None or second is None or row == col:
            return None
        x, matrix, y = self.names[first], self.names[m], self.names[second]
        return Operation(
            "bilinear form",
            f"computes {x}ᵀ {matrix} {y}: {matrix} weighted by {x} on its rows and {y} on its columns",
            f"{x} @ {matrix} @ {y}",
        )

    def _chain(self) -> Operation | None:
        labels = self.labels
        if any(len(ls) != 2 for ls in labels) or len(self.out) != 2:
            return None
        for i in range(len(labels) - 1):
            if labels[i][1] != labels[i + 1][0]:
                return None
        inner = [ls[1] for ls in labels[:-1]]
        if len(set(inner)) != len(inner) or set(inner) & self.out_set:
            return None
        if self.out != (labels[0][0], labels[-1][1]):
            return None
        return Operation(
            "chain of matrix products",
            f"multiplies {join(list(self.names))} as matrices, one after another",
            " @ ".join(self.names),
        )

    def general(self) -> Operation:
        n = len(self.names)
        parts = []
        if any(self.has_diagonal):
            parts.append("takes diagonals")
        if n > 1:
            parts.append(f"multiplies {join(list(self.names))}")
        if self.summed:
            parts.append(f"sums over {labels_text(self.summed)}")
        return Operation(f"contraction of {plural(n, 'operand')}", join(parts) or "rearranges the operand")


def prose(c: Contraction, names: Sequence[str], operation: Operation) -> str:
    """A short plain-English account: the operation, what happens to each label, the output."""
    op_name = operation.name[0].upper() + operation.name[1:]
    summary = operation
    sentences = [f"{op_name}: it {summary.summary}."]
    if summary.equivalent:
        sentences.append(f"In numpy: {summary.equivalent}.")
    inputs = join([f"{names[op.index]} {op.shape}" for op in c.operands])
    sentences.append(f"Input{'s' if len(c.operands) > 1 else ''}: {inputs}.")
    if c.summed_labels:
        sentences.append(f"Summed away: {labels_text(c.summed_labels)}.")
    if c.output_labels:
        sentences.append(f"Output: ({order_text(c.output_labels)}), shape {c.output_shape}.")
    else:
        sentences.append("Output: a scalar, shape ().")
    if not c.subscript.explicit:
        sentences.append(
            "There is no arrow, so numpy builds the output from the labels used exactly once, in sorted order "
            f"(uppercase before lowercase): the explicit form is '{c.subscript.canonical()}'."
        )
    return " ".join(sentences)


def _term_index(labels: Sequence[str], ellipsis: int | None) -> str:
    parts = list(labels)
    if ellipsis is not None:
        parts.insert(ellipsis, "...")
    return ", ".join(parts)
