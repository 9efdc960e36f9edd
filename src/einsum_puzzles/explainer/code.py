"""The einsum written out: a summation formula, Python loops, and plain numpy code (the plan's steps).

``loops`` and ``numpy_code`` are Python source that, run with the operands bound to their names and
``numpy`` imported as ``np``, leave the result in ``out``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..contraction import Contraction, Operand, is_ellipsis_label
from ..plan import Plan, Step
from .naming import axes_text, display, every_text, labels_text, loop_variables


def _index(op: Operand, variables: dict[str, str], sizes: dict[str, int], compact_ellipsis: bool) -> str:
    """How operand ``op`` is indexed inside the loops (or the formula): ``a[i, j]``, 0 where it broadcasts."""
    parts: list[str] = []
    ellipsis_done = False
    for label, size in zip(op.axis_labels, op.shape):
        if compact_ellipsis and is_ellipsis_label(label):
            if not ellipsis_done:
                parts.append("...")
                ellipsis_done = True
            continue
        parts.append("0" if size == 1 and sizes[label] != 1 else variables[label])
    return ", ".join(parts)


def formula(c: Contraction, names: Sequence[str]) -> str:
    """``out[i, k] = Σ_j a[i, j] · b[j, k]``. A label that is also an operand name (only when the
    caller chose the names) is written ``b_`` (as in the loops), so that it never reads as the operand."""
    taken = set(names)
    variables = {label: f"{label}_" if label in taken else label for label in c.labels}
    sizes = dict(c.sizes)
    factors = []
    for op in c.operands:
        index = _index(op, variables, sizes, compact_ellipsis=True)
        factors.append(f"{names[op.index]}[{index}]" if op.shape else names[op.index])
    out_index = ", ".join(
        dict.fromkeys("..." if is_ellipsis_label(label) else variables[label] for label in c.output_labels)
    )
    left = f"out[{out_index}]" if c.output_labels else "out"
    summed = [display(label) if is_ellipsis_label(label) else variables[label] for label in c.summed_labels]
    sigma = ""
    if len(summed) == 1:
        sigma = f"Σ_{summed[0]} "
    elif summed:
        sigma = "Σ_{" + ",".join(summed) + "} "
    return f"{left} = {sigma}{' · '.join(factors)}"


def loops(c: Contraction, names: Sequence[str], cast: np.dtype[Any] | None = None) -> str:
    """Nested Python loops: output labels outside, summed labels inside, explicit indexing (with
    ``cast``, einsum's ``dtype=``: the operands are cast to it first and the output has it)."""
    variables = loop_variables(c, names)
    sizes = dict(c.sizes)
    args = ", ".join(names)
    view = len(c.operands) == 1 and not c.summed_labels
    lines = _cast_lines(names, cast, view)
    kind = f"np.{cast.name}" if cast is not None and not view else f"np.result_type({args})"
    lines.append(f"out = np.zeros({c.output_shape}, dtype={kind})")
    depth = 0
    for label in list(c.output_labels) + list(c.summed_labels):
        comment = "  # summed over" if c.roles[label].summed else ""
        lines.append("    " * depth + f"for {variables[label]} in range({sizes[label]}):{comment}")
        depth += 1
    factors = [
        f"{names[op.index]}[{_index(op, variables, sizes, compact_ellipsis=False)}]" if op.shape else names[op.index]
        for op in c.operands
    ]
    target = ", ".join(variables[label] for label in c.output_labels) or "()"
    lines.append("    " * depth + f"out[{target}] += {' * '.join(factors)}")
    return "\n".join(lines)


@dataclass(frozen=True)
class ExplainedStep:
    """A plan step in the operands' names, with its line of numpy code."""

    kind: str
    function: str
    inputs: tuple[str, ...]
    result: str
    labels: tuple[str, ...]
    result_labels: tuple[str, ...]
    shape: tuple[int, ...]
    code: str
    description: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "function": self.function,
            "inputs": list(self.inputs),
            "result": self.result,
            "labels": [display(label) for label in self.labels],
            "result_labels": [display(label) for label in self.result_labels],
            "shape": list(self.shape),
            "code": self.code,
            "description": self.description,
        }


def explained_steps(plan: Plan, names: Sequence[str], dtype: np.dtype[Any] | None = None) -> list[ExplainedStep]:
    value_names = _value_names(plan, names)
    sizes = dict(plan.contraction.sizes)
    steps = []
    for step in plan.steps:
        inputs = tuple(value_names[i] for i in step.inputs)
        code = _step_code(step, inputs, sizes, dtype)
        steps.append(
            ExplainedStep(
                kind=step.kind,
                function="matmul" if step.kind == "contract" and " @ " in code else step.function,
                inputs=inputs,
                result=value_names[step.result],
                labels=step.labels,
                result_labels=step.result_labels,
                shape=step.shape,
                code=code,
                description=_describe(step, inputs),
            )
        )
    return steps


