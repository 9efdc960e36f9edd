"""Checking a code puzzle: the rules from the syntax tree, then the learner's function in a sandbox.

The learner's source never runs in this process. A child Python process (``sandbox.py``), isolated by
bubblewrap where it can run (see ``isolation.py`` and docs/security.md), gets the source and the
inputs, runs the function on each input set under time, memory, process and file limits, and sends
back the outputs or the learner's traceback. The rules checked on the syntax tree are teaching rules
(use einsum, no ``@``): they are not what keeps the machine safe.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..curriculum.model import Puzzle
from ..curriculum.reference import attention_variants
from .subscript import _close, _first_difference, _fmt, is_placeholder, trial_inputs
from .verdict import Verdict

TIME_LIMIT = 5.0
"""Seconds for the whole run of the learner's code (all input sets)."""
MEMORY_LIMIT = 2 * 1024**3
"""Bytes of address space for the child process."""
CODE_TRIALS = 2
MAX_SOURCE = 100_000
"""Characters of source code the checker reads at most."""
FORBIDDEN_CALLS = {"matmul", "dot", "tensordot", "inner", "vdot", "multi_dot", "einsum_path"}
FORBIDDEN_BUILTINS = {"eval", "exec", "compile", "__import__", "getattr", "globals", "vars", "open"}


