"""Subscripts from an example: ``solve([x, y], out)`` lists every einsum (up to renaming) with
``np.einsum(s, x, y) == out``.

The search, and why it is much faster than trying every candidate subscript:

1. Labels: a candidate ties input axes together into labels. Only axes of equal size can share a
   label, so the ways to do it are the set partitions of the axes into blocks of one size each.
2. For each way, one cheap value test: the einsum summed over everything must equal the sum of the
   output. A wrong way of tying axes almost never passes it (one einsum call instead of one per
   output order).
3. Output axes: each one needs a label of its size, and the einsum summed down to that label alone
   must equal the output summed down to that axis (the marginals). Labels are then assigned to the
   output axes by backtracking over what passed, without repeating a label.
4. Every candidate left is evaluated in full and compared with the output (exactly for integers and
   booleans, to rounding for floats). Only those are returned.

Tests 2 and 3 are necessary conditions (a true answer always passes them), so nothing is missed.
Axes are tied only when their sizes are equal: einsum's broadcasting of size-1 axes against a label of
another size is not searched.
"""

from __future__ import annotations

import math
import string
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from .translation import agree

LETTERS = "ijklmnopqrstuvwxyz" + "abcdefgh" + string.ascii_uppercase
MAX_AXES = 24
MAX_PARTITIONS = 200_000
CALL_COST = 5_000
"""What one evaluated candidate is charged against ``max_work`` at least: a call of tiny arrays still costs
microseconds, so examples of size-1 axes cannot buy millions of calls with a small budget."""


class SolveLimit(ValueError):
    """The example has too many axes of one size to search them all."""


def solve(
    inputs: Sequence[Any],
    output: Any,
    max_results: int = 10,
    *,
    max_partitions: int = MAX_PARTITIONS,
    max_work: int | None = None,
) -> list[str]:
    """Every explicit subscript (up to renaming of labels) that maps ``inputs`` to ``output``.

    Fewest labels first, then alphabetical; canonical letters (i, j, k... in order of first
    appearance). At most ``max_results``; an empty list when there is none. Raises ``ValueError``
    for inputs that are not arrays of numbers, and ``SolveLimit`` (a ``ValueError``) when the example
    has too many axes of equal size to search (more than ``max_partitions`` ways to tie them) or, with
    ``max_work``, when the einsums it evaluates would cost more multiply-adds than that in all.
    """
    arrays = [_array(x, f"input {n}") for n, x in enumerate(inputs)]
    target = _array(output, "the output")
    if not arrays:
        raise ValueError("solve needs at least one input array")
    if max_results < 1:
        return []
    axes = [(n, k, size) for n, array in enumerate(arrays) for k, size in enumerate(array.shape)]
    if len(axes) > MAX_AXES:
        raise SolveLimit(f"the inputs have {len(axes)} axes in all; solve searches at most {MAX_AXES}")
    sizes = [size for _, _, size in axes]
    if any(size not in sizes for size in target.shape):
        return []  # an output size no input axis has
    out_term = LETTERS[: target.ndim]
    total = np.einsum(f"{out_term}->", target)
    marginals = [np.einsum(f"{out_term}->{out_term[k]}", target) for k in range(target.ndim)]

    found: list[tuple[int, str]] = []
    explored = spent = 0

    def evaluate(subscript: str, cost: int) -> Any:
        nonlocal spent
        spent += max(cost, CALL_COST)
        if max_work is not None and spent > max_work:
            raise SolveLimit(
                f"the search would evaluate more than {max_work} multiply-adds; use a smaller example "
                "(fewer or smaller axes, different sizes for different dimensions)"
            )
        return np.einsum(subscript, *arrays)

    for blocks in _partitions(sizes):
        explored += 1
        if explored > max_partitions:
            raise SolveLimit(
                f"more than {max_partitions} ways to tie the input axes together (many axes share a size); "
                "use examples whose different dimensions have different sizes"
            )
        letters, inputs_text = _input_terms(arrays, blocks)
        cost = math.prod(max(sizes[block[0]], 1) for block in blocks)
        if not agree(evaluate(f"{inputs_text}->", cost), total):
            continue
        block_marginals = {
            b: evaluate(f"{inputs_text}->{letters[b]}", cost)
            for b, block in enumerate(blocks)
            if sizes[block[0]] in target.shape
        }
        allowed = [
            [
                b
                for b, marginal in block_marginals.items()
                if sizes[blocks[b][0]] == size and agree(marginal, marginals[k])
            ]
            for k, size in enumerate(target.shape)
        ]
        for choice in _assignments(allowed):
            candidate = f"{inputs_text}->{''.join(letters[b] for b in choice)}"
            if agree(evaluate(candidate, cost), target):
                found.append((len(blocks), candidate))
    found.sort()
    return [candidate for _, candidate in found[:max_results]]


