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

from ..contraction import bind
from ..curriculum.model import Puzzle
from ..errors import EinsumError
from .attention import matching
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


def check_code(puzzle: Puzzle, answer: Any, trials: int = CODE_TRIALS, advise_order: bool = True) -> Verdict:
    """Grade a code puzzle. ``advise_order=False`` skips checking a proposed reordering of the lines."""
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
    if len(source) > MAX_SOURCE:  # before anything parses it
        message = f"your code is {len(source):,} characters long; the checker reads at most {MAX_SOURCE:,}."
        return Verdict(puzzle.id, source[:MAX_SOURCE], "error", message)
    if is_placeholder(source) or source.strip() == puzzle.starter.strip() or _only_ellipsis_bodies(source):
        return Verdict(
            puzzle.id, source, "unsolved", f"not solved yet: fill in {puzzle.function_name}() in the template."
        )
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
    try:
        verdict = _judge(puzzle, source, all_inputs, outcome)
        return _with_move(puzzle, source, verdict, outcome, trials) if advise_order else verdict
    except Exception as error:  # the child wrote what it reported: whatever it is, a verdict, never a traceback
        message = f"the checker could not read your code's result ({type(error).__name__}); check it again"
        return Verdict(puzzle.id, source, "error", message)


def _judge(puzzle: Puzzle, source: str, all_inputs: Sequence[tuple[Any, ...]], outcome: dict[str, Any]) -> Verdict:
    """The verdict on what the sandboxed run reported (``outcome``, already schema-checked by isolation.py)."""
    if outcome["status"] == "timeout":
        return Verdict(
            puzzle.id,
            source,
            "timeout",
            f"{puzzle.function_name}() did not finish within {TIME_LIMIT:g} seconds; look for a loop that never ends.",
        )
    watched = _watched(puzzle, source, outcome)
    if watched is not None:
        return watched
    if outcome["status"] == "error":
        return Verdict(puzzle.id, source, "error", outcome["message"], tuple(outcome.get("details", ())))
    outputs: list[Any] = outcome["outputs"]
    for number, (inputs, got) in enumerate(zip(all_inputs, outputs)):
        expected = np.asarray(puzzle.expected(*inputs))
        got = np.asarray(got)
        if got.shape != expected.shape:
            message = (
                f"{puzzle.function_name}() returns shape {_named(puzzle, got.shape, number)}, "
                f"the target has shape {_named(puzzle, expected.shape, number)}."
            )
            reason = matching(puzzle.id, inputs, got, _close)
            if reason:
                message += (
                    f" Your function {reason}."
                    if reason.startswith("returns")
                    else (f" Your output matches attention {reason}.")
                )
            return Verdict(
                puzzle.id,
                source,
                "shape",
                message,
                expected_shape=expected.shape,
                got_shape=got.shape,
                trials=number + 1,
            )
        if not _close(got, expected):
            index = _first_difference(got, expected)
            reason = matching(puzzle.id, inputs, got, _close)
            message = (
                f"the shape {got.shape} is right but the values are not: at index {index} you get {_fmt(got[index])}, "
                f"the target is {_fmt(expected[index])}."
            )
            if reason:
                message += (
                    f" Your function {reason}."
                    if reason.startswith("returns")
                    else (f" Your output matches attention {reason}.")
                )
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


def _with_move(puzzle: Puzzle, source: str, verdict: Verdict, outcome: dict[str, Any], trials: int) -> Verdict:
    """A value used before the line that computes it: say which lines to move (see ``reorder.py``)."""
    if verdict.kind != "error" or outcome.get("status") != "error":
        return verdict
    from dataclasses import replace

    from .reorder import find_move

    move = find_move(source, puzzle.function_name, str(outcome.get("message", "")), verdict.details)
    if move is None:
        return verdict
    after = check_code(puzzle, move.source, trials, advise_order=False)
    message = verdict.message.rstrip() + ("" if verdict.message.rstrip().endswith(".") else ".") + " " + move.text()
    if after.correct:
        message += f" With that change, {puzzle.function_name}() passes the check."
    elif after.kind == "error" and after.message == verdict.message:
        return verdict  # the move does not get past this error: say nothing false
    else:
        message += " Then check it again."
    return replace(verdict, message=message)


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


def _named(puzzle: Puzzle, shape: tuple[int, ...], trial: int) -> str:
    """``(16, 10, 10)`` and, on the shown inputs where every size names one dimension, ``(b, l, l)``."""
    text = str(tuple(shape))
    if trial != 0:
        return text
    by_size: dict[int, list[str]] = {}
    for dim, size in puzzle.sizes.items():
        by_size.setdefault(size, []).append(dim)
    if all(len(by_size.get(size, [])) == 1 for size in shape):
        return f"{text}, that is ({', '.join(by_size[size][0] for size in shape)})"
    return text


def _watched(puzzle: Puzzle, source: str, outcome: dict[str, Any]) -> Verdict | None:
    """What the run-time watch saw: a refused product, an einsum numpy refused, or no einsum at all."""
    watch = outcome.get("watch")
    if not isinstance(watch, dict):
        return None
    violations = [str(v) for v in watch.get("violations", [])]
    if violations:
        return Verdict(puzzle.id, source, "rules", "; ".join(dict.fromkeys(violations)) + ".")
    calls = [c for c in watch.get("calls", []) if isinstance(c, dict)]
    if outcome.get("status") == "error" and calls:
        last = calls[-1]
        subscript, shapes = last.get("subscript"), last.get("shapes", [])
        if isinstance(subscript, str) and isinstance(shapes, list):
            try:
                bind(subscript, *(tuple(int(n) for n in shape) for shape in shapes))
            except EinsumError as error:
                line = last.get("line")
                lines = source.splitlines()
                code = lines[line - 1].strip() if isinstance(line, int) and 0 < line <= len(lines) else ""
                where = f"line {line}" + (f" ({code})" if code else "") if line else "an einsum call"
                shown = ", ".join(str(tuple(shape)) for shape in shapes)
                return Verdict(
                    puzzle.id,
                    source,
                    error.kind,
                    f"{where}: np.einsum({subscript!r}, ...) on shapes {shown}: {error.message}",
                )
            except (TypeError, ValueError):
                pass
    if outcome.get("status") == "ok" and not watch.get("einsum_calls"):
        return Verdict(
            puzzle.id,
            source,
            "rules",
            f"np.einsum is never called when {puzzle.function_name}() runs: the products must be computed by "
            "np.einsum (einsum in code that does not run does not count).",
        )
    return None


def run_sandboxed(source: str, function_name: str, all_inputs: Sequence[tuple[Any, ...]]) -> dict[str, Any]:
    """Run ``function_name`` from ``source`` on each input set, isolated (see ``isolation.py``)."""
    from .isolation import Limits, run

    return run(source, function_name, all_inputs, Limits(time=TIME_LIMIT, memory=MEMORY_LIMIT))
