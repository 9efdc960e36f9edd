"""The ``einsum-puzzles`` command.

For now it has ``explain``: bind a subscript to shapes and show label sizes, roles, the output shape
and the plan of numpy steps. The puzzle commands (list, show, check, ...) arrive with the curriculum.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from .contraction import Contraction, Shape, bind, is_ellipsis_label
from .errors import EinsumError
from .plan import Plan, make_plan

EXIT_OK, EXIT_USAGE = 0, 2


class UsageError(Exception):
    """A command-line argument that cannot be used (exit code 2)."""


def parse_shape(text: str) -> Shape:
    """``'3x2'`` -> ``(3, 2)``; ``'scalar'`` (or ``'()'``) -> ``()``."""
    cleaned = text.strip().lower()
    if cleaned in ("scalar", "()", ""):
        return ()
    parts = cleaned.replace("×", "x").split("x")
    if not all(part.isdigit() for part in parts):
        raise UsageError(
            f"cannot read the shape {text!r}: write sizes joined by 'x', such as 3x2 or 2x3x4, or 'scalar' for 0-d"
        )
    return tuple(int(part) for part in parts)


def describe(contraction: Contraction, plan: Plan) -> dict[str, Any]:
    """The explanation as plain data (the ``--json`` schema)."""
    return {
        "subscript": contraction.subscript.text,
        "canonical": contraction.subscript.canonical(),
        "explicit": contraction.subscript.explicit,
        "shapes": [list(shape) for shape in contraction.shapes],
        "output_shape": list(contraction.output_shape),
        "sizes": dict(contraction.sizes),
        "roles": {
            label: {
                "size": role.size,
                "kept": role.kept,
                "operands": list(role.operands),
                "diagonal": list(role.diagonal),
                "broadcast": list(role.broadcast),
                "ellipsis": role.ellipsis,
            }
            for label, role in contraction.roles.items()
        },
        "steps": [
            {
                "kind": step.kind,
                "function": step.function,
                "inputs": list(step.inputs),
                "result": step.result,
                "labels": list(step.labels),
                "result_labels": list(step.result_labels),
                "shape": list(step.shape),
            }
            for step in plan.steps
        ],
    }


def render_text(contraction: Contraction, plan: Plan) -> str:
    names = "abcdefghijklmnopqrstuvwxyz"
    lines = [contraction.subscript.canonical()]
    for op in contraction.operands:
        name = names[op.index % 26] + ("" if op.index < 26 else str(op.index // 26))
        labels = ", ".join(
            f"{label}={size}" for label, size in zip(op.axis_labels, op.shape) if not is_ellipsis_label(label)
        )
        lines.append(f"  {name}.shape = {op.shape}" + (f"; {labels}" if labels else ""))
    lines.append(f"  output: {contraction.output_shape}")
    for label, role in contraction.roles.items():
        what = "kept" if role.kept else "summed over"
        notes = []
        if role.shared:
            notes.append("shared by operands " + ", ".join(map(str, role.operands)))
        if role.diagonal:
            notes.append("repeated (diagonal) in operand " + ", ".join(map(str, role.diagonal)))
        if role.broadcast:
            notes.append("broadcast from size 1 in operand " + ", ".join(map(str, role.broadcast)))
        suffix = f" ({'; '.join(notes)})" if notes else ""
        lines.append(f"  {label}: size {role.size}, {what}{suffix}")
    lines.append("plan:")
    for step in plan.steps:
        args = ", ".join(f"v{i}" for i in step.inputs)
        acted = ",".join(step.labels)
        lines.append(f"  v{step.result} = {step.function}({args}) [{acted}] -> shape {step.shape}")
    if not plan.steps:
        lines.append("  (nothing to do: the output is the operand itself)")
    return "\n".join(lines)


def _explain(args: argparse.Namespace) -> int:
    shapes = [parse_shape(text) for text in args.shapes]
    contraction = bind(args.subscript, *shapes)
    plan = make_plan(contraction)
    if args.json:
        print(json.dumps(describe(contraction, plan), indent=2))
    else:
        print(render_text(contraction, plan))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="einsum-puzzles", description="Learn and understand einsum.")
    commands = parser.add_subparsers(dest="command", required=True)
    explain = commands.add_parser("explain", help="show what an einsum does with operands of the given shapes")
    explain.add_argument("subscript", help="an einsum subscript, e.g. 'ij,jk->ik'")
    explain.add_argument("shapes", nargs="*", metavar="SHAPE", help="one shape per operand, e.g. 3x2 (or 'scalar')")
    explain.add_argument("--json", action="store_true", help="print a JSON document instead of text")
    explain.set_defaults(run=_explain)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except EinsumError as exc:
        print(f"error ({exc.kind}): {exc}", file=sys.stderr)
        return EXIT_USAGE
    return code


if __name__ == "__main__":
    sys.exit(main())