def numpy_code(
    plan: Plan, names: Sequence[str], dtype: np.dtype[Any] | None = None, cast: np.dtype[Any] | None = None
) -> str:
    """Plain numpy, one commented line per plan step, with the shape after it (a diagonal that is
    summed at once is written as the trace it is). ``cast``: einsum's ``dtype=``, applied to the
    operands first, as einsum does."""
    steps = explained_steps(plan, names, dtype)
    value_names = _value_names(plan, names)
    lines: list[str] = _cast_lines(names, cast, plan.n_operands == 1 and not plan.contraction.summed_labels)
    skip = False
    for index, step in enumerate(steps):
        if skip:
            skip = False
            continue
        trace = _trace_code(plan, index, steps, dtype)
        if trace is not None:
            step = trace
            skip = True
        labels = ", ".join(display(label) for label in step.result_labels) or "scalar"
        lines.append(f"# {step.description}: shape {step.shape} ({labels})")
        lines.append(f"{step.result} = {step.code}")
    final = value_names[plan.result]
    if not plan.steps:
        lines.append("# nothing to compute: the output is the operand as it is")
    lines.append(f"out = {final}")
    return "\n".join(lines)


def _cast_lines(names: Sequence[str], cast: np.dtype[Any] | None, view: bool) -> list[str]:
    """einsum(..., dtype=T) casts every operand to T before it computes: the code says so first. Except
    for one operand only transposed or diagonalised (``view``): numpy returns a view of it, in its own
    type, whatever ``dtype`` says."""
    if cast is None:
        return []
    if view:
        return [f"# numpy returns a view of {names[0]} here, in its own type: dtype={cast.name} is not applied"]
    distinct = list(dict.fromkeys(names))
    targets = ", ".join(distinct)
    values = ", ".join(f"{name}.astype(np.{cast.name})" for name in distinct)
    return [f"# dtype={cast.name}: einsum casts the operands to it and computes in it", f"{targets} = {values}"]


def _trace_code(
    plan: Plan, index: int, steps: Sequence[ExplainedStep], dtype: np.dtype[Any] | None
) -> ExplainedStep | None:
    """A diagonal of two axes immediately summed over (and used nowhere else) is ``np.trace``."""
    if index + 1 >= len(plan.steps) or (dtype is not None and dtype.kind in "biu"):
        return None  # integer sums keep their dtype in einsum; np.trace would widen them
    first, second = plan.steps[index], plan.steps[index + 1]
    if first.kind != "diagonal" or second.kind != "sum" or second.inputs != (first.result,):
        return None
    if second.labels != first.labels or len(first.axes()) != 2:
        return None
    if any(first.result in later.inputs for later in plan.steps[index + 2 :]):
        return None
    axis1, axis2 = first.axes()
    name = steps[index].inputs[0]
    ndim = len(first.input_labels[0])
    code = f"np.trace({name})" if ndim == 2 else f"np.trace({name}, axis1={axis1}, axis2={axis2})"
    label = labels_text(first.labels)
    return replace(
        steps[index + 1],
        kind="trace",
        function="trace",
        inputs=(name,),
        code=code,
        description=f"add up the diagonal of {name} where its {label} axes meet (a trace)",
    )


def _value_names(plan: Plan, names: Sequence[str]) -> dict[int, str]:
    taken = set(names)
    value_names = dict(enumerate(names))
    for step in plan.steps:
        name = f"t{step.result - plan.n_operands}"
        while name in taken:
            name += "_"
        taken.add(name)
        value_names[step.result] = name
    return value_names


def _axis_arg(axes: Sequence[int]) -> str:
    return str(axes[0]) if len(axes) == 1 else str(tuple(axes))


def _step_code(step: Step, inputs: tuple[str, ...], sizes: dict[str, int], dtype: np.dtype[Any] | None) -> str:
    if step.kind == "diagonal":
        axes = step.axes()
        expression = inputs[0]
        ndim = len(step.input_labels[0])
        if ndim == 2:
            return f"np.diagonal({expression})"
        for other in reversed(axes[1:]):
            ndim -= 1
            expression = f"np.diagonal({expression}, axis1={axes[0]}, axis2={other})"
            if axes[0] != ndim - 1:
                expression = f"np.moveaxis({expression}, -1, {axes[0]})"
        return expression
    if step.kind == "squeeze":
        return f"np.squeeze({inputs[0]}, axis={_axis_arg(step.axes())})"
    if step.kind == "sum":
        exact = f", dtype=np.{dtype.name}" if dtype is not None and dtype.kind in "biu" else ""
        return f"np.sum({inputs[0]}, axis={_axis_arg(step.axes())}{exact})"
    if step.kind == "transpose":
        (labels,) = step.input_labels
        order = tuple(labels.index(label) for label in step.result_labels)
        return f"{inputs[0]}.T" if len(order) == 2 else f"{inputs[0]}.transpose{order}"
    if step.kind == "multiply":
        return _multiply_code(step, inputs)
    return _contract_code(step, inputs, sizes)


def _transposed(name: str, labels: Sequence[str], order_labels: Sequence[str]) -> str:
    order = tuple(labels.index(label) for label in order_labels)
    if order == tuple(range(len(order))):
        return name
    return f"{name}.T" if len(order) == 2 else f"{name}.transpose{order}"


