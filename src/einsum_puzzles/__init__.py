"""einsum-puzzles: learn numpy's einsum with checked puzzles, and see what any einsum does.

The public API (a contract: see docs/api.md)::

    import einsum_puzzles as ep
    ep.parse("ij,jk->ik")                 # Subscript: terms, output, implicit or explicit
    ep.bind("ij,jk->ik", (2, 3), (3, 4))  # Contraction: label sizes, roles, output shape
    ep.einsum("ij,jk->ik", a, b)          # the project's own evaluator, agrees with np.einsum
    ep.explain("ij,jk->ik", (2, 3), (3, 4))   # Explanation: diagram, prose, formula, loops, numpy code
    ep.puzzles(), ep.puzzle(21)           # the course
    ep.check(21, "ij,jk->ik")             # Verdict: .correct, .kind, .message

Names are imported on first use, so that ``import einsum_puzzles`` (and the command line) start fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .contraction import Contraction, Operand, Role, bind
    from .curriculum import Puzzle, UnknownPuzzle, puzzle, puzzles
    from .errors import EinsumError
    from .evaluate import einsum
    from .explainer import Explanation, explain
    from .find import TranslateError, Translation, solve, translate
    from .grading import Verdict, check
    from .plan import Plan, Step, make_plan
    from .subscript import Subscript, Term, parse

_WHERE = {
    "Contraction": "contraction",
    "Operand": "contraction",
    "Role": "contraction",
    "bind": "contraction",
    "Puzzle": "curriculum",
    "UnknownPuzzle": "curriculum",
    "puzzle": "curriculum",
    "puzzles": "curriculum",
    "EinsumError": "errors",
    "einsum": "evaluate",
    "Explanation": "explainer",
    "explain": "explainer",
    "Verdict": "grading",
    "check": "grading",
    "Plan": "plan",
    "Step": "plan",
    "make_plan": "plan",
    "Subscript": "subscript",
    "Term": "subscript",
    "parse": "subscript",
    "load_ipython_extension": "jupyter",
    "TranslateError": "find",
    "Translation": "find",
    "solve": "find",
    "translate": "find",
}

__all__ = [
    "Contraction",
    "EinsumError",
    "Explanation",
    "Operand",
    "Plan",
    "Puzzle",
    "Role",
    "Step",
    "Subscript",
    "Term",
    "TranslateError",
    "Translation",
    "UnknownPuzzle",
    "Verdict",
    "bind",
    "check",
    "einsum",
    "explain",
    "load_ipython_extension",
    "make_plan",
    "parse",
    "puzzle",
    "puzzles",
    "solve",
    "translate",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'einsum_puzzles' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
