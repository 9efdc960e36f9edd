"""Run a Plan on arrays with numpy primitives only (never ``np.einsum``).

``einsum`` takes numpy's whole signature: the subscript string or the sublist form, ``out``,
``dtype``, ``order``, ``casting`` and ``optimize`` in every form numpy accepts. Results match
``np.einsum(..., optimize=False)``: same shape, same dtype (``np.result_type`` of the operands, and of
``out`` when it is given, unless ``dtype`` says otherwise; every reduction keeps it, so bools reduce
with "or" and small ints wrap), same values, a numpy scalar rather than a 0-d array for a full
reduction, and a view of the operand when one operand is only transposed or diagonalised.

Each step is compiled once per plan into a small function whose axes, permutations and shapes are
already worked out, so a cached einsum call costs a few microseconds on top of the numpy work. A
``tensordot`` step is carried out the way ``np.tensordot`` does it (transpose, reshape to matrices,
matrix product, reshape back), without its per-call bookkeeping.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .contraction import Contraction, Shape, bind
from .errors import EinsumError
from .plan import Plan, Step, make_plan
from .subscript import from_sublists

if TYPE_CHECKING:
    from numpy.typing import NDArray

    Array = NDArray[Any]
else:
    Array = np.ndarray

# bool, signed and unsigned ints, floats, complex, and Python objects: what np.einsum computes with.
SUPPORTED_KINDS = frozenset("biufcO")
Casting = Literal["no", "equiv", "safe", "same_kind", "unsafe"]
CASTINGS: tuple[Casting, ...] = ("no", "equiv", "safe", "same_kind", "unsafe")
ORDERS = ("C", "F", "A", "K")
PATH_NAMES = ("greedy", "optimal")
_K = "K"
_SAFE = "safe"


def einsum(
    *operands: Any,
    out: Any = None,
    dtype: Any = None,
    order: Any = _K,
    casting: Any = _SAFE,
    optimize: Any = False,
) -> Any:
    """Evaluate an einsum with the project's own planner; a drop-in for ``np.einsum``.

    Call it as numpy's: ``einsum("ij,jk->ik", a, b)`` or ``einsum(a, [0, 1], b, [1, 2], [0, 2])``, with
    the keywords ``out``, ``dtype``, ``order``, ``casting`` and ``optimize``. The result does not depend
    on ``optimize`` (our planner picks the order of pairwise steps; an explicit ``["einsum_path", ...]``
    is checked as numpy checks it).
    """
    plain = out is None and dtype is None and optimize is False and order is _K and casting is _SAFE
    if plain and operands and isinstance(operands[0], str):  # the plain call, kept short
        arrays = [np.asarray(operand) for operand in operands[1:]]
        return _program_for(operands[0], tuple(array.shape for array in arrays)).run(arrays, _DEFAULT)
    subscript, given = split_call(operands)
    options = check_options(out, dtype, order, casting, optimize)
    arrays = [np.asarray(operand) for operand in given]
    program = _program_for(subscript, tuple(array.shape for array in arrays))
    if options.path is not None or options.path_name is not None:
        check_optimize_for(options, program.plan.contraction)
    return program.run(arrays, options)


def split_call(operands: Sequence[Any]) -> tuple[str | bytes, Sequence[Any]]:
    """numpy's two call forms -> (subscript text, operands). The sublist form becomes letters."""
    if not operands:
        raise EinsumError(
            "einsum needs a subscript and at least one operand, as in einsum('ij,jk->ik', a, b), "
            "or operands each followed by its list of axis labels, as in einsum(a, [0, 1], b, [1, 2])",
            "operand_count",
        )
    first = operands[0]
    if isinstance(first, (str, bytes)):
        return first, operands[1:]
    return from_sublists(operands)


@dataclass(frozen=True)
class Options:
    """The keywords of one einsum call, checked."""

    out: Array | None = None
    dtype: np.dtype[Any] | None = None
    order: str = "K"
    casting: Casting = "safe"
    path_name: str | None = None
    """A named path algorithm ("greedy", "optimal", or a name numpy only checks when it needs a path)."""
    path: tuple[Any, ...] | None = None
    """The steps of an explicit ``["einsum_path", (0, 1), ...]``."""
    optimized: bool = False
    """``optimize`` was neither False nor None: numpy then takes its pairwise path (see ``writes_like_matmul``)."""