def _multiply_code(step: Step, inputs: tuple[str, ...]) -> str:
    a, b = inputs
    a_labels, b_labels = step.input_labels
    extra = len(step.result_labels) - len(a_labels)
    left = a if not extra or not a_labels else f"{a}[{', '.join([':'] * len(a_labels) + ['None'] * extra)}]"
    in_b = [label for label in step.result_labels if label in b_labels]
    right = _transposed(b, b_labels, in_b)
    if b_labels and len(in_b) < len(step.result_labels):
        index = ", ".join(":" if label in b_labels else "None" for label in step.result_labels)
        right = f"{right}[{index}]"
    return f"{left} * {right}"


def _arranged(name: str, labels: Sequence[str], order: Sequence[str]) -> str:
    """``name`` with its axes in ``order``: as it is, ``.T``, ``np.swapaxes(.., -1, -2)`` or a transpose."""
    perm = tuple(list(labels).index(label) for label in order)
    n = len(perm)
    if perm == tuple(range(n)):
        return name
    if n == 2:
        return f"{name}.T"
    if perm[:-2] == tuple(range(n - 2)) and perm[-2:] == (n - 1, n - 2):
        return f"np.swapaxes({name}, -1, -2)"
    return f"{name}.transpose{perm}"


def _matmul_code(step: Step, inputs: tuple[str, ...]) -> str | None:
    """The contraction as ``@`` when one label is summed and each side keeps at most one of its own."""
    a, b = inputs
    a_labels, b_labels = step.input_labels
    if len(step.labels) != 1:
        return None
    (j,) = step.labels
    batch = tuple(step.batch)
    left = tuple(label for label in a_labels if label not in b_labels)
    right = tuple(label for label in b_labels if label not in a_labels)
    if len(left) > 1 or len(right) > 1 or tuple(step.result_labels) != batch + left + right:
        return None
    x = _arranged(a, a_labels, batch + left + (j,))
    y = _arranged(b, b_labels, batch + (j,) + right)
    if not batch:
        return f"{x} @ {y}"  # matrix or vector on either side: @ handles all four
    if left and right:
        return f"{x} @ {y}"
    if left:
        return f"({x} @ {y}[..., None])[..., 0]"
    if right:
        return f"({x}[..., None, :] @ {y})[..., 0, :]"
    return f"np.sum({x} * {y}, axis=-1)"


def _contract_code(step: Step, inputs: tuple[str, ...], sizes: dict[str, int]) -> str:
    readable = _matmul_code(step, inputs)
    if readable is not None:
        return readable
    a, b = inputs
    a_labels, b_labels = step.input_labels
    summed = step.labels
    if not step.batch and set(a_labels) == set(b_labels) == set(summed):
        return f"np.sum({a} * {_arranged(b, b_labels, a_labels)})"
    if not step.batch:
        axes_a = [a_labels.index(label) for label in summed]
        axes_b = [b_labels.index(label) for label in summed]
        return f"np.tensordot({a}, {b}, axes=({axes_a}, {axes_b}))"
    batch = step.batch
    left = tuple(label for label in a_labels if label not in b_labels)
    right = tuple(label for label in b_labels if label not in a_labels)

    def block(name: str, labels: Sequence[str], groups: Sequence[Sequence[str]]) -> tuple[str, tuple[int, ...]]:
        flat = [label for group in groups for label in group]
        expression = _transposed(name, labels, flat)
        shape = tuple(int(np.prod([sizes[label] for label in group], dtype=np.int64)) for group in groups)
        if all(len(group) == 1 for group in groups):
            return expression, shape
        return f"{expression}.reshape{shape}", shape

    left_code, left_shape = block(a, a_labels, [batch, left, summed])
    right_code, right_shape = block(b, b_labels, [batch, summed, right])
    product = f"np.matmul({left_code}, {right_code})"
    if left_shape[:1] + left_shape[1:2] + right_shape[2:] == step.shape:
        return product
    return f"{product}.reshape{step.shape}"


def _describe(step: Step, inputs: tuple[str, ...]) -> str:
    labels = labels_text(step.labels)
    if step.kind == "diagonal":
        return f"take the diagonal of {inputs[0]} where its {labels} axes meet"
    if step.kind == "squeeze":
        them = "it" if len(step.labels) == 1 else "them"
        return f"drop {inputs[0]}'s size-1 {axes_text(step.labels)} ({inputs[0]} is the same all along {them})"
    if step.kind == "sum":
        return f"sum {inputs[0]} over {labels} (no other operand uses {'it' if len(step.labels) == 1 else 'them'})"
    if step.kind == "transpose":
        return "put the axes in the output order"
    if step.kind == "multiply":
        return f"multiply {inputs[0]} and {inputs[1]} elementwise, broadcasting"
    text = (
        f"multiply {inputs[0]} and {inputs[1]} along {labels} and sum over {'it' if len(step.labels) == 1 else 'them'}"
    )
    if step.batch:
        text += f", for {every_text(step.batch)}"
    return text
