"""The explainer: what an einsum does, drawn, told, written as loops and as plain numpy.

``explain(subscript, *shapes_or_arrays, names=None)`` binds the subscript (raising the same
``EinsumError`` as ``bind``) and returns an ``Explanation`` whose renderings are all computed from
the contraction and its plan; nothing is typed by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

import numpy as np

from ..contraction import Contraction, Shape, bind
from ..evaluate import check_casts, check_optimize_for, check_options, check_out_shape, split_call
from ..plan import Plan, make_plan
from .code import ExplainedStep, explained_steps, formula, loops, numpy_code
from .diagram import diagram
from .html import render_html
from .naming import default_names, display_names
from .prose import Operation, identify, prose

__all__ = ["ExplainedStep", "Explanation", "Operation", "explain", "identify"]


class Explanation:
    """Every rendering of one einsum on operands of given shapes (each computed on first use)."""

    def __init__(
        self,
        contraction: Contraction,
        names: Sequence[str],
        dtype: np.dtype[Any] | None = None,
        arrays: Sequence[Any] | None = None,
        cast: np.dtype[Any] | None = None,
    ) -> None:
        self.contraction = contraction
        self.names = tuple(names)
        self.dtype = dtype
        self.arrays = tuple(arrays) if arrays is not None else None
        """The operands when they were given as arrays (the picture then shows their values)."""
        self.cast = cast
        """The ``dtype=`` asked of einsum, if any: it computes in that type (the code casts first)."""

    @cached_property
    def plan(self) -> Plan:
        return make_plan(self.contraction)

    @property
    def subscript(self) -> str:
        return self.contraction.subscript.text

    @property
    def output_shape(self) -> Shape:
        return self.contraction.output_shape

    @cached_property
    def operation(self) -> Operation:
        """The familiar operation this einsum is (or the closest general description)."""
        return identify(self.contraction, self.names)

    @cached_property
    def display_names(self) -> tuple[str, ...]:
        """The operands as sentences name them (``operand b`` when a chosen name is also a label)."""
        return display_names(self.names, self.contraction.labels)

    @cached_property
    def diagram(self) -> str:
        return diagram(self.contraction, self.names, self.display_names)

    @cached_property
    def prose(self) -> str:
        operation = self.operation
        if self.display_names != self.names:
            worded = identify(self.contraction, self.display_names, verify=False)
            if worded.name == operation.name:
                operation = Operation(operation.name, worded.summary, operation.equivalent)
        return prose(self.contraction, self.display_names, operation)

    @cached_property
    def formula(self) -> str:
        return formula(self.contraction, self.names)

    @cached_property
    def loops(self) -> str:
        return loops(self.contraction, self.names, self.cast)

    @cached_property
    def numpy_code(self) -> str:
        return numpy_code(self.plan, self.names, self.dtype, self.cast)

    @cached_property
    def backend_notes(self) -> list[str]:
        """Where torch, jax, tinygrad or mlx would treat this einsum differently (from backends' data).

        A difference that depends on the operands' dtype is listed only when the operands were given
        as arrays of that kind of dtype (with shapes alone, nothing is known about the dtype)."""
        from ..backends import BACKENDS, NAMES

        found = []
        for name in NAMES:
            for difference in BACKENDS[name].differences:
                if difference.applies is None or not difference.applies(self.contraction):
                    continue
                if _dtype_relevant(difference.dtype, self.dtype):
                    found.append(f"{name} {difference.summary}")
        return found

    @cached_property
    def svg(self) -> str:
        """An ``<svg>`` picture: the cells of small operands and the output (choosing an output cell
        highlights the input cells of its sum and writes the sum out), and the tensor network of any
        einsum. Uses the operands' values when they were given as arrays, else small example values.
        Self-contained (its CSS inside): save it as a file or show it in a notebook."""
        return self.picture(style=True)

    def picture(self, style: bool = True) -> str:
        """The SVG picture; ``style=False`` leaves out its ``<style>`` (for pages that ship the CSS)."""
        from .html import PALETTE
        from .svg import render_svg

        title = f"{self.subscript} on {', '.join(str(s) for s in self.contraction.shapes)}: {self.operation.name}"
        return render_svg(self.contraction, self.names, self.arrays, PALETTE, title, style=style)

    @cached_property
    def mathml(self) -> str:
        """The formula as a MathML ``<math>`` element (labels coloured through the HTML classes)."""
        from .html import label_classes
        from .mathml import mathml

        return mathml(self.contraction, self.names, label_classes(self.contraction))

    @cached_property
    def steps(self) -> list[ExplainedStep]:
        return explained_steps(self.plan, self.names, self.dtype)

    def html(self, include_style: bool = True, picture: bool = True) -> str:
        """An HTML fragment (the web app passes ``include_style=False`` and ships the CSS itself);
        ``picture`` includes the SVG picture."""
        return render_html(self, include_style=include_style, picture=picture)

    def _repr_html_(self) -> str:
        """Jupyter: the HTML fragment with its style, the MathML formula and the SVG picture."""
        return self.html()

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON (the CLI's ``--json`` and the web API)."""
        c = self.contraction
        return {
            "subscript": c.subscript.text,
            "canonical": c.subscript.canonical(),
            "explicit": c.subscript.explicit,
            "names": list(self.names),
            "shapes": [list(shape) for shape in c.shapes],
            "output_shape": list(c.output_shape),
            "sizes": dict(c.sizes),
            "roles": {
                label: {
                    "size": role.size,
                    "kept": role.kept,
                    "operands": [self.names[i] for i in role.operands],
                    "diagonal": [self.names[i] for i in role.diagonal],
                    "broadcast": [self.names[i] for i in role.broadcast],
                    "ellipsis": role.ellipsis,
                }
                for label, role in c.roles.items()
            },
            "operation": self.operation.name,
            "diagram": self.diagram,
            "prose": self.prose,
            "formula": self.formula,
            "loops": self.loops,
            "numpy_code": self.numpy_code,
            "steps": [step.to_dict() for step in self.steps],
            "backend_notes": self.backend_notes,
        }

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))

    def __str__(self) -> str:
        return "\n\n".join([self.diagram, self.prose, self.formula])

    def __repr__(self) -> str:
        shapes = ", ".join(str(shape) for shape in self.contraction.shapes)
        return f"<Explanation {self.contraction.subscript.text!r} on {shapes}: {self.operation.name}>"


