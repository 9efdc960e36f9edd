"""Reading numpy code without running it: an ``ast`` walker that knows the operations einsum can express.

The walker never calls ``eval``: it parses the code with ``ast`` and interprets only the operations in
``SUPPORTED``. Everything it reads it hands to a ``Backend``, which either traces the code symbolically
(``symbolic.SymbolicBackend``: each axis carries a label) or evaluates it with numpy on arrays
(``NumpyBackend``, used to verify a translation). Both see the same normalised operations, so what is
verified is exactly what was traced.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from typing import Any, Generic, Protocol, TypeVar

import numpy as np

from .errors import MissingShape, TranslateError

V = TypeVar("V")
MAX_CODE = 2000
"""Characters of code ``translate`` reads (a few lines)."""
MAX_DEPTH = 100
"""How deeply the code's operations may nest (the walker recurses once per level)."""

NUMPY_NAMES = ("np", "numpy")


_BINOP_REASONS: dict[type[ast.operator], str] = {
    ast.Add: "einsum only multiplies and sums",
    ast.Sub: "einsum only multiplies and sums",
    ast.Div: "einsum only multiplies and sums; it cannot divide",
    ast.FloorDiv: "einsum only multiplies and sums; it cannot divide",
    ast.Pow: "a power is not a product of operands: einsum multiplies each operand in once",
}

_NONLINEAR = frozenset(
    [
        "exp",
        "log",
        "log2",
        "log10",
        "log1p",
        "expm1",
        "sqrt",
        "cbrt",
        "square",
        "abs",
        "absolute",
        "sin",
        "cos",
        "tan",
        "tanh",
        "sinh",
        "cosh",
        "arcsin",
        "arccos",
        "arctan",
        "sign",
        "floor",
        "ceil",
        "round",
        "rint",
        "clip",
        "maximum",
        "minimum",
        "fmax",
        "fmin",
        "power",
        "reciprocal",
        "negative",
        "positive",
        "sigmoid",
        "relu",
        "softmax",
        "where",
        "logaddexp",
        "heaviside",
        "real",
        "imag",
        "conj",
        "conjugate",
        "angle",
    ]
)
_REDUCTIONS = {
    "max": "einsum only sums; it cannot take a maximum",
    "min": "einsum only sums; it cannot take a minimum",
    "amax": "einsum only sums; it cannot take a maximum",
    "amin": "einsum only sums; it cannot take a minimum",
    "argmax": "einsum only sums; it cannot find positions",
    "argmin": "einsum only sums; it cannot find positions",
    "mean": "a mean divides the sum by a count, and einsum cannot divide: use the sum and divide outside",
    "average": "an average divides by a count, and einsum cannot divide",
    "prod": "einsum multiplies operands together, not the elements along one axis",
    "cumsum": "einsum sums whole axes, never running totals",
    "cumprod": "einsum cannot take running products",
    "std": "a standard deviation is not a sum of products",
    "var": "a variance is not a sum of products",
    "norm": "a norm takes a square root, which einsum cannot",
    "any": "einsum only multiplies and sums",
    "all": "einsum only multiplies and sums",
}
_SHAPE_CHANGES = {
    "reshape": "a reshape merges or splits axes, and einsum keeps every axis whole",
    "ravel": "ravel merges axes, and einsum keeps every axis whole",
    "flatten": "flatten merges axes, and einsum keeps every axis whole",
    "concatenate": "einsum cannot join arrays",
    "stack": "einsum cannot join arrays",
    "hstack": "einsum cannot join arrays",
    "vstack": "einsum cannot join arrays",
    "kron": "a Kronecker product merges axes, and einsum keeps every axis whole",
    "cross": "a cross product subtracts, and einsum only multiplies and sums",
    "add": "einsum only multiplies and sums; it cannot add arrays",
    "subtract": "einsum only multiplies and sums; it cannot subtract",
    "divide": "einsum only multiplies and sums; it cannot divide",
    "true_divide": "einsum only multiplies and sums; it cannot divide",
    "broadcast_to": "broadcast_to copies values along a new axis of a chosen size, which einsum cannot create",
    "tile": "einsum cannot repeat arrays",
    "repeat": "einsum cannot repeat arrays",
    "flip": "einsum cannot reverse an axis",
    "roll": "einsum cannot shift values along an axis",
    "sort": "einsum cannot sort",
    "zeros": "einsum cannot create arrays, only combine its operands",
    "ones": "einsum cannot create arrays, only combine its operands",
    "eye": "einsum cannot create arrays, only combine its operands",
    "array": "einsum cannot create arrays, only combine its operands",
    "asarray": "einsum cannot create arrays, only combine its operands",
    "astype": "einsum cannot change the dtype of an operand",
    "copy": "a copy is not needed: einsum reads its operands without changing them",
}


