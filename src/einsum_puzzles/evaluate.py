"""Run a Plan on arrays with numpy primitives only (never ``np.einsum``).

Results match ``np.einsum(..., optimize=False)``: same shape, same dtype (``np.result_type`` of the
operands; every reduction keeps it, so bools reduce with "or" and small ints wrap), same values, and
a numpy scalar rather than a 0-d array for a full reduction.

Each step is compiled once per plan into a small function whose axes, permutations and shapes are
already worked out, so a cached einsum call costs a few microseconds on top of the numpy work. A
``tensordot`` step is carried out the way ``np.tensordot`` does it (transpose, reshape to matrices,
matrix product, reshape back), without its per-call bookkeeping.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from .contraction import bind
from .plan import Plan, Step, make_plan

if TYPE_CHECKING:
    from numpy.typing import NDArray

    Array = NDArray[Any]
else:
    Array = np.ndarray

# bool, signed and unsigned ints, floats, complex, and Python objects: what np.einsum computes with.
SUPPORTED_KINDS = frozenset("biufcO")


def einsum(subscript: str, *operands: Any) -> Any:
    """Evaluate an einsum with the project's own planner; agrees with ``np.einsum(optimize=False)``."""
    arrays = [np.asarray(operand) for operand in operands]
    return _program_for(subscript, tuple(array.shape for array in arrays))(arrays)


@lru_cache(maxsize=1024)
def _program_for(subscript: str, shapes: tuple[tuple[int, ...], ...]) -> _Program:
    return _Program(make_plan(bind(subscript, *shapes)))


def result_dtype(arrays: Sequence[Array]) -> np.dtype[Any]:
    first = arrays[0].dtype
    try:
        dtype = first if all(array.dtype == first for array in arrays) else np.result_type(*arrays)
    except TypeError as exc:
        names = ", ".join(str(array.dtype) for array in arrays)
        raise TypeError(f"einsum cannot combine operands of dtypes {names}: {exc}") from None
    if dtype.kind not in SUPPORTED_KINDS:
        raise TypeError(
            f"einsum computes with numbers (bool, int, float, complex) or Python objects, not dtype {dtype}"
        )
    return dtype


def run(plan: Plan, arrays: Sequence[Any]) -> Any:
    """Carry out ``plan`` on ``arrays`` (one per operand, with the shapes the plan was made for)."""
    arrays = [np.asarray(array) for array in arrays]
    shapes = tuple(array.shape for array in arrays)
    if shapes != plan.contraction.shapes:
        raise ValueError(f"this plan is for shapes {plan.contraction.shapes}, not {shapes}")
    return _Program(plan)(arrays)


Kernel = Callable[[list[Array], np.dtype[Any]], Array]


class _Program:
    """A plan with every step compiled to a kernel: ``program(arrays)`` computes the einsum."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        sizes = plan.contraction.sizes
        self.kernels = [(_COMPILE[step.kind](step, sizes), step.inputs) for step in plan.steps]

    def __call__(self, arrays: list[Array]) -> Any:
        dtype = result_dtype(arrays)
        values = [array if array.dtype == dtype else array.astype(dtype) for array in arrays]
        append = values.append
        for kernel, inputs in self.kernels:
            append(kernel([values[i] for i in inputs], dtype))
        out = values[self.plan.result]
        if out.ndim == 0:
            return out[()]
        if any(out is array for array in arrays):
            return out.view()
        return out


def _compile_diagonal(step: Step, sizes: Mapping[str, int]) -> Kernel:
    axes = step.axes()
    ndim = len(step.input_labels[0])
    moves: list[tuple[int, int, tuple[int, ...] | None]] = []
    # x.diagonal() removes both axes and appends the diagonal last: bring it back to the first one.
    for other in reversed(axes[1:]):
        ndim -= 1
        last = ndim - 1
        order = tuple(range(axes[0])) + (last,) + tuple(range(axes[0], last))
        moves.append((axes[0], other, order if axes[0] != last else None))

    def diagonal(inputs: list[Array], dtype: np.dtype[Any]) -> Array:
        x = inputs[0]
        for first, other, order in moves:
            x = x.diagonal(0, first, other)
            if order is not None:
                x = x.transpose(order)
        return x

    return diagonal


def _compile_squeeze(step: Step, sizes: Mapping[str, int]) -> Kernel:
    shape = step.shape

    def squeeze(inputs: list[Array], dtype: np.dtype[Any]) -> Array:
        return inputs[0].reshape(shape)

    return squeeze


def _compile_sum(step: Step, sizes: Mapping[str, int]) -> Kernel:
    axes = step.axes()
    reduce = np.add.reduce
    if len(axes) < len(step.input_labels[0]):

        def total(inputs: list[Array], dtype: np.dtype[Any]) -> Array:
            return reduce(inputs[0], axis=axes, dtype=dtype)  # type: ignore[no-any-return]

        return total

    def grand_total(inputs: list[Array], dtype: np.dtype[Any]) -> Array:
        # A full reduction gives a numpy scalar; later steps want a 0-d array.
        return np.asarray(reduce(inputs[0], axis=axes, dtype=dtype))

    return grand_total


def _compile_transpose(step: Step, sizes: Mapping[str, int]) -> Kernel:
    (labels,) = step.input_labels
    order = tuple(labels.index(label) for label in step.result_labels)

    def transpose(inputs: list[Array], dtype: np.dtype[Any]) -> Array:
        return inputs[0].transpose(order)

    return transpose


def _compile_multiply(step: Step, sizes: Mapping[str, int]) -> Kernel:
    a_labels, b_labels = step.input_labels
    a_shape = tuple(step.shape[: len(a_labels)]) + (1,) * (len(step.result_labels) - len(a_labels))
    b_order = tuple(b_labels.index(label) for label in step.result_labels if label in b_labels)
    b_shape = tuple(size if label in b_labels else 1 for label, size in zip(step.result_labels, step.shape))
    # An input whose labels come in result order needs no transpose, only new axes of size 1.

    def multiply(inputs: list[Array], dtype: np.dtype[Any]) -> Array:
        a, b = inputs
        return np.multiply(a.reshape(a_shape), b.transpose(b_order).reshape(b_shape))

    return multiply


def _compile_contract(step: Step, sizes: Mapping[str, int]) -> Kernel:
    a_labels, b_labels = step.input_labels
    summed, batch = step.labels, step.batch
    left = tuple(label for label in a_labels if label not in b_labels)
    right = tuple(label for label in b_labels if label not in a_labels)
    a_order = tuple(a_labels.index(label) for label in batch + left + summed)
    b_order = tuple(b_labels.index(label) for label in batch + summed + right)
    a_groups, b_groups = ([batch, left, summed], [batch, summed, right]) if batch else ([left, summed], [summed, right])
    a_block = tuple(math.prod(sizes[label] for label in group) for group in a_groups)
    b_block = tuple(math.prod(sizes[label] for label in group) for group in b_groups)
    shape = step.shape

    def contract(inputs: list[Array], dtype: np.dtype[Any]) -> Array:
        a, b = inputs
        product: Array = np.matmul(a.transpose(a_order).reshape(a_block), b.transpose(b_order).reshape(b_block))
        return product.reshape(shape)

    return contract


_COMPILE: dict[str, Callable[[Step, Mapping[str, int]], Kernel]] = {
    "diagonal": _compile_diagonal,
    "squeeze": _compile_squeeze,
    "sum": _compile_sum,
    "transpose": _compile_transpose,
    "multiply": _compile_multiply,
    "contract": _compile_contract,
}