_DEFAULT = Options()


def check_casts(dtypes: Sequence[np.dtype[Any]], dtype: np.dtype[Any], options: Options) -> None:
    """TypeError, as numpy raises it, when ``casting`` does not let an operand become the dtype einsum
    computes in. Without ``dtype=`` that is the operands' result type, so only 'no'/'equiv' can refuse."""
    casting = options.casting
    if options.dtype is None and casting not in ("no", "equiv"):
        return
    for index, have in enumerate(dtypes):
        if have != dtype and not np.can_cast(have, dtype, casting):
            raise TypeError(
                f"operand {index} has dtype {have}, which casting={casting!r} does not allow "
                f"to become {dtype}, the dtype einsum computes in; pass casting='unsafe' "
                "(or 'same_kind') to allow it"
            )


def check_options(out: Any, dtype: Any, order: Any, casting: Any, optimize: Any) -> Options:
    """Check the keywords as numpy does: TypeError for a wrong type, ValueError for a wrong value."""
    if out is None and dtype is None and optimize is False and _is(order, "K") and _is(casting, "safe"):
        return _DEFAULT
    if out is not None and not isinstance(out, np.ndarray):
        raise TypeError(
            f"out must be a numpy array (to be written in place), not {type(out).__name__}; "
            "create one with np.empty(shape, dtype) or leave out=None"
        )
    wanted: np.dtype[Any] | None = None
    if dtype is not None:
        try:
            wanted = np.dtype(dtype)
        except TypeError as exc:
            raise TypeError(f"dtype={dtype!r} is not a numpy data type: {exc}") from None
    if order is None:
        order = "K"
    if not isinstance(order, str):
        raise TypeError(f"order must be a string ('C', 'F', 'A' or 'K'), not {type(order).__name__}")
    if order.upper() not in ORDERS:
        raise EinsumError(f"order must be one of 'C', 'F', 'A' or 'K' (any case), not {order!r}", "output")
    if not isinstance(casting, str):
        raise TypeError(
            f"casting must be a string ('no', 'equiv', 'safe', 'same_kind' or 'unsafe'), not {type(casting).__name__}"
        )
    if casting not in CASTINGS:
        raise EinsumError(
            f"casting must be one of 'no', 'equiv', 'safe', 'same_kind' or 'unsafe', not {casting!r}", "output"
        )
    path_name, path = _check_optimize(optimize)
    optimized = optimize is not False and optimize is not None
    return Options(out, wanted, order.upper(), casting, path_name, path, optimized)


def _is(value: Any, text: str) -> bool:
    return isinstance(value, str) and value == text


def _check_optimize(optimize: Any) -> tuple[str | None, tuple[Any, ...] | None]:
    if optimize is False or optimize is None or optimize is True:
        return None, None
    if isinstance(optimize, str):
        return optimize, None
    try:
        length = len(optimize)
    except TypeError:
        length = -1
    if length > 0 and isinstance(optimize[0], str) and optimize[0] == "einsum_path":
        return None, tuple(optimize[1:])
    if length == 2 and isinstance(optimize[0], str) and isinstance(optimize[1], (int, float)):
        return optimize[0], None
    raise TypeError(
        f"optimize={optimize!r} is not understood: give True, False, 'greedy', 'optimal', "
        "('greedy', memory_limit) or an explicit path ['einsum_path', (0, 1), ...]"
    )


def check_optimize_for(options: Options, contraction: Contraction) -> None:
    """Check a path name or an explicit path against the operands, where and as numpy does."""
    count = len(contraction.operands)
    if options.path is None:
        name = options.path_name
        # numpy looks the name up only when it has an order to choose: three or more operands and a sum.
        if name not in PATH_NAMES and count > 2 and contraction.summed_labels:
            raise KeyError(f"optimize={name!r} is not a path algorithm: use 'greedy' or 'optimal'")
        return
    steps = options.path
    for step in steps:
        try:
            positions = [operator.index(position) for position in step]
        except TypeError:
            raise TypeError(
                f"each step of an einsum_path is a tuple of operand positions such as (0, 1), not {step!r}"
            ) from None
        if not positions:
            raise EinsumError("a step of the einsum_path names no operand: write (i,) or (i, j)", "operand_count")
        for position in positions:
            if position < 0:
                raise EinsumError(f"einsum_path step {step!r} has the negative position {position}", "operand_count")
            if position >= count:
                raise IndexError(
                    f"einsum_path step {step!r} names operand {position}, but {count} operands are left "
                    f"at that point (positions 0 to {count - 1})"
                )
        if len(set(positions)) != len(positions):
            raise EinsumError(f"einsum_path step {step!r} names an operand twice", "operand_count")
        count -= len(positions) - 1
    if count != 1:
        raise RuntimeError(
            f"invalid einsum_path: after its {len(steps)} steps, {count} values are left, so "
            f"{count - 1} more operands have to be contracted; add a step such as {tuple(range(count))}"
        )