class OpError(Exception):
    """A backend's refusal of one operation; the walker adds the code and the position."""


class Backend(Protocol[V]):
    def locate(self, node: ast.AST) -> None: ...
    def operand(self, name: str) -> V: ...
    def reuse(self, value: V) -> V: ...
    def shape(self, value: V) -> tuple[int, ...]: ...
    def multiply(self, x: V, y: V) -> V: ...
    def matmul(self, x: V, y: V) -> V: ...
    def dot(self, x: V, y: V) -> V: ...
    def inner(self, x: V, y: V) -> V: ...
    def outer(self, x: V, y: V) -> V: ...
    def vdot(self, x: V, y: V) -> V: ...
    def tensordot(self, x: V, y: V, axes_x: tuple[int, ...], axes_y: tuple[int, ...]) -> V: ...
    def einsum(self, subscript: str, operands: Sequence[V]) -> V: ...
    def sum(self, x: V, axes: tuple[int, ...], keepdims: bool) -> V: ...
    def transpose(self, x: V, order: tuple[int, ...]) -> V: ...
    def diagonal(self, x: V, axis1: int, axis2: int) -> V: ...
    def squeeze(self, x: V, axes: tuple[int, ...]) -> V: ...
    def index(self, x: V, spec: tuple[bool, ...]) -> V: ...


