"""Checking a code puzzle: the rules from the syntax tree, then the learner's function in a sandbox.

The learner's source never runs in this process. A child Python process (``python -I sandbox.py``)
gets the source and the inputs, runs the function on each input set
under a time limit and a memory limit, and sends back the outputs or the learner's traceback.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
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
SANDBOX = Path(__file__).with_name("sandbox.py")
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


def check_code(puzzle: Puzzle, answer: str, trials: int = CODE_TRIALS) -> Verdict:
    source = answer if isinstance(answer, str) else ""
    if is_placeholder(source) or source.strip() == puzzle.starter.strip() or _only_ellipsis_bodies(source):
        return Verdict(
            puzzle.id, source, "unsolved", f"not solved yet: fill in {puzzle.function_name}() in the template."
        )
    try:
        problems = rule_problems(source, puzzle.function_name)
    except SyntaxError as error:
        where = f"line {error.lineno}: " if error.lineno else ""
        return Verdict(puzzle.id, source, "error", f"your code is not valid Python: {where}{error.msg}")
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
    except SyntaxError:
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
    """Run ``function_name`` from ``source`` on each input set in a child process with limits."""
    with tempfile.TemporaryDirectory(prefix="einsum-puzzles-") as folder:
        base = Path(folder)
        arrays = {f"t{t}_{i}": np.asarray(a) for t, inputs in enumerate(all_inputs) for i, a in enumerate(inputs)}
        np.savez(base / "inputs.npz", **arrays)  # type: ignore[arg-type]
        (base / "solution.py").write_text(source, encoding="utf-8")
        job = {
            "function": function_name,
            "trials": len(all_inputs),
            "arity": len(all_inputs[0]),
            "memory": MEMORY_LIMIT,
            "cpu": int(TIME_LIMIT) + 1,
        }
        (base / "job.json").write_text(json.dumps(job), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "EINSUM_PUZZLES"))}
        env.update({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})
        try:
            done = subprocess.run(
                [sys.executable, "-I", str(SANDBOX), folder],
                capture_output=True,
                text=True,
                timeout=TIME_LIMIT,
                env=env,
                cwd=folder,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return {"status": "timeout"}
        result_path = base / "result.json"
        if not result_path.exists():
            message = "your code stopped the checker (it may have used too much memory)"
            tail = done.stderr.strip().splitlines()[-3:]
            return {"status": "error", "message": message, "details": tail}
        result: dict[str, Any] = json.loads(result_path.read_text(encoding="utf-8"))
        if result["status"] == "ok":
            with np.load(base / "outputs.npz", allow_pickle=False) as outputs:
                result["outputs"] = [outputs[f"out{t}"] for t in range(len(all_inputs))]
        else:
            result.setdefault("message", "your code raised an error")
        return result
