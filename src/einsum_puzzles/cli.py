"""The ``einsum-puzzles`` command.

For now it has ``explain``: what an einsum does with operands of given shapes (diagram, words,
formula, loops, plain numpy). The puzzle commands (list, show, check, ...) arrive with the curriculum.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from .contraction import Shape
from .errors import EinsumError
from .explain import Explanation, explain

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


def render_text(explanation: Explanation) -> str:
    sections = [
        explanation.diagram,
        explanation.prose,
        explanation.formula,
        "As loops:\n" + _indent(explanation.loops),
        "In plain numpy (the steps einsum-puzzles runs):\n" + _indent(explanation.numpy_code),
    ]
    return "\n\n".join(sections)


def _indent(source: str) -> str:
    return "\n".join("    " + line for line in source.splitlines())


def _explain(args: argparse.Namespace) -> int:
    if "\0" in args.subscript:
        raise UsageError("the subscript contains a NUL character; remove it")
    shapes = [parse_shape(text) for text in args.shapes]
    explanation = explain(args.subscript, *shapes)
    if args.json:
        print(json.dumps(explanation.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(render_text(explanation))
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