class Walker(Generic[V]):
    """Interprets one piece of code (assignments, then an expression) with a backend."""

    def __init__(self, code: str, backend: Backend[V]) -> None:
        self.code = code
        self.backend = backend
        self.multiline = "\n" in code.strip()
        self.env: dict[str, V] = {}
        self.assigned: dict[str, int] = {}
        """The line where the code first assigns each name (a name used before it is not a missing operand)."""

    # --- entry --------------------------------------------------------------------------------------
    def run(self, tree: ast.Module) -> V:
        body = tree.body
        if not body:
            raise TranslateError("there is no code to translate: write a numpy expression such as a @ b")
        for statement in reversed(body):
            if isinstance(statement, ast.Assign):
                for target in statement.targets:
                    if isinstance(target, ast.Name):
                        self.assigned[target.id] = statement.lineno
        for statement in body[:-1]:
            self.statement(statement)
        last = body[-1]
        if isinstance(last, (ast.Import, ast.ImportFrom)) and not _numpy_import(last):
            self.statement(last)  # says what may be imported
        if not isinstance(last, ast.Expr):
            what = _statement_kind(last)
            raise self.error(
                last,
                f"the code must end with an expression (the result), not {what}; the code can hold "
                "assignments (x = ...) and import numpy as np, then a last line such as np.sum(a, axis=0)",
            )
        return self.value(last.value)

    def statement(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name in NUMPY_NAMES:
                raise self.error(node.targets[0], f"{name} is numpy here; choose another name for the variable")
            self.env[name] = self.value(node.value)
            return
        if _numpy_import(node):  # `import numpy as np` is harmless
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            raise self.error(
                node,
                "the only import supported is import numpy as np (no other module, no from-import); "
                "the code uses np. functions and its operands",
            )
        if isinstance(node, ast.Expr):
            raise self.error(node, "only the last line may be an expression; earlier lines assign names (x = ...)")
        raise self.error(node, "only assignments to one name (x = ...) and a final expression can be translated")

    # --- errors -------------------------------------------------------------------------------------
    def snippet(self, node: ast.AST) -> str:
        text = ast.get_source_segment(self.code, node) or type(node).__name__
        text = " ".join(text.split())
        return text if len(text) <= 48 else text[:45] + "..."

    def error(self, node: ast.AST, reason: str) -> TranslateError:
        line = getattr(node, "lineno", None)
        column = getattr(node, "col_offset", None)
        return TranslateError(
            reason,
            operation=self.snippet(node),
            line=line,
            column=None if column is None else column + 1,
            multiline=self.multiline,
        )

    def apply(self, node: ast.AST, operation: Callable[[], V]) -> V:
        self.backend.locate(node)
        try:
            return operation()
        except OpError as refusal:
            raise self.error(node, str(refusal)) from None

    # --- expressions --------------------------------------------------------------------------------
    def value(self, node: ast.expr) -> V:
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.BinOp):
            return self.binop(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Attribute):
            return self.attribute(node)
        if isinstance(node, ast.Subscript):
            return self.subscript(node)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, (int, float, complex)) and not isinstance(node.value, bool):
                raise self.error(node, "einsum cannot multiply by a constant; scale the result outside the einsum")
            raise self.error(node, "a constant is not an array")
        if isinstance(node, ast.UnaryOp):
            what = "negation" if isinstance(node.op, ast.USub) else "a unary operator"
            raise self.error(node, f"{what}: einsum only multiplies and sums")
        if isinstance(node, ast.Compare):
            raise self.error(node, "a comparison is not a product or a sum: einsum cannot express it")
        if isinstance(node, ast.BoolOp):
            raise self.error(node, "and/or are not products or sums: einsum cannot express them")
        raise self.error(node, f"a {type(node).__name__} expression is not an operation einsum can express")

    def name(self, node: ast.Name) -> V:
        if node.id in self.env:
            return self.backend.reuse(self.env[node.id])
        if node.id in NUMPY_NAMES:
            raise self.error(node, "numpy itself is not an array; call one of its functions")
        try:
            return self.backend.operand(node.id)
        except KeyError:
            if self.assigned.get(node.id, 0) > getattr(node, "lineno", 0):
                raise self.error(
                    node, f"{node.id} is used before the line that assigns it; assign {node.id} first"
                ) from None
            line = getattr(node, "lineno", None)
            column = getattr(node, "col_offset", None)
            raise MissingShape(
                node.id,
                operation=self.snippet(node),
                line=line,
                column=None if column is None else column + 1,
                multiline=self.multiline,
            ) from None

    def binop(self, node: ast.BinOp) -> V:
        if isinstance(node.op, (ast.Mult, ast.MatMult)):
            left, right = self.value(node.left), self.value(node.right)
            if isinstance(node.op, ast.Mult):
                return self.apply(node, lambda: self.backend.multiply(left, right))
            return self.apply(node, lambda: self.backend.matmul(left, right))
        raise self.error(node, _BINOP_REASONS.get(type(node.op), "einsum only multiplies and sums"))

    def attribute(self, node: ast.Attribute) -> V:
        if node.attr in ("T", "mT"):
            x = self.value(node.value)
            n = len(self.backend.shape(x))
            if node.attr == "T":
                order = tuple(reversed(range(n)))
            else:
                if n < 2:
                    raise self.error(node, f".mT needs at least 2 dimensions, this array has {n}")
                order = (*range(n - 2), n - 1, n - 2)
            return self.apply(node, lambda: self.backend.transpose(x, order))
        if isinstance(node.value, ast.Name) and node.value.id in NUMPY_NAMES:
            raise self.error(node, f"np.{node.attr} is not an array or an operation einsum can express")
        raise self.error(node, f"the attribute .{node.attr} is not an array operation einsum can express")

    def subscript(self, node: ast.Subscript) -> V:
        x = self.value(node.value)
        n = len(self.backend.shape(x))
        items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        kinds: list[str] = []
        for item in items:
            if (isinstance(item, ast.Constant) and item.value is None) or self._is_newaxis(item):
                kinds.append("new")
            elif isinstance(item, ast.Constant) and item.value is Ellipsis:
                if "..." in kinds:
                    raise self.error(item, "an index can hold only one ellipsis")
                kinds.append("...")
            elif isinstance(item, ast.Slice) and item.lower is None and item.upper is None and item.step is None:
                kinds.append("all")
            elif isinstance(item, ast.Slice):
                raise self.error(item, "slicing picks part of an axis, and einsum always uses whole axes")
            elif isinstance(item, ast.Constant) and isinstance(item.value, int):
                raise self.error(item, "indexing with a number picks elements, and einsum always uses whole axes")
            else:
                raise self.error(item, "indexing with arrays (fancy indexing) picks elements; einsum cannot")
        used = kinds.count("all")
        if used > n:
            raise self.error(node, f"too many indices: the array has {n} dimensions, the index uses {used}")
        spec: list[bool] = []  # True: a new axis of size 1; False: the next axis of x
        for kind in kinds:
            if kind == "...":
                spec.extend([False] * (n - used))
            else:
                spec.append(kind == "new")
        spec.extend([False] * (n - spec.count(False)))
        return self.apply(node, lambda: self.backend.index(x, tuple(spec)))

    @staticmethod
    def _is_newaxis(node: ast.expr) -> bool:
        return (
            isinstance(node, ast.Attribute)
            and node.attr == "newaxis"
            and isinstance(node.value, ast.Name)
            and node.value.id in NUMPY_NAMES
        )

    # --- calls --------------------------------------------------------------------------------------
    def call(self, node: ast.Call) -> V:
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in NUMPY_NAMES:
            return self.numpy_call(node, func.attr, list(node.args))
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Attribute)
            and isinstance(func.value.value, ast.Name)
            and func.value.value.id in NUMPY_NAMES
        ):
            if func.value.attr == "linalg" and func.attr in ("matmul", "matrix_transpose", "tensordot", "outer"):
                return self.numpy_call(node, func.attr, list(node.args))
            raise self.error(node, f"np.{func.value.attr}.{func.attr} is not an operation einsum can express")
        if isinstance(func, ast.Attribute):
            # a method: x.sum(...) is np.sum(x, ...)
            if func.attr in _METHODS:
                return self.numpy_call(node, func.attr, [func.value, *node.args], method=True)
            raise self.error(node, self._unsupported_reason(func.attr, method=True))
        if isinstance(func, ast.Name):
            raise self.error(node, f"{func.id}() is not a numpy operation; write np.{func.id}(...) for numpy's")
        raise self.error(node, "this call is not an operation einsum can express")

    def _unsupported_reason(self, name: str, method: bool = False) -> str:
        if name in _NONLINEAR:
            return f"{name} is applied to each element, and einsum only multiplies and sums"
        if name in _REDUCTIONS:
            return _REDUCTIONS[name]
        if name in _SHAPE_CHANGES:
            return _SHAPE_CHANGES[name]
        kind = "method" if method else "function"
        return f"the {kind} {name} is not an operation einsum can express (see 'supported' in docs/find.md)"

    def numpy_call(self, node: ast.Call, name: str, args: list[ast.expr], method: bool = False) -> V:
        handler = _HANDLERS.get(name)
        if handler is None or (method and name not in _METHODS):
            raise self.error(node, self._unsupported_reason(name, method))
        if name == "transpose" and not method and len(args) > 2:
            raise self.error(node, "np.transpose takes the axes as one tuple: np.transpose(a, (1, 0))")
        for arg in args:
            if isinstance(arg, ast.Starred):
                raise self.error(arg, "*arguments cannot be read without running the code; write them out")
        for keyword in node.keywords:
            if keyword.arg is None:
                raise self.error(node, "**keywords cannot be read without running the code; write them out")
        result: V = handler(self, node, args, {k.arg: k.value for k in node.keywords if k.arg is not None})
        return result

    # --- literal arguments -----------------------------------------------------------------------------
    def literal(self, node: ast.expr, what: str) -> Any:
        """An int, None, bool, str or a tuple/list of ints written in the code."""
        if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, (int, str, bool))):
            return node.value
        if (
            isinstance(node, ast.UnaryOp)
            and isinstance(node.op, ast.USub)
            and isinstance(node.operand, ast.Constant)
            and isinstance(node.operand.value, int)
            and not isinstance(node.operand.value, bool)
        ):
            return -node.operand.value
        if isinstance(node, (ast.Tuple, ast.List)):
            return tuple(self.literal(item, what) for item in node.elts)
        raise self.error(node, f"{what} must be written as a number or a tuple of numbers")

    def axis(self, node: ast.expr, value: Any, ndim: int) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.error(node, "an axis must be an integer")
        if not -ndim <= value < ndim:
            raise self.error(node, f"axis {value} is out of range for an array with {ndim} dimensions")
        return value % ndim

    def axes(self, node: ast.expr, ndim: int, what: str = "axis") -> tuple[int, ...] | None:
        value = self.literal(node, what)
        if value is None:
            return None
        values = value if isinstance(value, tuple) else (value,)
        result = tuple(self.axis(node, v, ndim) for v in values)
        if len(set(result)) != len(result):
            raise self.error(node, f"{what} repeats an axis")
        return result

    def take(
        self,
        node: ast.Call,
        args: list[ast.expr],
        keywords: dict[str, ast.expr],
        names: Sequence[str],
        required: int,
        ignore: Sequence[str] = (),
    ) -> list[ast.expr | None]:
        """Match positional and keyword arguments to ``names``; refuse anything else."""
        if len(args) > len(names):
            raise self.error(node, f"too many arguments: this operation takes at most {len(names)}")
        bound: list[ast.expr | None] = [*args, *([None] * (len(names) - len(args)))]
        for key, value in keywords.items():
            if key in ignore:
                continue
            if key not in names:
                raise self.error(value, f"the argument {key}= cannot be translated into an einsum")
            index = list(names).index(key)
            if bound[index] is not None:
                raise self.error(value, f"{key} is given twice")
            bound[index] = value
        if any(b is None for b in bound[:required]):
            raise self.error(node, f"missing argument: {names[bound.index(None)]}")
        return bound

    def tensor(self, node: ast.expr | None) -> V:
        assert node is not None  # take() has checked the required arguments
        return self.value(node)

    def ndim(self, x: V) -> int:
        return len(self.backend.shape(x))