def _array(value: Any, what: str) -> np.ndarray[Any, Any]:
    array = np.asarray(value)
    if array.dtype.kind not in "biufc":
        raise ValueError(f"{what} must be an array of numbers, not {array.dtype}")
    return array


def _partitions(sizes: list[int]) -> Iterator[list[list[int]]]:
    """Set partitions of the axes into blocks of one size each, each once (blocks in order of first axis)."""

    def extend(axis: int, blocks: list[list[int]]) -> Iterator[list[list[int]]]:
        if axis == len(sizes):
            yield [list(block) for block in blocks]
            return
        for block in blocks:
            if sizes[block[0]] == sizes[axis]:
                block.append(axis)
                yield from extend(axis + 1, blocks)
                block.pop()
        blocks.append([axis])
        yield from extend(axis + 1, blocks)
        blocks.pop()

    yield from extend(0, [])


def _assignments(allowed: list[list[int]]) -> Iterator[tuple[int, ...]]:
    """One label per output axis from its allowed ones, no label twice."""

    def extend(k: int, chosen: list[int]) -> Iterator[tuple[int, ...]]:
        if k == len(allowed):
            yield tuple(chosen)
            return
        for label in allowed[k]:
            if label not in chosen:
                chosen.append(label)
                yield from extend(k + 1, chosen)
                chosen.pop()

    yield from extend(0, [])


def enumerate_plainly(inputs: Sequence[Any], output: Any) -> list[str]:
    """The baseline ``solve`` is measured against (bench/find.py): try every candidate subscript over these
    shapes (every way to tie equal-size axes, every ordered choice of output labels) and keep those
    that reproduce the output."""
    import itertools

    arrays = [np.asarray(x) for x in inputs]
    target = np.asarray(output)
    sizes = [size for array in arrays for size in array.shape]
    found = []
    for blocks in _partitions(sizes):
        letters, inputs_text = _input_terms(arrays, blocks)
        for count in range(len(blocks) + 1):
            for out in itertools.permutations(letters, count):
                candidate = f"{inputs_text}->{''.join(out)}"
                got = np.einsum(candidate, *arrays)
                if got.shape == target.shape and agree(got, target):
                    found.append(candidate)
    return found


def canonical(subscript: str, *shapes: Sequence[int]) -> str:
    """The explicit spelling of ``subscript`` on these shapes with canonical letters (as ``solve`` writes
    them): implicit output written out, ellipsis dimensions given letters, labels renamed in order
    of first appearance. ``canonical("...j,jk", (2, 3), (3, 4)) == "ij,jk->ik"``."""
    from ..contraction import bind

    contraction = bind(subscript, *(tuple(shape) for shape in shapes))
    order = list(dict.fromkeys(label for op in contraction.operands for label in op.axis_labels))
    letter = dict(zip(order, LETTERS))
    terms = ",".join("".join(letter[label] for label in op.axis_labels) for op in contraction.operands)
    return f"{terms}->{''.join(letter[label] for label in contraction.output_labels)}"


def _input_terms(arrays: Sequence[np.ndarray], blocks: Sequence[Sequence[int]]) -> tuple[str, str]:
    """The letters of a partition of the input axes (one letter per block) and the input terms it gives."""
    label_of = {axis: number for number, block in enumerate(blocks) for axis in block}
    letters = LETTERS[: len(blocks)]
    terms, position = [], 0
    for array in arrays:
        terms.append("".join(letters[label_of[position + k]] for k in range(array.ndim)))
        position += array.ndim
    return letters, ",".join(terms)