@lru_cache(maxsize=1024)
def _program_for(subscript: str | bytes, shapes: tuple[tuple[int, ...], ...]) -> _Program:
    return _Program(make_plan(bind(subscript, *shapes)))


def result_dtype(arrays: Sequence[Array]) -> np.dtype[Any]:
    first = arrays[0].dtype
    try:
        dtype = first if all(array.dtype == first for array in arrays) else np.result_type(*arrays)
    except TypeError as exc:
        names = ", ".join(str(array.dtype) for array in arrays)
        raise TypeError(f"einsum cannot combine operands of dtypes {names}: {exc}") from None
    return check_kind(dtype)


def check_kind(dtype: np.dtype[Any]) -> np.dtype[Any]:
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
    return _Program(plan).run(arrays, _DEFAULT)


Kernel = Callable[[list[Array], np.dtype[Any]], Array]
Into = Callable[[list[Array], np.dtype[Any], Array], bool]
"""A last step that writes its result into ``out`` (of the result's dtype and shape); False if it cannot."""


class _Program:
    """A plan with every step compiled to a kernel: ``program.run(arrays, options)`` computes the einsum."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        sizes = plan.contraction.sizes
        self.kernels = [(_COMPILE[step.kind](step, sizes), step.inputs) for step in plan.steps]
        # The last step, when it can write straight into ``out`` (saving a copy of the result).
        last = plan.steps[-1] if plan.steps else None
        compile_into = _COMPILE_INTO.get(last.kind) if last is not None else None
        self.into: tuple[Into, tuple[int, ...]] | None = None
        if last is not None and compile_into is not None and last.result == plan.result:
            self.into = (compile_into(last, sizes), last.inputs)
        # Operands summed first are cast by np.add.reduce(dtype=...) on the way, without a full copy.
        operands = plan.n_operands
        self.cast_by_sum = frozenset(
            step.inputs[0] for step in plan.steps if step.kind == "sum" and step.inputs[0] < operands
        )
        # One operand that is only transposed or diagonalised: numpy returns a view of it.
        self.view_only = plan.n_operands == 1 and not plan.contraction.summed_labels
        self.takes_diagonal = any(step.kind == "diagonal" for step in plan.steps)

    def run(self, arrays: list[Array], options: Options) -> Any:
        if self.view_only and options.out is None:
            return self.view(arrays[0])
        if options is _DEFAULT:  # the plain call: a few microseconds count here
            result = self.compute(arrays, result_dtype(arrays))
            return result[()] if result.ndim == 0 else result
        out = options.out
        dtype = options.dtype
        pairwise_out = out is not None and self.writes_like_matmul(options)
        if dtype is None:
            dtype = result_dtype(arrays if out is None or pairwise_out else [*arrays, out])
        else:
            check_kind(dtype)
        casting = options.casting
        check_casts([array.dtype for array in arrays], dtype, options)
        if out is not None:
            self.check_out(out, dtype, None if pairwise_out else casting)
            self.compute_into(arrays, dtype, out)
            return out
        result = self.compute(arrays, dtype)
        if result.ndim == 0:
            return result[()]
        if options.order != "K" and result.ndim > 1:
            return _in_order(result, options.order, arrays)
        return result

    def cast(self, arrays: list[Array], dtype: np.dtype[Any]) -> list[Array]:
        for array in arrays:
            if array.dtype != dtype:
                break
        else:
            return list(arrays)
        lazy = self.cast_by_sum
        return [
            array if array.dtype == dtype or index in lazy else array.astype(dtype)
            for index, array in enumerate(arrays)
        ]

    def compute(self, arrays: list[Array], dtype: np.dtype[Any]) -> Array:
        values = self.cast(arrays, dtype)
        append = values.append
        for kernel, inputs in self.kernels:
            append(kernel([values[i] for i in inputs], dtype))
        return values[self.plan.result]

    def compute_into(self, arrays: list[Array], dtype: np.dtype[Any], out: Array) -> None:
        """Fill ``out``: the last step writes into it when dtype and shape allow, else the result is copied.

        numpy's ufuncs (matmul, multiply, add.reduce) give the same result when ``out`` overlaps an
        input as when it does not, so ``einsum(..., out=a)`` is safe.
        """
        if self.into is None or out.dtype != dtype or out.shape != self.plan.contraction.output_shape:
            np.copyto(out, self.compute(arrays, dtype), casting="unsafe")
            return
        values = self.cast(arrays, dtype)
        append = values.append
        for kernel, inputs in self.kernels[:-1]:
            append(kernel([values[i] for i in inputs], dtype))
        into, inputs = self.into
        if not into([values[i] for i in inputs], dtype, out):
            result = self.kernels[-1][0]([values[i] for i in inputs], dtype)
            np.copyto(out, result, casting="unsafe")

    def view(self, array: Array) -> Any:
        values = [array]
        for kernel, inputs in self.kernels:
            values.append(kernel([values[i] for i in inputs], array.dtype))
        result = values[self.plan.result]
        if result is array:
            result = array.view()
        elif self.takes_diagonal and array.flags.writeable and not result.flags.writeable:
            # ndarray.diagonal gives a read-only view; numpy's einsum gives a writeable one.
            result.flags.writeable = True
        if result.ndim == 0:
            return result[()]
        return result

    def writes_like_matmul(self, options: Options) -> bool:
        """Whether numpy, for this call, ends with a pairwise step that fills ``out`` like ``matmul`` does.

        With ``optimize`` set, numpy runs its path step by step, and a last step on two values is a
        ``matmul`` (or ``multiply``) computed in the dtype of those values, then assigned into ``out``
        whatever its dtype: ``np.einsum('i,i->', a, a, out=np.array(0), optimize=True)`` works although
        the same call without ``optimize`` refuses to write floats into an int ``out``, and int8
        operands are multiplied in int8 even when ``out`` is int64. We follow numpy in both modes.
        """
        if not options.optimized:
            return False
        if options.path is not None:
            return bool(options.path) and len(options.path[-1]) == 2
        count = self.plan.n_operands
        # numpy makes one step of all the operands when there are two, or when nothing is summed.
        return count == 2 or (count > 2 and bool(self.plan.contraction.summed_labels))

    def check_out(self, out: Array, dtype: np.dtype[Any], casting: Casting | None) -> None:
        check_out_shape(out, self.plan.contraction.output_shape)
        if casting is None or out.dtype == dtype:
            return
        if not np.can_cast(dtype, out.dtype, casting):
            raise TypeError(
                f"the result is computed in {dtype} and casting={casting!r} does not allow writing it into "
                f"out of dtype {out.dtype}; pass casting='unsafe' (or 'same_kind'), or an out of dtype {dtype}"
            )
        # numpy's einsum accumulates into out, so it also casts out's dtype to the computing one.
        if not np.can_cast(out.dtype, dtype, casting):
            raise TypeError(
                f"out has dtype {out.dtype}, and einsum (like numpy's) reads out as it accumulates into it: "
                f"casting={casting!r} does not allow {out.dtype} to become {dtype}, the dtype it computes in; "
                f"pass casting='unsafe', or an out of dtype {dtype}"
            )


def check_out_shape(out: Array, shape: Shape) -> None:
    """``out`` must have the result's shape (numpy lets it stretch an axis the result has of size 1)."""
    if out.ndim != len(shape) or any(size != want and want != 1 for size, want in zip(out.shape, shape)):
        raise EinsumError(
            f"out has shape {out.shape} but the result has shape {shape}: give out=np.empty({shape}, ...)",
            "output",
        )
    if not out.flags.writeable:
        raise EinsumError("out is read-only: pass a writeable array", "output")