# --- handlers: one per numpy operation -----------------------------------------------------------------
Handler = Callable[[Walker[Any], ast.Call, list[ast.expr], dict[str, ast.expr]], Any]


def _two(name: str) -> Handler:
    def handle(w: Walker[Any], node: ast.Call, args: list[ast.expr], kw: dict[str, ast.expr]) -> Any:
        a_node, b_node = w.take(node, args, kw, ("a", "b"), 2)
        x, y = w.tensor(a_node), w.tensor(b_node)
        return w.apply(node, lambda: getattr(w.backend, name)(x, y))

    return handle


def _multiply(w: Walker[Any], node: ast.Call, args: list[ast.expr], kw: dict[str, ast.expr]) -> Any:
    a_node, b_node = w.take(node, args, kw, ("x1", "x2"), 2)
    x, y = w.tensor(a_node), w.tensor(b_node)
    return w.apply(node, lambda: w.backend.multiply(x, y))


def _matmul(w: Walker[Any], node: ast.Call, args: list[ast.expr], kw: dict[str, ast.expr]) -> Any:
    a_node, b_node = w.take(node, args, kw, ("x1", "x2"), 2)
    x, y = w.tensor(a_node), w.tensor(b_node)
    return w.apply(node, lambda: w.backend.matmul(x, y))


