"""einsum-puzzles: learn numpy's einsum with checked puzzles, and see what any einsum does.

The public API (a contract: see docs/api.md)::

    import einsum_puzzles as ep
    ep.parse("ij,jk->ik")                 # Subscript: terms, output, implicit or explicit
    ep.bind("ij,jk->ik", (2, 3), (3, 4))  # Contraction: label sizes, roles, output shape
    ep.einsum("ij,jk->ik", a, b)          # the project's own evaluator, agrees with np.einsum
"""

from .contraction import Contraction, Operand, Role, bind
from .curriculum import Puzzle, UnknownPuzzle, puzzle, puzzles
from .errors import EinsumError
from .evaluate import einsum
from .explain import Explanation, explain
from .grading import Verdict, check
from .plan import Plan, Step, make_plan
from .subscript import Subscript, Term, parse

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
    "UnknownPuzzle",
    "Verdict",
    "bind",
    "check",
    "einsum",
    "explain",
    "make_plan",
    "parse",
    "puzzle",
    "puzzles",
]
__version__ = "0.1.0"