def _in_order(result: Array, order: str, arrays: Sequence[Array]) -> Array:
    if order == "A":
        # numpy's rule: Fortran order when every operand is Fortran-contiguous (1-d and 0-d ones are).
        order = "F" if all(array.flags.f_contiguous for array in arrays) else "C"
    if order == "C":
        return result if result.flags.c_contiguous else np.ascontiguousarray(result)
    return result if result.flags.f_contiguous else np.asfortranarray(result)


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
        # out=... keeps a full reduction a 0-d array (not a scalar, which for objects is not even numpy's).
        return reduce(inputs[0], axis=axes, dtype=dtype, out=...)

    return grand_total


def _compile_transpose(step: Step, sizes: Mapping[str, int]) -> Kernel:
    (labels,) = step.input_labels
    order = tuple(labels.index(label) for label in step.result_labels)

    def transpose(inputs: list[Array], dtype: np.dtype[Any]) -> Array:
        return inputs[0].transpose(order)

    return transpose


def _multiply_layout(step: Step) -> tuple[Shape, Shape, tuple[int, ...]]:
    """(a's shape, b's shape, b's axis order) that make a and b broadcast to the result's axes."""
    a_labels, b_labels = step.input_labels
    a_shape = tuple(step.shape[: len(a_labels)]) + (1,) * (len(step.result_labels) - len(a_labels))
    b_order = tuple(b_labels.index(label) for label in step.result_labels if label in b_labels)
    b_shape = tuple(size if label in b_labels else 1 for label, size in zip(step.result_labels, step.shape))
    return a_shape, b_shape, b_order


