"""Seeded random draws for puzzle inputs, without loading ``numpy.random``.

``numpy.random`` costs about 30 ms to import (it pulls in ``secrets``, ``hmac`` and ``hashlib``),
which is a fifth of the command line's start-up. Puzzle inputs only need reproducible integers,
normals and a choice without replacement, so this module draws them from a splitmix64 counter stream
computed with plain numpy integer arithmetic. ``Draws`` has the subset of ``numpy.random.Generator``'s
interface that puzzles use, so a real Generator can be passed wherever a ``Draws`` is expected.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


class Draws:
    """A reproducible stream of random numbers (splitmix64), seeded by an int or a string."""

    def __init__(self, seed: int | str) -> None:
        if isinstance(seed, str):
            seed = zlib.crc32(seed.encode())
        self._state = np.uint64(seed & 0xFFFFFFFFFFFFFFFF)

    def _bits(self, count: int) -> Any:
        with np.errstate(over="ignore"):
            counters = np.arange(1, count + 1, dtype=np.uint64) * _GOLDEN + self._state
            self._state = counters[-1] if count else self._state
            z = counters
            z = (z ^ (z >> np.uint64(30))) * _MIX1
            z = (z ^ (z >> np.uint64(27))) * _MIX2
            return z ^ (z >> np.uint64(31))

    def random(self, size: int | Sequence[int] = ()) -> Any:
        shape = _shape(size)
        count = int(np.prod(shape, dtype=np.int64))
        uniform = (self._bits(count) >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))
        return uniform.reshape(shape)

    def integers(self, low: int, high: int, size: int | Sequence[int] = ()) -> Any:
        """Integers in ``[low, high)``."""
        shape = _shape(size)
        count = int(np.prod(shape, dtype=np.int64))
        values = (self._bits(count) % np.uint64(high - low)).astype(np.int64) + low
        return values.reshape(shape)

    def standard_normal(self, size: int | Sequence[int] = ()) -> Any:
        shape = _shape(size)
        count = int(np.prod(shape, dtype=np.int64))
        u1 = 1.0 - self.random(count)  # in (0, 1], so the log is finite
        u2 = self.random(count)
        return (np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)).reshape(shape)

    def choice(self, pool: Sequence[int], size: int, replace: bool = True) -> Any:
        items = np.asarray(pool)
        if replace:
            return items[self.integers(0, len(items), size)]
        if size > len(items):
            raise ValueError(f"cannot choose {size} of {len(items)} without replacement")
        return items[np.argsort(self.random(len(items)), kind="stable")[:size]]


def _shape(size: int | Sequence[int]) -> tuple[int, ...]:
    if isinstance(size, (int, np.integer)):
        return (int(size),)
    return tuple(int(s) for s in size)
