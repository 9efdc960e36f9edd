"""Time ``ep.check`` on subscript puzzles against one ``np.einsum`` call on the same inputs.

Prints, per puzzle and answer, the median time of a verdict (wrong answers include the search for a
fix and its verification), the same with the cache of graded fix candidates emptied before each call
("cold"), the median time of one np.einsum on the puzzle's shown inputs, and the ratio; then the
overall median verdict time (goal: under 1 ms). Everything runs in one process; medians of many calls,
since the machine is shared and noisy.

    python bench/check.py
"""

from __future__ import annotations

import statistics
import sys

import numpy as np

import einsum_puzzles as ep
from einsum_puzzles.grading import subscript as grading_subscript
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
    (43, "ii,ik,il->kl"),
    (29, "ij...->ji..."),
    (45, "ij,jk"),
    (39, "if,if->i"),
]

# Text numpy cannot read: the verdict repairs it (grading/repair.py) and verifies the fix; not in the
# median above, which is the path of answers that parse.
SYNTAX_CASES = [
    (21, "ij->jk->ik"),
    (21, "ij,jk-ik"),
    (21, "ijjk->ik"),
    (21, "ij,jk,->ik"),
    (21, "ij,kl-ik"),
    (45, "ij,jk-ik"),
]


def main() -> int:
    print(f"{'puzzle':>6}  {'answer':16} {'verdict':8} {'check ms':>9} {'cold ms':>8} {'einsum ms':>10} {'ratio':>7}")
    verdict_times, cold_times = [], []
    for number, answer in CASES:
        puzzle = ep.puzzle(number)
        arguments = puzzle.einsum_arguments(puzzle.inputs())
        solution = puzzle.solutions[0]
        t_check = median_time(lambda: ep.check(number, answer))  # noqa: B023

        def cold() -> None:
            grading_subscript._ACCEPTED.clear()
            ep.check(number, answer)  # noqa: B023

        t_cold = median_time(cold)
        cold_times.append(t_cold)
        t_einsum = median_time(lambda: np.einsum(solution, *arguments))  # noqa: B023
        verdict_times.append(t_check)
        kind = ep.check(number, answer).kind
        print(
            f"{number:>6}  {answer:16} {kind:8} {t_check * 1e3:9.3f} {t_cold * 1e3:8.3f} {t_einsum * 1e3:10.4f} "
            f"{t_check / t_einsum:7.0f}"
        )
    print()
    print(f"median verdict time: {statistics.median(verdict_times) * 1e3:.3f} ms  (goal: under 1 ms)")
    print(f"median verdict time, fix candidates graded afresh: {statistics.median(cold_times) * 1e3:.3f} ms")
    print()
    syntax_times, syntax_cold = [], []
    for number, answer in SYNTAX_CASES:
        t_check = median_time(lambda: ep.check(number, answer))  # noqa: B023

        def cold_syntax() -> None:
            grading_subscript._ACCEPTED.clear()
            ep.check(number, answer)  # noqa: B023

        syntax_times.append(t_check)
        syntax_cold.append(median_time(cold_syntax))
        verdict = ep.check(number, answer)
        print(
            f"{number:>6}  {answer:16} {verdict.kind:8} {t_check * 1e3:9.3f} {syntax_cold[-1] * 1e3:8.3f}  "
            f"fix {verdict.fix}"
        )
    print(
        f"median verdict time, text repaired: {statistics.median(syntax_times) * 1e3:.3f} ms "
        f"(afresh: {statistics.median(syntax_cold) * 1e3:.3f} ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
