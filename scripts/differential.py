"""Differential run against numpy: N random cases (the property tests' generators), counted by outcome.

    .venv/bin/python scripts/differential.py 30000

Prints the disagreements (if any) and a count per outcome. A case where numpy returns a view of memory it
does not own (docs/core.md) is counted as "numpy-bug", not as a disagreement.
"""

from __future__ import annotations

import collections
import sys
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import (
    assert_same_result,
    numpy_outcome,
    numpy_zero_size_diagonal_bug,
    random_arrays,
)
from tests.test_properties import mutated_cases, valid_cases

import einsum_puzzles as ep

stats: collections.Counter[str] = collections.Counter()


def run(case: tuple[str, list[tuple[int, ...]]], dtype: Any) -> None:
    subscript, shapes = case
    arrays = random_arrays(shapes, dtype)
    ok, theirs = numpy_outcome(subscript, arrays)
    try:
        ours: Any = ep.einsum(subscript, *arrays)
        accepted = True
    except ep.EinsumError as error:
        accepted = False
        stats[error.kind] += 1
    if ok and not accepted and numpy_zero_size_diagonal_bug(subscript, shapes):
        stats["numpy-bug"] += 1
        return
    if ok != accepted:
        print("DISAGREE", repr(subscript), shapes, theirs)
        stats["disagree"] += 1
        return
    if ok:
        stats["valid"] += 1
        try:
            assert_same_result(ours, theirs)
        except AssertionError as error:
            print("VALUES", repr(subscript), shapes, dtype, error)
            stats["values"] += 1


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    test = settings(max_examples=count, deadline=None, database=None)(
        given(st.one_of(valid_cases(), mutated_cases()), st.sampled_from([np.int64, np.float64, np.bool_]))(run)
    )
    test()
    print(dict(stats))
    return 1 if stats["disagree"] or stats["values"] else 0


if __name__ == "__main__":
    sys.exit(main())