def _compile_multiply(step: Step, sizes: Mapping[str, int]) -> Kernel:
    # An input whose labels come in result order needs no transpose, only new axes of size 1.
    a_shape, b_shape, b_order = _multiply_layout(step)

    def multiply(inputs: list[Array], dtype: np.dtype[Any]) -> Array:
        a, b = inputs
        return np.multiply(a.reshape(a_shape), b.transpose(b_order).reshape(b_shape), out=...)

    return multiply


def _contract_layout(step: Step, sizes: Mapping[str, int]) -> tuple[tuple[int, ...], Shape, tuple[int, ...], Shape]:
    """(a's axis order, a's matrix block shape, b's axis order, b's block shape) for one matmul."""
    a_labels, b_labels = step.input_labels
    summed, batch = step.labels, step.batch
    left = tuple(label for label in a_labels if label not in b_labels)
    right = tuple(label for label in b_labels if label not in a_labels)
    a_order = tuple(a_labels.index(label) for label in batch + left + summed)
    b_order = tuple(b_labels.index(label) for label in batch + summed + right)
    a_groups, b_groups = ([batch, left, summed], [batch, summed, right]) if batch else ([left, summed], [summed, right])
    a_block = tuple(math.prod(sizes[label] for label in group) for group in a_groups)
    b_block = tuple(math.prod(sizes[label] for label in group) for group in b_groups)
    return a_order, a_block, b_order, b_block


def _compile_contract(step: Step, sizes: Mapping[str, int]) -> Kernel:
    a_order, a_block, b_order, b_block = _contract_layout(step, sizes)
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


def _into_sum(step: Step, sizes: Mapping[str, int]) -> Into:
    axes = step.axes()

    def total(inputs: list[Array], dtype: np.dtype[Any], out: Array) -> bool:
        np.add.reduce(inputs[0], axis=axes, dtype=dtype, out=out)
        return True

    return total


def _into_multiply(step: Step, sizes: Mapping[str, int]) -> Into:
    a_shape, b_shape, b_order = _multiply_layout(step)

    def multiply(inputs: list[Array], dtype: np.dtype[Any], out: Array) -> bool:
        a, b = inputs
        np.multiply(a.reshape(a_shape), b.transpose(b_order).reshape(b_shape), out=out)
        return True

    return multiply


def _into_contract(step: Step, sizes: Mapping[str, int]) -> Into:
    a_order, a_block, b_order, b_block = _contract_layout(step, sizes)
    out_block = (*a_block[:-1], b_block[-1])

    def contract(inputs: list[Array], dtype: np.dtype[Any], out: Array) -> bool:
        try:
            target = out.reshape(out_block, copy=False)
        except ValueError:  # out's strides do not allow a matrix view: the caller copies
            return False
        a, b = inputs
        np.matmul(a.transpose(a_order).reshape(a_block), b.transpose(b_order).reshape(b_block), out=target)
        return True

    return contract


_COMPILE_INTO: dict[str, Callable[[Step, Mapping[str, int]], Into]] = {
    "sum": _into_sum,
    "multiply": _into_multiply,
    "contract": _into_contract,
}