def _tensordot(w: Walker[Any], node: ast.Call, args: list[ast.expr], kw: dict[str, ast.expr]) -> Any:
    a_node, b_node, axes_node = w.take(node, args, kw, ("a", "b", "axes"), 2)
    x, y = w.tensor(a_node), w.tensor(b_node)
    nx, ny = w.ndim(x), w.ndim(y)
    spec = 2 if axes_node is None else w.literal(axes_node, "axes")
    where = axes_node or node
    if isinstance(spec, int) and not isinstance(spec, bool):
        if spec < 0 or spec > min(nx, ny):
            raise w.error(where, f"axes={spec} needs {spec} dimensions in each array; they have {nx} and {ny}")
        ax, ay = tuple(range(nx - spec, nx)), tuple(range(spec))
    elif isinstance(spec, tuple) and len(spec) == 2:
        first, second = (s if isinstance(s, tuple) else (s,) for s in spec)
        if len(first) != len(second):
            raise w.error(where, "axes must pair as many axes of the first array as of the second")
        ax = tuple(w.axis(where, v, nx) for v in first)
        ay = tuple(w.axis(where, v, ny) for v in second)
        if len(set(ax)) != len(ax) or len(set(ay)) != len(ay):
            raise w.error(where, "axes repeats an axis")
    else:
        raise w.error(where, "axes must be a number or a pair of axis lists, e.g. axes=([1], [0])")
    return w.apply(node, lambda: w.backend.tensordot(x, y, ax, ay))


