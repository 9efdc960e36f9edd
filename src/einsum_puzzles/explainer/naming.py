"""Names shared by the renderings: operand names, label display names, loop variables."""

from __future__ import annotations

import keyword
import string
from collections.abc import Iterable, Sequence

from ..contraction import Contraction, is_ellipsis_label

RESERVED = frozenset({"out", "np", "range", "total"})


def default_names(count: int) -> tuple[str, ...]:
    """``a, b, c, ...``; past 26 operands ``x26, x27, ...``."""
    letters = string.ascii_lowercase
    return tuple(letters[i] if i < len(letters) else f"x{i}" for i in range(count))


def ellipsis_index(label: str) -> int:
    return int(label[3:])


def display(label: str) -> str:
    """How a label is written in prose: letters as they are, ellipsis dimensions as ``...[k]``."""
    return f"...[{ellipsis_index(label)}]" if is_ellipsis_label(label) else label


def order_text(labels: Iterable[str]) -> str:
    """Labels in axis order for prose, the ellipsis dimensions as one ``...``: ``k, ..., i``."""
    words: list[str] = []
    for label in labels:
        word = "..." if is_ellipsis_label(label) else label
        if not (word == "..." and words and words[-1] == "..."):
            words.append(word)
    return ", ".join(words)


def labels_text(labels: Iterable[str]) -> str:
    """Labels for prose: ``'i'``, ``'i' and 'k'``; the ellipsis dimensions together as ``the ... dimensions``."""
    words: list[str] = []
    for label in labels:
        word = "the ... dimensions" if is_ellipsis_label(label) else f"'{label}'"
        if word not in words:
            words.append(word)
    return join(words)


def join(words: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


def loop_variables(contraction: Contraction, names: Iterable[str]) -> dict[str, str]:
    """A Python variable for every label, never clashing with an operand name or a generated name."""
    taken = set(RESERVED) | set(names) | set(keyword.kwlist)
    variables: dict[str, str] = {}
    for label in contraction.labels:
        base = f"e{ellipsis_index(label)}" if is_ellipsis_label(label) else label
        candidate = base
        while candidate in taken:
            candidate += "_"
        taken.add(candidate)
        variables[label] = candidate
    return variables
