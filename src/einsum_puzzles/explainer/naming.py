"""Names shared by the renderings: operand names, label display names, loop variables."""

from __future__ import annotations

import keyword
from collections.abc import Iterable, Sequence

from ..contraction import Contraction, is_ellipsis_label

RESERVED = frozenset({"out", "np", "range", "total"})


NAME_SETS: tuple[str, ...] = ("abcdefgh", "ABCDEFGH", "xyzuvw", "XYZUVW", "pqrst", "PQRST")


def default_names(count: int, labels: Iterable[str] = ()) -> tuple[str, ...]:
    """Operand names that are never also a label, so that "'b' is in a and b" cannot happen.

    ``a, b, c, ...`` when no label is one of them; else ``A, B, C, ...``, then ``x, y, z, ...`` (and a
    few more sets); numbered ``x1, x2, ...`` (never a label: labels are single letters) when every
    set collides or there are more operands than a set holds.
    """
    used = set(labels)
    for letters in NAME_SETS:
        chosen = letters[:count]
        if len(chosen) == count and not used & set(chosen):
            return tuple(chosen)
    return tuple(f"x{i + 1}" for i in range(count))


def colliding_names(names: Iterable[str], labels: Iterable[str]) -> set[str]:
    """The operand names that are also labels (only possible when the caller chose the names)."""
    return set(names) & set(labels)


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


def every_text(labels: Iterable[str]) -> str:
    """``every 'b'``, ``every 'b' and 'h'``, ``every position along the ... dimensions``."""
    labels = list(labels)
    letters = [f"'{label}'" for label in dict.fromkeys(labels) if not is_ellipsis_label(label)]
    has_ellipsis = any(is_ellipsis_label(label) for label in labels)
    parts = []
    if letters:
        parts.append("every " + join(letters))
    if has_ellipsis:
        parts.append("every position along the ... dimensions")
    return " and ".join(parts)


def axes_text(labels: Iterable[str]) -> str:
    """``axis 'j'``, ``axes 'i' and 'j'``, ``axis under '...'``, ``axis 'j' and axes under '...'``."""
    labels = list(labels)
    letters = [f"'{label}'" for label in dict.fromkeys(labels) if not is_ellipsis_label(label)]
    has_ellipsis = any(is_ellipsis_label(label) for label in labels)
    parts = []
    if letters:
        parts.append(("axis " if len(letters) == 1 else "axes ") + join(letters))
    if has_ellipsis:
        many = sum(is_ellipsis_label(label) for label in labels) > 1
        parts.append("axes under '...'" if many else "axis under '...'")
    return " and ".join(parts)


def display_names(names: Sequence[str], labels: Iterable[str]) -> tuple[str, ...]:
    """How sentences name the operands: the names themselves, or, when a caller's name is also a label
    (a puzzle's input ``b`` and a learner's ``bij,bjk``), ``operand a``, ``operand b``, so that a
    sentence about the label 'b' never reads as one about the operand."""
    if not colliding_names(names, labels):
        return tuple(names)
    return tuple(f"operand {name}" for name in names)