def explain(
    subscript: Any,
    *shapes_or_arrays: Any,
    names: Sequence[str] | None = None,
    out: Any = None,
    dtype: Any = None,
    order: Any = "K",
    casting: Any = "safe",
    optimize: Any = False,
) -> Explanation:
    """Explain ``subscript`` applied to operands given as shapes (tuples/lists of ints) or arrays.

    Any call of ``ep.einsum`` (or ``np.einsum``) can be explained as written: the sublist form
    ``explain(a, [0, 1], b, [1, 2])`` too, and the keywords ``out``, ``dtype``, ``order``, ``casting``
    and ``optimize``, checked as einsum checks them; ``dtype`` takes the place of the operands' result
    type as ``Explanation.dtype``.
    """
    text, operands = split_call((subscript, *shapes_or_arrays))
    options = check_options(out, dtype, order, casting, optimize)
    shapes: list[Shape] = []
    arrays: list[Any] = []
    for operand in operands:
        if _is_shape(operand):
            shapes.append(tuple(int(size) for size in operand))
        else:
            array = operand if hasattr(operand, "shape") and hasattr(operand, "dtype") else np.asarray(operand)
            arrays.append(array)
            shapes.append(tuple(int(size) for size in array.shape))
    contraction = bind(text, *shapes)
    if options.path is not None or options.path_name is not None:
        check_optimize_for(options, contraction)
    if options.out is not None:
        check_out_shape(options.out, contraction.output_shape)
    chosen = default_names(len(shapes), contraction.labels) if names is None else _check_names(names, len(shapes))
    computed = options.dtype
    if computed is None and arrays and len(arrays) == len(shapes):
        try:
            computed = np.result_type(*[np.dtype(array.dtype) for array in arrays])
        except TypeError:
            computed = None
    given = arrays if arrays and len(arrays) == len(shapes) else None
    view = len(shapes) == 1 and not contraction.summed_labels and options.out is None
    if given is not None and computed is not None and not view:
        # casting= refuses what einsum would refuse (a view ignores dtype= and casting= in numpy)
        check_casts([np.dtype(array.dtype) for array in given], np.dtype(computed), options)
    return Explanation(contraction, chosen, computed, given, cast=options.dtype)


def _dtype_relevant(wanted: str, dtype: np.dtype[Any] | None) -> bool:
    """Whether a difference measured on ``wanted`` operands (``"int64"``, ``"int32,float32"``) concerns ``dtype``."""
    kinds = {np.dtype(name.strip()).kind for name in wanted.split(",")}
    if kinds == {"f"}:
        return dtype is None or dtype.kind in "fc"
    if dtype is None:
        return False
    kind = "i" if dtype.kind == "u" else dtype.kind
    return kind in {"i" if k == "u" else k for k in kinds if k != "f"}


def _is_shape(value: Any) -> bool:
    if isinstance(value, (tuple, list)):
        return all(isinstance(size, (int, np.integer)) and not isinstance(size, bool) for size in value)
    return False


def _check_names(names: Sequence[str], count: int) -> tuple[str, ...]:
    chosen = tuple(names)
    if len(chosen) != count:
        raise ValueError(f"names gives {len(chosen)} names for {count} operands: give one name per operand")
    for name in chosen:
        if not (isinstance(name, str) and name.isidentifier()):
            raise ValueError(f"operand name {name!r} is not a Python identifier; use names such as 'x' or 'w_q'")
        if name in ("out", "np"):
            raise ValueError(f"operand name {name!r} is taken by the generated code; choose another")
    if len(set(chosen)) != len(chosen):
        raise ValueError(f"operand names must differ, got {list(chosen)}")
    return chosen
