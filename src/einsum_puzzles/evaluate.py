"""Run a Plan on arrays with numpy primitives only (never ``np.einsum``).

Results match ``np.einsum(..., optimize=False)``: same shape, same dtype (``np.result_type`` of the
operands; every reduction keeps it, so bools reduce with "or" and small ints wrap), same values, and
a numpy scalar rather than a 0-d array for a full reduction.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .contraction import bind
from .plan import Plan, Step, make_plan

Array = NDArray[Any]

# bool, signed and unsigned ints, floats, complex, and Python objects: what np.einsum computes with.
SUPPORTED_KINDS = frozenset("biufcO")


def einsum(subscript: str, *operands: Any) -> Any:
    """Evaluate an einsum with the project's own planner; agrees with ``np.einsum(optimize=False)``."""
    arrays = [np.asarray(operand) for operand in operands]
    contraction = bind(subscript, *(array.shape for array in arrays))
    return run(make_plan(contraction), arrays)


def result_dtype(arrays: Sequence[Array]) -> np.dtype[Any]:
    try:
        dtype = np.result_type(*arrays)
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
    dtype = result_dtype(arrays)
    values: dict[int, Array] = {i: array.astype(dtype, copy=False) for i, array in enumerate(arrays)}
    for step in plan.steps:
        values[step.result] = _APPLY[step.kind](step, [values[i] for i in step.inputs], dtype)
    out = values[plan.result]
    if out.ndim == 0:
        return out[()]
    if any(out is array for array in arrays):
        return out.view()
    return out


def _diagonal(step: Step, inputs: list[Array], dtype: np.dtype[Any]) -> Array:
    (x,) = inputs
    axes = step.axes()
    # np.diagonal removes both axes and appends the diagonal last: bring it back to the first one.
    for other in reversed(axes[1:]):
        x = np.moveaxis(np.diagonal(x, axis1=axes[0], axis2=other), -1, axes[0])
    return x


def _squeeze(step: Step, inputs: list[Array], dtype: np.dtype[Any]) -> Array:
    (x,) = inputs
    return np.squeeze(x, axis=step.axes())


def _sum(step: Step, inputs: list[Array], dtype: np.dtype[Any]) -> Array:
    (x,) = inputs
    return np.asarray(np.sum(x, axis=step.axes(), dtype=dtype))


def _transpose(step: Step, inputs: list[Array], dtype: np.dtype[Any]) -> Array:
    (x,) = inputs
    (labels,) = step.input_labels
    return np.transpose(x, [labels.index(label) for label in step.result_labels])


def _multiply(step: Step, inputs: list[Array], dtype: np.dtype[Any]) -> Array:
    a, b = inputs
    a_labels, b_labels = step.input_labels
    extra = len(step.result_labels) - len(a_labels)
    a = a.reshape(a.shape + (1,) * extra)
    order = [b_labels.index(label) for label in step.result_labels if label in b_labels]
    b = np.transpose(b, order).reshape(
        [b.shape[b_labels.index(label)] if label in b_labels else 1 for label in step.result_labels]
    )
    return np.multiply(a, b)


def _contract(step: Step, inputs: list[Array], dtype: np.dtype[Any]) -> Array:
    a, b = inputs
    a_labels, b_labels = step.input_labels
    summed = step.labels
    if not step.batch:
        return np.tensordot(a, b, axes=([a_labels.index(s) for s in summed], [b_labels.index(s) for s in summed]))
    batch = step.batch
    left = [label for label in a_labels if label not in b_labels]
    right = [label for label in b_labels if label not in a_labels]
    size = dict(zip(a_labels, a.shape)) | dict(zip(b_labels, b.shape))

    def block(x: Array, labels: tuple[str, ...], groups: Sequence[Sequence[str]]) -> Array:
        order = [labels.index(label) for group in groups for label in group]
        flat = [math.prod(size[label] for label in group) for group in groups]
        return np.transpose(x, order).reshape(flat)

    product: Array = np.matmul(block(a, a_labels, [batch, left, summed]), block(b, b_labels, [batch, summed, right]))
    return product.reshape(step.shape)


_APPLY: dict[str, Callable[[Step, list[Array], np.dtype[Any]], Array]] = {
    "diagonal": _diagonal,
    "squeeze": _squeeze,
    "sum": _sum,
    "transpose": _transpose,
    "multiply": _multiply,
    "contract": _contract,
}