def rule_problems(source: str, function_name: str) -> list[str]:
    """What the source does against the puzzle's rules (empty when it follows them)."""
    tree = ast.parse(source)
    problems: list[str] = []
    functions = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]
    if not any(f.name == function_name for f in functions):
        problems.append(f"define a function named {function_name}")
    calls_einsum = False
    for node in ast.walk(tree):
        if isinstance(node, (ast.BinOp, ast.AugAssign)) and isinstance(node.op, ast.MatMult):
            problems.append(f"line {node.lineno}: the @ operator is not allowed; use np.einsum for products")
        if isinstance(node, ast.Call):
            name = _call_name(node.func)
            if name == "einsum":
                calls_einsum = True
            elif name in FORBIDDEN_CALLS:
                problems.append(f"line {node.lineno}: {name} is not allowed; use np.einsum for products")
            elif name in FORBIDDEN_BUILTINS:
                problems.append(f"line {node.lineno}: {name}() is not allowed in this puzzle")
        if (
            isinstance(node, ast.Attribute)
            and node.attr in FORBIDDEN_CALLS
            and not isinstance(getattr(node, "ctx", None), ast.Store)
        ):
            problems.append(f"line {node.lineno}: {node.attr} is not allowed; use np.einsum for products")
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for module in modules:
                if module.split(".")[0] not in ("numpy", "math"):
                    problems.append(f"line {node.lineno}: only numpy and math may be imported, not {module}")
    if not calls_einsum:
        problems.append("the solution must use np.einsum")
    return list(dict.fromkeys(problems))


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def check_code(puzzle: Puzzle, answer: Any, trials: int = CODE_TRIALS) -> Verdict:
    if callable(answer):  # a function: graded from its source, in the sandbox, like a file
        from ..jupyter import function_source

        answer = function_source(answer)
        if not answer:
            message = (
                f"the source of that function cannot be read; define {puzzle.function_name}() in a notebook "
                "cell or a .py file and check it again"
            )
            return Verdict(puzzle.id, "", "error", message)
    if isinstance(answer, (bytes, bytearray)):
        try:
            answer = bytes(answer).decode("utf-8")
        except UnicodeDecodeError as error:
            message = f"your code is not UTF-8 text (byte 0x{answer[error.start]:02x} at position {error.start})."
            return Verdict(puzzle.id, "", "error", message)
    source = answer if isinstance(answer, str) else ""
    if is_placeholder(source) or source.strip() == puzzle.starter.strip() or _only_ellipsis_bodies(source):
        return Verdict(
            puzzle.id, source, "unsolved", f"not solved yet: fill in {puzzle.function_name}() in the template."
        )
    if len(source) > MAX_SOURCE:
        message = f"your code is {len(source):,} characters long; the checker reads at most {MAX_SOURCE:,}."
        return Verdict(puzzle.id, source[:MAX_SOURCE], "error", message)
    try:
        problems = rule_problems(source, puzzle.function_name)
    except SyntaxError as error:
        where = f"line {error.lineno}: " if error.lineno else ""
        return Verdict(puzzle.id, source, "error", f"your code is not valid Python: {where}{error.msg}")
    except (RecursionError, MemoryError, ValueError) as error:  # nesting too deep for the parser, NUL bytes
        why = "it is nested too deeply" if not isinstance(error, ValueError) else str(error)
        return Verdict(puzzle.id, source, "error", f"your code cannot be read by the checker: {why}.")
    if problems:
        return Verdict(puzzle.id, source, "rules", "; ".join(problems) + ".")
    all_inputs = trial_inputs(puzzle, trials)
    outcome = run_sandboxed(source, puzzle.function_name, all_inputs)
    if outcome["status"] == "timeout":
        return Verdict(
            puzzle.id,
            source,
            "timeout",
            f"{puzzle.function_name}() did not finish within {TIME_LIMIT:g} seconds; look for a loop that never ends.",
        )
    if outcome["status"] == "error":
        return Verdict(puzzle.id, source, "error", outcome["message"], tuple(outcome.get("details", ())))
    outputs: list[Any] = outcome["outputs"]
    for number, (inputs, got) in enumerate(zip(all_inputs, outputs)):
        expected = np.asarray(puzzle.expected(*inputs))
        got = np.asarray(got)
        if got.shape != expected.shape:
            return Verdict(
                puzzle.id,
                source,
                "values",
                f"{puzzle.function_name}() returns shape {got.shape}, the target has shape {expected.shape}.",
                expected_shape=expected.shape,
                got_shape=got.shape,
                trials=number + 1,
            )
        if not _close(got, expected):
            index = _first_difference(got, expected)
            reason = _closest_variant(puzzle, inputs, got)
            message = (
                f"the shape {got.shape} is right but the values are not: at index {index} you get {_fmt(got[index])}, "
                f"the target is {_fmt(expected[index])}."
            )
            if reason:
                message += f" Your output matches attention {reason}."
            return Verdict(
                puzzle.id,
                source,
                "values",
                message,
                expected_shape=expected.shape,
                got_shape=got.shape,
                trials=number + 1,
            )
    return Verdict(
        puzzle.id,
        source,
        "correct",
        f"{puzzle.function_name}() matches the reference on the shown inputs and on {len(all_inputs) - 1} fresh draws.",
        trials=len(all_inputs),
    )


def _only_ellipsis_bodies(source: str) -> bool:
    """The starter left as it is: some assignment is still ``...``."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return False
    for node in ast.walk(tree):
        if (
            isinstance(node, (ast.Assign, ast.Return))
            and isinstance(node.value, ast.Constant)
            and node.value.value is Ellipsis
        ):
            return True
    return False


def _closest_variant(puzzle: Puzzle, inputs: Sequence[Any], got: Any) -> str | None:
    for description, variant in attention_variants(puzzle.id):
        try:
            candidate = np.asarray(variant(*inputs))
        except Exception:  # a variant that does not apply to these inputs says nothing
            continue
        if candidate.shape == np.shape(got) and _close(np.asarray(got), candidate):
            return description
    return None


def run_sandboxed(source: str, function_name: str, all_inputs: Sequence[tuple[Any, ...]]) -> dict[str, Any]:
    """Run ``function_name`` from ``source`` on each input set, isolated (see ``isolation.py``)."""
    from .isolation import Limits, run

    return run(source, function_name, all_inputs, Limits(time=TIME_LIMIT, memory=MEMORY_LIMIT))
