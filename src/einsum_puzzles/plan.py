"""Contraction -> Plan: the ordered primitive steps that compute an einsum.

Every step reads one or two intermediate values and makes a new one. Values are numbered: the
operands are ``0 .. n-1`` and each step's result takes the next number. The kinds of step:

``diagonal``   take the diagonal of a label repeated inside one value (``ii -> i``)
``squeeze``    drop axes of size 1 whose label is larger elsewhere (the value broadcasts along them)
``sum``        sum away labels that no other value and not the output uses
``contract``   multiply two values and sum the labels they share that nothing else needs
               (``np.tensordot``, or ``np.matmul`` when shared labels are kept: a batch)
``multiply``   multiply two values elementwise with broadcasting (nothing to sum)
``transpose``  put the final value's axes in the output order

Pairs are contracted in the order of least total work: every order is tried for up to five values,
a greedy choice is made beyond that.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from .contraction import Contraction, Shape

StepKind = Literal["diagonal", "squeeze", "sum", "contract", "multiply", "transpose"]
EXHAUSTIVE_LIMIT = 5


@dataclass(frozen=True)
class Step:
    """One primitive operation of a plan, as data."""

    kind: StepKind
    inputs: tuple[int, ...]
    """The values read (operand numbers, or results of earlier steps)."""
    input_labels: tuple[tuple[str, ...], ...]
    """The label of each axis of each input, in axis order."""
    result: int
    """The number of the value this step makes."""
    labels: tuple[str, ...]
    """What the step acts on: the diagonal label, the squeezed or summed labels, the contracted labels,
    the new axis order for a transpose; empty for a multiply."""
    result_labels: tuple[str, ...]
    shape: Shape
    """The shape of the result."""
    batch: tuple[str, ...] = ()
    """For ``contract``: labels both inputs share and keep (handled as a batch by matmul)."""

    @property
    def function(self) -> str:
        """The numpy function that carries the step out."""
        if self.kind == "contract":
            return "matmul" if self.batch else "tensordot"
        return {
            "diagonal": "diagonal",
            "squeeze": "squeeze",
            "sum": "sum",
            "multiply": "multiply",
            "transpose": "transpose",
        }[self.kind]

    def axes(self, which: int = 0) -> tuple[int, ...]:
        """The axes of input ``which`` that carry this step's ``labels``."""
        labels = self.input_labels[which]
        return tuple(axis for axis, label in enumerate(labels) if label in self.labels)


@dataclass(frozen=True)
class Plan:
    contraction: Contraction
    steps: tuple[Step, ...]
    result: int
    """The value that holds the output once every step has run."""
    cost: int
    """Multiply-adds of the pairwise steps: the product of the sizes of all labels each one touches."""

    @property
    def n_operands(self) -> int:
        return len(self.contraction.operands)


def make_plan(contraction: Contraction) -> Plan:
    return _make_plan(contraction)


@lru_cache(maxsize=2048)
def _make_plan(c: Contraction) -> Plan:
    builder = _Builder(c)
    return builder.build()


@dataclass
class _Value:
    number: int
    labels: tuple[str, ...]
    shape: Shape


