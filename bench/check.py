"""Time ``ep.check`` on subscript puzzles against one ``np.einsum`` call on the same inputs.

Prints, per puzzle and answer, the median time of a verdict, the median time of one np.einsum on the
puzzle's shown inputs, and their ratio; then the overall median verdict time (goal: well under 5 ms).
Everything runs in one process; medians of many calls, since the machine is shared and noisy.

    python bench/check.py
"""

from __future__ import annotations

import statistics
import sys

import numpy as np

import einsum_puzzles as ep
from timing import median_time

CASES = [
    (21, "ij,jk->ik"),
    (21, "ij,jk->ki"),
    (21, "ij,kl->il"),
    (25, "bij,bjk->bik"),
    (25, "bij,bjk->bki"),
    (28, "ijk,jlm->mi"),
    (12, "ij->"),
    (29, "...ij->...ji"),
    (40, "i,ij,j->"),
    (43, "ij,ik,jl->kl"),
]


def main() -> int:
    print(f"{'puzzle':>6}  {'answer':16} {'verdict':8} {'check ms':>9} {'einsum ms':>10} {'ratio':>7}")
    verdict_times = []
    for number, answer in CASES:
        puzzle = ep.puzzle(number)
        arguments = puzzle.einsum_arguments(puzzle.inputs())
        solution = puzzle.solutions[0]
        t_check = median_time(lambda: ep.check(number, answer))  # noqa: B023
        t_einsum = median_time(lambda: np.einsum(solution, *arguments))  # noqa: B023
        verdict_times.append(t_check)
        kind = ep.check(number, answer).kind
        print(
            f"{number:>6}  {answer:16} {kind:8} {t_check * 1e3:9.3f} {t_einsum * 1e3:10.4f} {t_check / t_einsum:7.0f}"
        )
    print()
    print(f"median verdict time: {statistics.median(verdict_times) * 1e3:.3f} ms  (goal: well under 5 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
