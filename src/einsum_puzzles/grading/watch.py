"""Runs inside the sandbox child, around the learner's function: the puzzle's einsum-only rule at run time.

Standalone on purpose (numpy and the standard library only): the parent copies this file into the
job folder and the child loads it from there before it reads the learner's code. It

* records every ``np.einsum`` call (subscript, operand shapes, line in the learner's code), so the
  parent can validate each one with the project's own ``bind`` and report its message, with the line;
* refuses the products computed without einsum: ``np.matmul``, ``dot``, ``tensordot``, ``inner``,
  ``vdot``, ``outer``, ``kron``, ``linalg.multi_dot``, the ``@`` operator on the inputs or anything
  computed from them, and a product that broadcasts two such arrays against each other (a result
  larger than both, as in ``q[:, :, None] * k[:, None]``) that is then summed;
* lets the parent see whether einsum ran at all (einsum only in dead code does not count).

This is a teaching rule, not a security boundary: the sandbox is the boundary.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

FILENAME = "your code"
FORBIDDEN = ("matmul", "dot", "tensordot", "inner", "vdot", "outer", "kron")

calls: list[dict[str, Any]] = []
violations: list[str] = []
_real_einsum = np.einsum
_real_matmul = np.matmul
_real_add = np.add
_real_multiply = np.multiply


class RuleBroken(Exception):
    """A product computed without einsum: the run stops here."""


def _line() -> int | None:
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename == FILENAME:
            return frame.f_lineno
        frame = frame.f_back  # type: ignore[assignment]
    return None


def _refuse(what: str) -> None:
    line = _line()
    where = f"line {line}: " if line else ""
    message = f"{where}{what} computes a product without einsum; this puzzle asks for every product as an np.einsum"
    violations.append(message)
    raise RuleBroken(message)


class Watched(np.ndarray):
    """An input of the learner's function, or a value computed from one."""

    product_line: int | None = None

    def __array_finalize__(self, obj: Any) -> None:
        self.product_line = getattr(obj, "product_line", None)  # views of a product stay products

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if ufunc is _real_matmul:
            _refuse("the @ operator (matmul)")
        if ufunc is _real_add and method in ("reduce", "accumulate", "reduceat"):
            line = next((x.product_line for x in inputs if isinstance(x, Watched) and x.product_line), None)
            if line is not None:
                _refuse(f"summing the elementwise product made on line {line}")
        plain = tuple(unwrap(x) for x in inputs)
        if "out" in kwargs:
            kwargs["out"] = tuple(unwrap(x) for x in kwargs["out"])
        result = getattr(ufunc, method)(*plain, **kwargs)
        wrapped = wrap(result)
        if (
            ufunc is _real_multiply
            and method == "__call__"
            and isinstance(wrapped, Watched)
            and sum(isinstance(x, Watched) and x.size > 1 for x in inputs) == 2
            and wrapped.size > max(x.size for x in inputs if isinstance(x, Watched))
        ):  # a product that broadcasts two arrays against each other (like an outer product), then summed
            wrapped.product_line = _line()
        return wrapped


def wrap(value: Any) -> Any:
    if isinstance(value, tuple):
        return tuple(wrap(v) for v in value)
    if isinstance(value, np.ndarray) and not isinstance(value, Watched):
        watched = value.view(Watched)
        watched.product_line = None
        return watched
    return value


def unwrap(value: Any) -> Any:
    if isinstance(value, Watched):
        return value.view(np.ndarray)
    return value


def _einsum(*operands: Any, **kwargs: Any) -> Any:
    if operands and isinstance(operands[0], str):
        calls.append(
            {
                "subscript": operands[0],
                "shapes": [list(np.shape(o)) for o in operands[1:]],
                "line": _line(),
            }
        )
    else:
        calls.append({"subscript": None, "shapes": [], "line": _line()})
    return wrap(_real_einsum(*(unwrap(o) for o in operands), **kwargs))


def _refusing(name: str) -> Any:
    def refused(*args: Any, **kwargs: Any) -> Any:
        _refuse(f"np.{name}")

    return refused


def _keeping(convert: Any) -> Any:
    def converted(value: Any, *args: Any, **kwargs: Any) -> Any:
        result = convert(value, *args, **kwargs)
        return wrap(result) if isinstance(value, Watched) else result

    return converted


def install() -> None:
    """Replace numpy's einsum by a recording one and its product functions by refusals; conversions of a
    watched array stay watched."""
    np.einsum = _einsum
    for name in ("asarray", "array", "ascontiguousarray"):
        setattr(np, name, _keeping(getattr(np, name)))
    for name in FORBIDDEN:
        setattr(np, name, _refusing(name))
    np.linalg.multi_dot = _refusing("linalg.multi_dot")


def report() -> dict[str, Any]:
    return {"calls": calls[-200:], "einsum_calls": len(calls), "violations": violations[:5]}