def _einsum(w: Walker[Any], node: ast.Call, args: list[ast.expr], kw: dict[str, ast.expr]) -> Any:
    for key, value in kw.items():
        if key != "optimize":
            raise w.error(value, f"the argument {key}= of np.einsum cannot be translated")
    if not args or not (isinstance(args[0], ast.Constant) and isinstance(args[0].value, str)):
        raise w.error(node, "np.einsum must start with the subscript written as a string, e.g. 'ij,jk->ik'")
    subscript = args[0].value
    operands = [w.value(arg) for arg in args[1:]]
    return w.apply(node, lambda: w.backend.einsum(subscript, operands))


def _sum(w: Walker[Any], node: ast.Call, args: list[ast.expr], kw: dict[str, ast.expr]) -> Any:
    a_node, axis_node, keep_node = w.take(node, args, kw, ("a", "axis", "keepdims"), 1)
    x = w.tensor(a_node)
    n = w.ndim(x)
    axes = None if axis_node is None else w.axes(axis_node, n)
    keepdims = False if keep_node is None else w.literal(keep_node, "keepdims")
    if not isinstance(keepdims, bool):
        raise w.error(keep_node or node, "keepdims must be True or False")
    chosen = tuple(range(n)) if axes is None else axes
    return w.apply(node, lambda: w.backend.sum(x, chosen, keepdims))


def _transpose(w: Walker[Any], node: ast.Call, args: list[ast.expr], kw: dict[str, ast.expr]) -> Any:
    if args and len(args) > 2:  # the method form x.transpose(1, 0, 2)
        x = w.tensor(args[0])
        n = w.ndim(x)
        order = tuple(w.axis(a, w.literal(a, "axes"), n) for a in args[1:])
        where: ast.AST = node
    else:
        a_node, axes_node = w.take(node, args, kw, ("a", "axes"), 1)
        x = w.tensor(a_node)
        n = w.ndim(x)
        value = None if axes_node is None else w.axes(axes_node, n, "axes")
        order = tuple(reversed(range(n))) if value is None else value
        where = axes_node or node
    if sorted(order) != list(range(n)):
        raise w.error(where, f"axes must list each of the {n} axes once, got {order}")
    return w.apply(node, lambda: w.backend.transpose(x, order))


def _matrix_transpose(w: Walker[Any], node: ast.Call, args: list[ast.expr], kw: dict[str, ast.expr]) -> Any:
    (a_node,) = w.take(node, args, kw, ("x",), 1)
    x = w.tensor(a_node)
    n = w.ndim(x)
    if n < 2:
        raise w.error(node, f"matrix_transpose needs at least 2 dimensions, this array has {n}")
    return w.apply(node, lambda: w.backend.transpose(x, (*range(n - 2), n - 1, n - 2)))


def _swapaxes(w: Walker[Any], node: ast.Call, args: list[ast.expr], kw: dict[str, ast.expr]) -> Any:
    a_node, n1, n2 = w.take(node, args, kw, ("a", "axis1", "axis2"), 3)
    x = w.tensor(a_node)
    n = w.ndim(x)
    assert n1 is not None and n2 is not None
    i, j = w.axis(n1, w.literal(n1, "axis1"), n), w.axis(n2, w.literal(n2, "axis2"), n)
    order = list(range(n))
    order[i], order[j] = order[j], order[i]
    return w.apply(node, lambda: w.backend.transpose(x, tuple(order)))


def _moveaxis(w: Walker[Any], node: ast.Call, args: list[ast.expr], kw: dict[str, ast.expr]) -> Any:
    a_node, s_node, d_node = w.take(node, args, kw, ("a", "source", "destination"), 3)
    x = w.tensor(a_node)
    n = w.ndim(x)
    assert s_node is not None and d_node is not None
    source, destination = w.axes(s_node, n, "source"), w.axes(d_node, n, "destination")
    if source is None or destination is None or len(source) != len(destination):
        raise w.error(node, "source and destination must name as many axes each")
    order = [axis for axis in range(n) if axis not in source]
    for dest, src in sorted(zip(destination, source)):
        order.insert(dest, src)
    return w.apply(node, lambda: w.backend.transpose(x, tuple(order)))


