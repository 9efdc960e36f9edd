"""Find the einsum: how fast ``translate`` and ``solve`` are.

1. ``translate``: the median time to translate (parse, trace, verify on random operands) a set of
   expressions, each run many times. Goal: under 5 ms.
2. ``solve`` on every subscript puzzle's shown example, against plain enumeration of the candidate
   subscripts (every way to tie equal-size axes, every ordered choice of output labels, each one
   evaluated; what the content linter did before ``solve``), in the same process. Goal: total ratio
   at most 0.1. Plain enumeration is only run on puzzles with at most 7 axes (past that it takes
   minutes, which is why the linter's brute force stopped there); ``solve`` runs on all of them.

    python bench/find.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import einsum_puzzles as ep
from einsum_puzzles.find.search import enumerate_plainly

ENUMERATION_AXIS_LIMIT = 7

EXPRESSIONS: list[tuple[str, dict[str, tuple[int, ...]]]] = [
    ("a @ b", {"a": (20, 30), "b": (30, 40)}),
    ("np.sum(a * b, axis=0)", {"a": (2, 5), "b": (2, 5)}),
    ("np.tensordot(a, b, axes=([1], [0])).sum(axis=1).T", {"a": (2, 3), "b": (3, 4, 5)}),
    ("x @ y", {"x": (8, 16, 32), "y": (8, 32, 4)}),
    ("np.outer(u, v)", {"u": (50,), "v": (60,)}),
    ("np.trace(a @ b)", {"a": (10, 20), "b": (20, 10)}),
    ("a[:, None] * b[None, :]", {"a": (10,), "b": (20,)}),
    ("np.einsum('bhqd,bhkd->bhqk', q, k)", {"q": (2, 4, 8, 16), "k": (2, 4, 8, 16)}),
    ("q = x @ w\nk = x @ v\nq @ k.T", {"x": (16, 8), "w": (8, 4), "v": (8, 4)}),
    ("np.moveaxis(a, 0, -1).sum(axis=1)", {"a": (3, 4, 5)}),
    ("np.diagonal(a, axis1=1, axis2=2) * b", {"a": (4, 5, 5), "b": (4, 5)}),
    ("np.tensordot(a, b, axes=2)", {"a": (3, 4, 5), "b": (4, 5, 6)}),
    ("(a * b).sum(-1)", {"a": (100, 64), "b": (100, 64)}),
    ("a.T @ b", {"a": (300, 200), "b": (300, 100)}),
]


def timed(function: Callable[[], Any], repeat: int) -> float:
    """The median wall time of ``function`` over ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_translate(repeat: int) -> float:
    print("translate: median time per expression (parse, trace, verify)")
    medians = []
    for code, shapes in EXPRESSIONS:
        ep.translate(code, **shapes)  # warm up (imports, caches)
        median = timed(partial(ep.translate, code, **shapes), repeat)
        medians.append(median)
        print(f"  {median * 1000:7.3f} ms  {code.replace(chr(10), '; ')[:60]}")
    overall = statistics.median(medians)
    print(f"median translate time: {overall * 1000:.3f} ms (goal < 5 ms)")
    return overall


def bench_solve(repeat: int) -> float:
    print()
    print("solve vs plain enumeration on each subscript puzzle's shown example")
    print(f"  {'puzzle':>6} {'axes':>4} {'solve ms':>9} {'enumerate ms':>13} {'ratio':>7}")
    total_solve = total_enumerate = 0.0
    for puzzle in ep.puzzles():
        if puzzle.kind != "subscript":
            continue
        inputs = puzzle.einsum_arguments(puzzle.inputs())
        output = puzzle.expected(*puzzle.inputs())
        axes = sum(len(shape) for shape in puzzle.argument_shapes())
        solve_time = timed(partial(ep.solve, inputs, output, max_results=1000), repeat)
        if axes > ENUMERATION_AXIS_LIMIT:
            print(f"  {puzzle.id:>6} {axes:>4} {solve_time * 1000:9.3f} {'(skipped)':>13} {'':>7}")
            continue
        enumerate_time = timed(partial(enumerate_plainly, inputs, output), 1)
        total_solve += solve_time
        total_enumerate += enumerate_time
        ratio = solve_time / enumerate_time
        print(f"  {puzzle.id:>6} {axes:>4} {solve_time * 1000:9.3f} {enumerate_time * 1000:13.3f} {ratio:7.4f}")
    ratio = total_solve / total_enumerate
    print(
        f"solve / plain enumeration, all puzzles with at most {ENUMERATION_AXIS_LIMIT} axes: "
        f"{total_solve * 1000:.1f} ms / {total_enumerate * 1000:.1f} ms = {ratio:.4f} (goal <= 0.1)"
    )
    return ratio


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=30, help="runs per measurement (default 30)")
    args = parser.parse_args(argv)
    bench_translate(args.repeat)
    bench_solve(max(3, args.repeat // 5))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
