"""Find the einsum: translate numpy code into one einsum, and find the einsums that map inputs to an output.

translate("np.tensordot(a, b, axes=([1], [0])).T", a=(2, 3), b=(3, 4))   # Translation: 'ij,jk->ki'
solve([x, y], out)                                                      # ['ij,jk->ik']
"""

from __future__ import annotations

from .errors import MissingShape, TranslateError
from .search import SolveLimit, solve
from .translation import Translation, translate

__all__ = ["MissingShape", "SolveLimit", "TranslateError", "Translation", "solve", "translate"]