def _diagonal_axes(
    w: Walker[Any], node: ast.Call, args: list[ast.expr], kw: dict[str, ast.expr]
) -> tuple[Any, int, int]:
    a_node, off_node, n1, n2 = w.take(node, args, kw, ("a", "offset", "axis1", "axis2"), 1)
    x = w.tensor(a_node)
    n = w.ndim(x)
    if n < 2:
        raise w.error(node, f"a diagonal needs at least 2 dimensions, this array has {n}")
    if off_node is not None and w.literal(off_node, "offset") != 0:
        raise w.error(off_node, "an offset diagonal is not a repeated label: einsum takes only the main diagonal")
    i = 0 if n1 is None else w.axis(n1, w.literal(n1, "axis1"), n)
    j = 1 if n2 is None else w.axis(n2, w.literal(n2, "axis2"), n)
    if i == j:
        raise w.error(node, "axis1 and axis2 must be different axes")
    return x, i, j


def _diagonal(w: Walker[Any], node: ast.Call, args: list[ast.expr], kw: dict[str, ast.expr]) -> Any:
    x, i, j = _diagonal_axes(w, node, args, kw)
    return w.apply(node, lambda: w.backend.diagonal(x, i, j))


def _trace(w: Walker[Any], node: ast.Call, args: list[ast.expr], kw: dict[str, ast.expr]) -> Any:
    x, i, j = _diagonal_axes(w, node, args, kw)

    def trace() -> Any:
        d = w.backend.diagonal(x, i, j)
        return w.backend.sum(d, (len(w.backend.shape(d)) - 1,), False)

    return w.apply(node, trace)


def _squeeze(w: Walker[Any], node: ast.Call, args: list[ast.expr], kw: dict[str, ast.expr]) -> Any:
    a_node, axis_node = w.take(node, args, kw, ("a", "axis"), 1)
    x = w.tensor(a_node)
    shape = w.backend.shape(x)
    axes = None if axis_node is None else w.axes(axis_node, len(shape))
    if axes is None:
        axes = tuple(k for k, size in enumerate(shape) if size == 1)
    for axis in axes:
        if shape[axis] != 1:
            raise w.error(axis_node or node, f"axis {axis} has size {shape[axis]}; squeeze removes only size-1 axes")
    return w.apply(node, lambda: w.backend.squeeze(x, axes))


def _expand_dims(w: Walker[Any], node: ast.Call, args: list[ast.expr], kw: dict[str, ast.expr]) -> Any:
    a_node, axis_node = w.take(node, args, kw, ("a", "axis"), 2)
    x = w.tensor(a_node)
    assert axis_node is not None
    value = w.literal(axis_node, "axis")
    count = len(value) if isinstance(value, tuple) else 1
    n = w.ndim(x) + count
    new = w.axes(axis_node, n) or ()
    spec = tuple(k in new for k in range(n))
    return w.apply(node, lambda: w.backend.index(x, spec))


def _vdot(w: Walker[Any], node: ast.Call, args: list[ast.expr], kw: dict[str, ast.expr]) -> Any:
    a_node, b_node = w.take(node, args, kw, ("a", "b"), 2)
    x, y = w.tensor(a_node), w.tensor(b_node)
    return w.apply(node, lambda: w.backend.vdot(x, y))


_HANDLERS: dict[str, Handler] = {
    "multiply": _multiply,
    "matmul": _matmul,
    "dot": _two("dot"),
    "inner": _two("inner"),
    "outer": _two("outer"),
    "vdot": _vdot,
    "tensordot": _tensordot,
    "einsum": _einsum,
    "sum": _sum,
    "transpose": _transpose,
    "permute_dims": _transpose,
    "matrix_transpose": _matrix_transpose,
    "swapaxes": _swapaxes,
    "moveaxis": _moveaxis,
    "diagonal": _diagonal,
    "trace": _trace,
    "squeeze": _squeeze,
    "expand_dims": _expand_dims,
}
_METHODS = frozenset({"sum", "transpose", "swapaxes", "diagonal", "trace", "squeeze", "dot"})


