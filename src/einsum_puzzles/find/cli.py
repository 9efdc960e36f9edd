"""The ``translate`` and ``solve`` commands (registered by ``einsum_puzzles.cli``).

    einsum-puzzles translate "np.sum(a * b, axis=0)" a=2x5 b=2x5 [--json] [--explain]
    einsum-puzzles solve in1.npy in2.npy --out out.npy [--max N] [--json]

Exit 0 with the answer; 2 with a message for code that is not one einsum, a shape that cannot be read,
a missing or unreadable file. Nothing here imports numpy until a command runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from ..cli import EXIT_OK, Style, UsageError, out, parse_shape

Add = Callable[..., Any]


def register(add: Add) -> None:
    """Add both commands to the parser (``add`` is ``cli.build_parser``'s helper)."""
    translate = add("translate", cmd_translate, "the one einsum that computes a numpy expression")
    translate.add_argument("code", metavar="CODE", help="numpy code, e.g. 'np.sum(a * b, axis=0)' (lines: use \\n)")
    translate.add_argument(
        "operands", nargs="*", metavar="NAME=SHAPE", help="each operand's shape (a=2x5, s=scalar) or .npy file"
    )
    translate.add_argument("--explain", action="store_true", help="also print the full explanation")
    solve = add("solve", cmd_solve, "find the einsums that map input arrays (.npy) to an output array")
    solve.add_argument("inputs", nargs="+", metavar="IN.npy", help="the input arrays, in einsum order")
    solve.add_argument("--out", required=True, metavar="OUT.npy", help="the output array they should give")
    solve.add_argument("--max", type=int, default=10, metavar="N", help="at most N subscripts (default 10)")


def _load(path: str) -> Any:
    import numpy as np

    try:
        return np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except (OSError, ValueError) as error:
        raise UsageError(f"{path}: not a numpy .npy file ({error})") from None


def _operands(texts: list[str]) -> dict[str, Any]:
    operands: dict[str, Any] = {}
    for text in texts:
        name, sep, value = text.partition("=")
        if not sep or not name.isidentifier():
            raise UsageError(f"cannot read {text!r}: write each operand as NAME=SHAPE, e.g. a=2x5 (or a=file.npy)")
        if name in operands:
            raise UsageError(f"{name} is given twice")
        operands[name] = _load(value) if value.endswith(".npy") else parse_shape(value)
    return operands


def cmd_translate(args: argparse.Namespace) -> int:
    from . import MissingShape, TranslateError, translate
    from .errors import cli_hint

    code = args.code.replace("\\n", "\n")
    try:
        result = translate(code, **_operands(args.operands))
    except TranslateError as error:
        if isinstance(error, MissingShape):
            error = error.reworded(cli_hint(error.name))
        text = str(error)
        if error.column is not None and "\n" not in code.strip():
            text += f"\n    {code.strip()}\n    {' ' * (error.column - 1)}^"
        raise UsageError(text) from None
    if args.json:
        data = result.to_dict()
        data["explanation"] = result.explanation.to_dict()
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return EXIT_OK
    style = Style(sys.stdout)
    out(style(result.call, "bold"))
    shapes = ", ".join(f"{name} {shape}" for name, shape in zip(result.operands, result.shapes))
    out(f"  operands: {shapes}; result shape {result.output_shape}")
    out(style("  verified: the code and the einsum agree on random operands (shape, dtype, values)", "green"))
    if result.names_note():
        out(f"  below, {result.names_note()}")
    out()
    if args.explain:
        from ..cli import render_explanation

        out(render_explanation(result.explanation))
    else:
        out(result.explanation.diagram)
    return EXIT_OK


def cmd_solve(args: argparse.Namespace) -> int:
    from . import solve

    if args.max < 1:
        raise UsageError("--max must be 1 or more")
    inputs = [_load(path) for path in args.inputs]
    target = _load(args.out)
    try:
        found = solve(inputs, target, max_results=args.max)
    except ValueError as error:
        raise UsageError(str(error)) from None
    if args.json:
        print(json.dumps({"subscripts": found}, indent=2))
        return EXIT_OK
    shapes = ", ".join(str(tuple(x.shape)) for x in inputs)
    if not found:
        out(f"No einsum maps inputs of shapes {shapes} to this output of shape {tuple(target.shape)}.")
        return EXIT_OK
    out(
        f"{len(found)} einsum{'s' if len(found) != 1 else ''} map{'' if len(found) != 1 else 's'} {shapes} "
        f"to {tuple(target.shape)}:"
    )
    for subscript in found:
        out(f"  {subscript}")
    return EXIT_OK