class _Builder:
    def __init__(self, c: Contraction) -> None:
        self.c = c
        self.sizes = c.sizes
        self.output = c.output_labels
        self.steps: list[Step] = []
        self.next_number = len(c.operands)
        self.cost = 0

    def emit(
        self,
        kind: StepKind,
        inputs: Sequence[_Value],
        labels: tuple[str, ...],
        result_labels: tuple[str, ...],
        shape: Shape | None = None,
        batch: tuple[str, ...] = (),
    ) -> _Value:
        if shape is None:
            shape = tuple(self.sizes[label] for label in result_labels)
        step = Step(
            kind=kind,
            inputs=tuple(v.number for v in inputs),
            input_labels=tuple(v.labels for v in inputs),
            result=self.next_number,
            labels=labels,
            result_labels=result_labels,
            shape=shape,
            batch=batch,
        )
        self.steps.append(step)
        self.next_number += 1
        return _Value(step.result, result_labels, shape)

    def build(self) -> Plan:
        values = [self.prepare_operand(index) for index in range(len(self.c.operands))]
        values = [self.sum_private(value, values) for value in values]
        while len(values) > 1:
            first, second = self.choose_pair(values)
            a, b = values[first], values[second]
            rest = [v for i, v in enumerate(values) if i not in (first, second)]
            combined = self.combine(a, b, rest)
            values = [*rest[:first], combined, *rest[first:]]  # keep operand order: fewer transposes
        final = values[0]
        if final.labels != self.output:
            final = self.emit("transpose", [final], self.output, self.output)
        return Plan(self.c, tuple(self.steps), final.number, self.cost)

    def prepare_operand(self, index: int) -> _Value:
        operand = self.c.operands[index]
        value = _Value(index, operand.axis_labels, operand.shape)
        for label in dict.fromkeys(operand.axis_labels):
            if value.labels.count(label) > 1:
                first = value.labels.index(label)
                kept = tuple(name for axis, name in enumerate(value.labels) if name != label or axis == first)
                shape = tuple(
                    size
                    for axis, (name, size) in enumerate(zip(value.labels, value.shape))
                    if name != label or axis == first
                )
                value = self.emit("diagonal", [value], (label,), kept, shape)
        stretched = tuple(
            label for label, size in zip(value.labels, value.shape) if size == 1 and self.sizes[label] != 1
        )
        if stretched:
            kept = tuple(label for label in value.labels if label not in stretched)
            value = self.emit("squeeze", [value], stretched, kept)
        return value

    def sum_private(self, value: _Value, values: Sequence[_Value]) -> _Value:
        elsewhere = set(self.output)
        for other in values:
            if other is not value:
                elsewhere.update(other.labels)
        private = tuple(label for label in value.labels if label not in elsewhere)
        if not private:
            return value
        kept = tuple(label for label in value.labels if label not in private)
        return self.emit("sum", [value], private, kept)

    def needed(self, labels: set[str], rest: Sequence[_Value]) -> set[str]:
        """Of ``labels``, those still needed after a pairwise step: in the output or in another value."""
        wanted = set(self.output)
        for other in rest:
            wanted.update(other.labels)
        return labels & wanted

    def combine(self, a: _Value, b: _Value, rest: Sequence[_Value]) -> _Value:
        union = set(a.labels) | set(b.labels)
        keep = self.needed(union, rest)
        self.cost += math.prod(self.sizes[label] for label in union)
        shared = [label for label in a.labels if label in b.labels]
        summed = tuple(label for label in shared if label not in keep)
        if not summed:
            result = a.labels + tuple(label for label in b.labels if label not in a.labels)
            return self.emit("multiply", [a, b], (), result)
        batch = tuple(label for label in shared if label in keep)
        left = tuple(label for label in a.labels if label not in b.labels)
        right = tuple(label for label in b.labels if label not in a.labels)
        return self.emit("contract", [a, b], summed, batch + left + right, batch=batch)

    def choose_pair(self, values: Sequence[_Value]) -> tuple[int, int]:
        if len(values) == 2:
            return 0, 1
        if len(values) <= EXHAUSTIVE_LIMIT:
            return self.best_first_pair(values)
        return self.greedy_pair(values)

    def pair_cost(
        self, a: frozenset[str], b: frozenset[str], rest: Sequence[frozenset[str]]
    ) -> tuple[int, frozenset[str]]:
        union = a | b
        wanted = set(self.output).union(*rest) if rest else set(self.output)
        return math.prod(self.sizes[label] for label in union), frozenset(union & wanted)

    def best_first_pair(self, values: Sequence[_Value]) -> tuple[int, int]:
        sets = [frozenset(v.labels) for v in values]
        best: tuple[int, int] | None = None
        best_cost = -1
        for i, j in itertools.combinations(range(len(sets)), 2):
            rest = [s for k, s in enumerate(sets) if k not in (i, j)]
            cost, merged = self.pair_cost(sets[i], sets[j], rest)
            total = cost + min(self.order_costs([*rest, merged]))
            if best is None or total < best_cost:
                best, best_cost = (i, j), total
        assert best is not None
        return best

    def order_costs(self, sets: list[frozenset[str]]) -> Iterator[int]:
        """The total cost of every way to contract ``sets`` pairwise down to one."""
        if len(sets) == 1:
            yield 0
            return
        for i, j in itertools.combinations(range(len(sets)), 2):
            rest = [s for k, s in enumerate(sets) if k not in (i, j)]
            cost, merged = self.pair_cost(sets[i], sets[j], rest)
            for tail in self.order_costs([*rest, merged]):
                yield cost + tail

    def greedy_pair(self, values: Sequence[_Value]) -> tuple[int, int]:
        sets = [frozenset(v.labels) for v in values]

        def size(labels: frozenset[str]) -> int:
            return math.prod(self.sizes[label] for label in labels)

        best: tuple[int, int] | None = None
        best_key: tuple[int, int, int] | None = None
        for i, j in itertools.combinations(range(len(sets)), 2):
            rest = [s for k, s in enumerate(sets) if k not in (i, j)]
            cost, merged = self.pair_cost(sets[i], sets[j], rest)
            disjoint = 0 if sets[i] & sets[j] else 1
            key = (disjoint, size(merged) - size(sets[i]) - size(sets[j]), cost)
            if best_key is None or key < best_key:
                best, best_key = (i, j), key
        assert best is not None
        return best