# --- the numeric backend: plain numpy on arrays ------------------------------------------------------
class NumpyBackend:
    """Evaluates the code's operations with numpy itself (the reference the translation must match)."""

    def __init__(self, arrays: dict[str, Any]) -> None:
        self.arrays = arrays

    def locate(self, node: ast.AST) -> None:
        return None

    def operand(self, name: str) -> Any:
        return self.arrays[name]

    def reuse(self, value: Any) -> Any:
        return value

    def shape(self, value: Any) -> tuple[int, ...]:
        return tuple(np.shape(value))

    def multiply(self, x: Any, y: Any) -> Any:
        return np.multiply(x, y)

    def matmul(self, x: Any, y: Any) -> Any:
        return np.matmul(x, y)

    def dot(self, x: Any, y: Any) -> Any:
        return np.dot(x, y)

    def inner(self, x: Any, y: Any) -> Any:
        return np.inner(x, y)

    def outer(self, x: Any, y: Any) -> Any:
        return np.outer(x, y)

    def vdot(self, x: Any, y: Any) -> Any:
        return np.vdot(x, y)

    def tensordot(self, x: Any, y: Any, axes_x: tuple[int, ...], axes_y: tuple[int, ...]) -> Any:
        return np.tensordot(x, y, axes=(list(axes_x), list(axes_y)))

    def einsum(self, subscript: str, operands: Sequence[Any]) -> Any:
        return np.einsum(subscript, *operands)

    def sum(self, x: Any, axes: tuple[int, ...], keepdims: bool) -> Any:
        return np.sum(x, axis=axes, keepdims=keepdims)

    def transpose(self, x: Any, order: tuple[int, ...]) -> Any:
        return np.transpose(x, order)

    def diagonal(self, x: Any, axis1: int, axis2: int) -> Any:
        return np.diagonal(x, 0, axis1, axis2)

    def squeeze(self, x: Any, axes: tuple[int, ...]) -> Any:
        return np.squeeze(x, axis=axes)

    def index(self, x: Any, spec: tuple[bool, ...]) -> Any:
        return np.asarray(x)[tuple(None if new else slice(None) for new in spec)]


def parse_code(code: str) -> ast.Module:
    """The code as an ``ast`` tree, or a TranslateError that says where Python could not read it."""
    if not isinstance(code, str):
        raise TranslateError(f"the code must be a string, not {type(code).__name__}")
    if len(code) > MAX_CODE:
        raise TranslateError(f"the code is longer than {MAX_CODE} characters; translate one expression at a time")
    if "\0" in code:
        raise TranslateError("the code contains a NUL character; remove it")
    try:
        tree = ast.parse(code, mode="exec")
    except (SyntaxError, RecursionError, MemoryError) as error:
        if not isinstance(error, SyntaxError):
            raise TranslateError("the code is nested too deeply for Python to read") from None
        column = error.offset
        raise TranslateError(
            f"this is not valid Python ({error.msg})",
            operation=(error.text or "").strip() or None,
            line=error.lineno,
            column=column,
            multiline="\n" in code.strip(),
            unfinished=_stops_early(code, error),
        ) from None
    if _depth(tree) > MAX_DEPTH:
        raise TranslateError(
            f"the code nests more than {MAX_DEPTH} operations in one expression; split it into assignments (x = ...)"
        )
    return tree


STATEMENT_KINDS: tuple[tuple[type[ast.stmt] | tuple[type[ast.stmt], ...], str], ...] = (
    ((ast.Assign, ast.AugAssign, ast.AnnAssign), "an assignment"),
    ((ast.Import, ast.ImportFrom), "an import"),
    ((ast.For, ast.AsyncFor, ast.While), "a loop"),
    (ast.If, "an if statement"),
    ((ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef), "a definition"),
)


def _numpy_import(node: ast.stmt) -> bool:
    return isinstance(node, ast.Import) and all(alias.name == "numpy" for alias in node.names)


def _statement_kind(node: ast.stmt) -> str:
    """What a statement is, in words (``an import``), for a message."""
    for kinds, words in STATEMENT_KINDS:
        if isinstance(node, kinds):
            return words
    return f"a statement ({type(node).__name__.lower()})"


def _stops_early(code: str, error: SyntaxError) -> bool:
    """Whether Python failed only because the code ends too soon: a bracket or string still open, or the
    error found past the last character (``a +``), as while the code is being typed."""
    message = error.msg or ""
    if "was never closed" in message or message.startswith("unterminated") or "unexpected EOF" in message:
        return True
    lines = code.rstrip().split("\n")
    return error.lineno == len(lines) and error.offset is not None and error.offset > len(lines[-1].rstrip())


def _depth(tree: ast.AST) -> int:
    """The deepest nesting of the tree (without recursion, so a deep tree cannot exhaust the stack)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest
