"""Per-check overhead of each installed backend, as a ratio to numpy.

For a few puzzles, the median time of ``ep.check(n, answer, backend=b)`` (a right answer: the
shown inputs and four fresh draws) and of one bare einsum call on the shown inputs, per backend, with
the ratio to numpy's. One process; medians of repeated calls after a warm-up (imports, jit caches).

    python bench/backends.py
"""

from __future__ import annotations

import statistics
import sys

import einsum_puzzles as ep
from einsum_puzzles.backends import BACKENDS, usable
from timing import median_time

CASES = [(21, "ij,jk->ik"), (25, "bij,bjk->bik"), (12, "ii->"), (29, "...ij->...ji")]


def main() -> int:
    names = usable()  # installed and able to run here
    check_times: dict[str, list[float]] = {name: [] for name in names}
    call_times: dict[str, list[float]] = {name: [] for name in names}
    for number, answer in CASES:
        puzzle = ep.puzzle(number)
        arguments = puzzle.einsum_arguments(puzzle.inputs())
        for name in names:
            repeats = 5 if name == "tinygrad" else 40
            check_times[name].append(median_time(lambda: ep.check(number, answer, backend=name), repeats))  # noqa: B023
            backend = BACKENDS[name]
            call_times[name].append(median_time(lambda: backend.einsum(answer, *arguments), repeats * 3))  # noqa: B023
    base_check = statistics.median(check_times["numpy"])
    base_call = statistics.median(call_times["numpy"])
    print(f"{'backend':10} {'version':14} {'check ms':>9} {'x numpy':>8} {'einsum us':>10} {'x numpy':>8}")
    for name in names:
        check = statistics.median(check_times[name])
        call = statistics.median(call_times[name])
        print(
            f"{name:10} {BACKENDS[name].version():14} {check * 1e3:9.2f} {check / base_check:8.1f} "
            f"{call * 1e6:10.1f} {call / base_call:8.1f}"
        )
    print("\n(medians over puzzles " + ", ".join(str(n) for n, _ in CASES) + ")")
    return 0


if __name__ == "__main__":
    sys.exit(main())
