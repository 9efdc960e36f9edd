"""Names for einsum arguments when one array is passed more than once: ``x, x`` is drawn as ``x`` and ``x_2``.

The second name is made up (no array is called ``x_2``), so wherever it is shown, ``repeat_note`` says once
what it stands for: ``"x_2 is the second argument: the same array x, passed again."``
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def distinct_names(arguments: Sequence[str]) -> tuple[str, ...]:
    """``("x", "w", "x")`` -> ``("x", "w", "x_2")``: an array passed again gets ``_2``, ``_3``..."""
    names: list[str] = []
    for index, name in enumerate(arguments):
        count = list(arguments[:index]).count(name)
        names.append(name if count == 0 else f"{name}_{count + 1}")
    return tuple(names)


def repeat_note(arguments: Sequence[str], *texts: str) -> str:
    """One sentence per made-up name that ``texts`` mention (every one when no text is given); "" if none."""
    sentences = []
    for position, (name, base) in enumerate(zip(distinct_names(arguments), arguments)):
        if name == base:
            continue
        mentioned = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])")
        if texts and not any(mentioned.search(text) for text in texts):
            continue
        ordinal = ORDINALS[position] if position < len(ORDINALS) else f"{position + 1}th"
        sentences.append(f"{name} is the {ordinal} argument: the same array {base}, passed again.")
    return " ".join(sentences)


MAX_EXAMPLE_ELEMENTS = 10_000
"""Past this many elements in all, no example values are made (the picture draws values of small operands only)."""


def shared_examples(arguments: Sequence[str], shapes: Sequence[tuple[int, ...]]) -> list[Any] | None:
    """Example values to show for arguments passed by name: small whole numbers (1 to 5, as floats), where an
    array passed again has the very values of its first copy (``x * x`` squares ``x``, so its picture must show
    one ``x`` twice). None when no name repeats (the explainer's own examples are then right) or the operands
    are too large to draw."""
    if len(set(arguments)) == len(arguments) or sum(math.prod(s) for s in shapes) > MAX_EXAMPLE_ELEMENTS:
        return None
    values: dict[str, Any] = {}
    for name, shape in zip(arguments, shapes):
        if name not in values:
            rng = np.random.default_rng(len(values) + 7 * len(shape))
            values[name] = rng.integers(1, 6, size=shape).astype(np.float64)
    return [values[name] for name in arguments]


def named_operands(
    arguments: Sequence[str], shapes: Sequence[tuple[int, ...]]
) -> tuple[tuple[str, ...], list[Any], str]:
    """The explainer's arguments for operands named as passed (``x, x`` for one array passed twice): the
    distinct names to draw, the operands (shared example values when a name repeats, else the shapes) and
    the note on made-up names. ValueError, in words, when the names do not fit the shapes."""
    if len(arguments) != len(shapes):
        given = f"{len(arguments)} name{'' if len(arguments) == 1 else 's'}"
        raise ValueError(f"{given} for {len(shapes)} operands: give one name per operand, separated by commas")
    for name in arguments:
        if not name.isidentifier():
            raise ValueError(f"operand name {name!r} is not a Python identifier; use names such as x or w_q")
    for index, name in enumerate(arguments):
        first = list(arguments).index(name)
        if tuple(shapes[first]) != tuple(shapes[index]):
            raise ValueError(
                f"{name} is passed twice with different shapes ({shapes[first]} and {shapes[index]}): "
                "one array has one shape"
            )
    operands = shared_examples(arguments, shapes) or list(shapes)
    return distinct_names(arguments), operands, repeat_note(arguments)
