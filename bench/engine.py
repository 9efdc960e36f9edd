"""Time ``ep.einsum`` against numpy's einsum, opt_einsum and the hand-written BLAS call.

Everything runs in one process, on the same arrays, one case after another; each time is the best
of several repeats (the machine is shared and noisy: read the ratios, not the milliseconds). Prints,
per case, ``ep`` in ms and the ratios ep/np(optimize=False), ep/np(optimize=True), ep/opt_einsum,
ep/best-of-numpy and ep/hand-written, then the medians. The "large" chains skip optimize=False, which
loops over every label at once and would take minutes there ("-" in its column). The cases named
"out=" or "dtype=" pass the same keywords to every einsum (and ``out`` to the hand-written call).

    python bench/engine.py [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

import einsum_puzzles as ep

try:
    import opt_einsum
except ImportError:  # optional: the ratio column shows "-"
    opt_einsum = None

Fn = Callable[[], Any]


@dataclass
class Case:
    name: str
    subscript: str
    shapes: list[tuple[int, ...]]
    by_hand: Callable[..., Any] | None = None
    naive: bool = True
    """False where np.einsum(optimize=False) would take minutes (it loops over every label at once)."""
    out: bool = False
    """Pass a preallocated ``out=`` (the same array to every function, by-hand ones included)."""
    dtype: str | None = None
    """Pass ``dtype=`` (with ``casting="same_kind"``) to every einsum."""
    operand_dtype: str = "f8"


CASES = [
    Case("matmul", "ij,jk->ik", [(400, 400), (400, 400)], lambda a, b: a @ b),
    Case("batched matmul", "bij,bjk->bik", [(32, 96, 96), (32, 96, 96)], np.matmul),
    Case(
        "attention scores",
        "bhqd,bhkd->bhqk",
        [(4, 8, 96, 64), (4, 8, 96, 64)],
        lambda q, k: q @ k.swapaxes(-1, -2),
    ),
    Case("attention values", "bhqk,bhkd->bhqd", [(4, 8, 96, 96), (4, 8, 96, 64)], np.matmul),
    Case(
        "3-operand chain",
        "ij,jk,kl->il",
        [(160, 40), (40, 160), (160, 40)],
        lambda a, b, c: a @ (b @ c),
    ),
    Case(
        "5-operand chain",
        "ab,bc,cd,de,ef->af",
        [(48, 12), (12, 48), (48, 12), (12, 48), (48, 12)],
        lambda a, b, c, d, e: a @ ((b @ c) @ (d @ e)),
    ),
    Case(
        "3-chain, large",
        "ij,jk,kl->il",
        [(600, 100), (100, 600), (600, 100)],
        lambda a, b, c: a @ (b @ c),
        naive=False,
    ),
    Case(
        "5-chain, large",
        "ab,bc,cd,de,ef->af",
        [(400, 80), (80, 400), (400, 80), (80, 400), (400, 80)],
        lambda a, b, c, d, e: a @ ((b @ c) @ (d @ e)),
        naive=False,
    ),
    Case("trace", "ii->", [(3000, 3000)], np.trace),
    Case("batched trace", "bii->b", [(400, 120, 120)], lambda a: np.trace(a, axis1=1, axis2=2)),
    Case("hadamard", "ij,ij->ij", [(1500, 1500), (1500, 1500)], np.multiply),
    Case("outer product", "i,j->ij", [(2000,), (2000,)], np.multiply.outer),
    Case(
        "tensordot, two axes",
        "ijk,jkl->il",
        [(80, 40, 30), (40, 30, 80)],
        lambda a, b: np.tensordot(a, b, axes=([1, 2], [0, 1])),
    ),
    Case("transpose (a view)", "ijk->kji", [(120, 120, 120)], lambda a: np.transpose(a, (2, 1, 0))),
    Case("diagonal", "ii->i", [(3000, 3000)], np.diagonal),
    Case("sum over an axis", "ijk->ik", [(150, 150, 150)], lambda a: a.sum(axis=1)),
    Case("row-wise dot", "ij,ij->i", [(1500, 800), (1500, 800)], lambda a, b: (a * b).sum(axis=1)),
    Case("bilinear form", "i,ij,j->", [(2000,), (2000, 2000), (2000,)], lambda x, a, y: x @ a @ y),
    # The keywords: out= written in place, dtype= to compute in another precision.
    Case(
        "matmul, out=",
        "ij,jk->ik",
        [(400, 400), (400, 400)],
        lambda a, b, out: np.matmul(a, b, out=out),
        out=True,
    ),
    Case(
        "batched matmul, out=",
        "bij,bjk->bik",
        [(32, 96, 96), (32, 96, 96)],
        lambda a, b, out: np.matmul(a, b, out=out),
        out=True,
    ),
    Case(
        "row-wise dot, out=",
        "ij,ij->i",
        [(1500, 800), (1500, 800)],
        lambda a, b, out: np.multiply(a, b).sum(axis=1, out=out),
        out=True,
    ),
    Case(
        "tensordot, out=",
        "ijk,jkl->il",
        [(80, 40, 30), (40, 30, 80)],
        lambda a, b, out: np.matmul(a.reshape(80, 1200), b.reshape(1200, 80), out=out),
        out=True,
    ),
    Case(
        "matmul, dtype=float32",
        "ij,jk->ik",
        [(400, 400), (400, 400)],
        lambda a, b: a.astype(np.float32) @ b.astype(np.float32),
        dtype="f4",
    ),
    Case(
        "int8 sum, dtype=int64",
        "ijk->ik",
        [(150, 150, 150)],
        lambda a: a.sum(axis=1, dtype=np.int64),
        dtype="i8",
        operand_dtype="i1",
    ),
    Case(
        "float32 batched, dtype=float64",
        "bij,bjk->bik",
        [(32, 96, 96), (32, 96, 96)],
        lambda a, b: np.matmul(a, b, dtype=np.float64),
        dtype="f8",
        operand_dtype="f4",
    ),
    Case(
        "3-chain, out= dtype=",
        "ij,jk,kl->il",
        [(160, 40), (40, 160), (160, 40)],
        lambda a, b, c, out: np.matmul(a.astype(np.float32), b.astype(np.float32) @ c.astype(np.float32), out=out),
        out=True,
        dtype="f4",
    ),
]


def best_times(fns: list[Fn], budget: float) -> list[float]:
    """The best per-call time of each function over interleaved rounds filling about ``budget`` seconds.

    The functions take turns within every round, so a slow spell of the machine hits them all alike.
    """
    numbers = []
    for fn in fns:
        fn()  # warm up (and fill the plan cache)
        start = time.perf_counter()
        fn()
        once = max(time.perf_counter() - start, 1e-7)
        numbers.append(max(1, int(0.02 / once)))
    per_round = 0.0
    for fn, number in zip(fns, numbers):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        per_round += time.perf_counter() - start
    rounds = max(5, min(30, int(budget / max(per_round, 1e-9))))
    best = [float("inf")] * len(fns)
    for _ in range(rounds):
        for index, (fn, number) in enumerate(zip(fns, numbers)):
            start = time.perf_counter()
            for _ in range(number):
                fn()
            best[index] = min(best[index], (time.perf_counter() - start) / number)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="shorter timing budget (for a smoke run)")
    args = parser.parse_args(argv)
    budget = 0.3 if args.quick else 3.0
    rng = np.random.default_rng(0)
    header = (
        f"{'case':22} {'subscript':20} {'ep ms':>8} {'/np':>7} {'/np opt':>8} {'/opt_einsum':>11} "
        f"{'/best np':>9} {'/by hand':>9}"
    )
    print(header)
    print("-" * len(header))
    best_ratios: list[float] = []
    hand_ratios: list[float] = []
    for case in CASES:
        arrays = [_operand(rng, shape, case.operand_dtype) for shape in case.shapes]
        kwargs: dict[str, Any] = {}
        if case.dtype is not None:
            kwargs.update(dtype=case.dtype, casting="same_kind")
        expected = np.array(np.einsum(case.subscript, *arrays, optimize=True, **kwargs))
        if case.out:
            kwargs["out"] = np.empty_like(expected)
        ours = np.array(ep.einsum(case.subscript, *arrays, **kwargs))
        assert ours.dtype == expected.dtype, (case.name, ours.dtype, expected.dtype)
        tolerance = 1e-4 if expected.dtype == np.float32 else 1e-6
        np.testing.assert_allclose(ours, expected, rtol=tolerance, atol=tolerance)
        fns: list[Fn] = [
            partial(ep.einsum, case.subscript, *arrays, **kwargs),
            partial(np.einsum, case.subscript, *arrays, optimize=True, **kwargs),
        ]
        if case.naive:
            fns.append(partial(np.einsum, case.subscript, *arrays, **kwargs))
        with_oe = opt_einsum is not None and case.dtype is None  # opt_einsum's BLAS steps refuse dtype=
        if with_oe:
            fns.append(partial(opt_einsum.contract, case.subscript, *arrays, **kwargs))
        if case.by_hand is not None:
            extra = {"out": kwargs["out"]} if case.out else {}
            fns.append(partial(case.by_hand, *arrays, **extra))
        times = iter(best_times(fns, budget))
        t_ep, t_opt = next(times), next(times)
        t_np = next(times) if case.naive else None
        t_oe = next(times) if with_oe else None
        t_hand = next(times) if case.by_hand is not None else None
        best_np = min(t_opt, t_np) if t_np is not None else t_opt
        best_ratios.append(t_ep / best_np)
        if t_hand is not None and case.subscript.count(",") >= 1:
            hand_ratios.append(t_ep / t_hand)
        print(
            f"{case.name:22} {case.subscript:20} {t_ep * 1e3:8.3f} {_ratio(t_ep, t_np):>7} {t_ep / t_opt:8.2f} "
            f"{_ratio(t_ep, t_oe):>11} {t_ep / best_np:9.2f} {_ratio(t_ep, t_hand):>9}"
        )
        sys.stdout.flush()
    print()
    print(f"median ep / best-of-numpy: {statistics.median(best_ratios):.2f}  (goal <= 1.0)")
    print(f"median ep / hand-written call, multi-operand cases: {statistics.median(hand_ratios):.2f}  (goal <= 1.3)")
    return 0


def _operand(rng: np.random.Generator, shape: tuple[int, ...], dtype: str) -> Any:
    if np.dtype(dtype).kind in "iu":
        return rng.integers(-100, 100, size=shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def _ratio(ours: float, theirs: float | None) -> str:
    return "-" if theirs is None else f"{ours / theirs:.2f}"


if __name__ == "__main__":
    sys.exit(main())
