"""Grading: ``check(n, answer)`` -> Verdict. Subscript puzzles are compared on the shown inputs and on
fresh draws and their mistakes are named; code puzzles run sandboxed under the puzzle's rules.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

import numpy as np

from ..curriculum import puzzle as get_puzzle
from .subscript import check_subscript, is_placeholder, trial_inputs
from .verdict import VERDICT_KINDS, Verdict

if TYPE_CHECKING:
    from .code import check_code, rule_problems, run_sandboxed

__all__ = [
    "VERDICT_KINDS",
    "Verdict",
    "check",
    "check_code",
    "check_subscript",
    "is_placeholder",
    "rule_problems",
    "run_sandboxed",
    "trial_inputs",
]


def evaluator(backend: str) -> Any:
    """The einsum of a backend (numpy's own function for numpy); BackendUnavailable when it cannot run."""
    if backend == "numpy":
        return np.einsum
    from ..backends import get as get_backend  # loaded only when another library is asked for

    return get_backend(backend).einsum


def check(n: int, answer: Any, backend: str = "numpy") -> Verdict:
    """Grade ``answer`` for puzzle ``n``: a subscript, or source code for the code puzzles."""
    puzzle = get_puzzle(n)
    if puzzle.kind == "code":
        from .code import check_code

        return check_code(puzzle, answer)
    return check_subscript(puzzle, answer, evaluator(backend), backend=backend)


def __getattr__(name: str) -> Any:
    # The sandbox machinery (subprocess, tempfile) loads only when a code puzzle needs it.
    if name in ("check_code", "rule_problems", "run_sandboxed"):
        return getattr(import_module(".code", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
