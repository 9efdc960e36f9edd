"""The einsum grammar: subscript text -> an immutable ``Subscript``. Pure Python, no numpy.

The grammar is numpy's (``np.einsum`` with the default ``optimize=False``), measured:

* labels are the 52 ASCII letters, case-sensitive;
* terms are separated by ``,``; at most one ``->`` separates the inputs from the output;
* each term and the output may hold one ``...`` (three dots, nothing between them);
* spaces (and only spaces) may stand anywhere except inside ``->`` and ``...``;
* an empty term describes a 0-d operand (``''``, ``'->'`` and ``',ij->ij'`` are valid);
* without an arrow (implicit mode) the output is every label that occurs exactly once, sorted by
  code point (so uppercase before lowercase), after the ellipsis dimensions if any term has ``...``.

Rules that depend on the output's relation to the inputs (a label used twice in the output, or
never in an input) and everything about shapes are checked by ``contraction.bind``.
"""

from __future__ import annotations

import operator
import string
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .errors import EinsumError

LETTERS = frozenset(string.ascii_letters)
ELLIPSIS = "..."
MAX_LABELS = len(LETTERS)
# numpy's sublist form numbers the labels: 0-25 are 'A'-'Z', 26-51 are 'a'-'z' (so sorting by number
# and sorting by letter agree, and the implicit output comes out in number order).
SUBLIST_LETTERS = string.ascii_uppercase + string.ascii_lowercase


@dataclass(frozen=True)
class Term:
    """One comma-separated term (or the output) of a subscript.

    ``labels`` are the letters in order, without the ellipsis. ``ellipsis`` is how many labels come
    before the ``...`` (None when the term has none). ``positions`` gives each label's index in the
    subscript text and ``ellipsis_position`` the index of the first dot; both are empty/None for an
    implicit output, which is not written anywhere.
    """

    labels: tuple[str, ...]
    ellipsis: int | None = None
    start: int = 0
    end: int = 0
    positions: tuple[int, ...] = ()
    ellipsis_position: int | None = None

    @property
    def has_ellipsis(self) -> bool:
        return self.ellipsis is not None

    def text(self) -> str:
        """The term in canonical spelling: labels with the ellipsis in place, no spaces."""
        if self.ellipsis is None:
            return "".join(self.labels)
        return "".join(self.labels[: self.ellipsis]) + ELLIPSIS + "".join(self.labels[self.ellipsis :])

    def __str__(self) -> str:
        return self.text()


@dataclass(frozen=True)
class Subscript:
    """A parsed einsum subscript: its input terms, its output term and whether the output was written."""

    text: str
    inputs: tuple[Term, ...]
    output: Term
    explicit: bool
    arrow_position: int | None = None

    @property
    def labels(self) -> tuple[str, ...]:
        """Every distinct input label, in order of first appearance."""
        return tuple(dict.fromkeys(label for term in self.inputs for label in term.labels))

    @property
    def has_ellipsis(self) -> bool:
        return any(term.has_ellipsis for term in self.inputs)

    def canonical(self) -> str:
        """The subscript written explicitly without spaces, e.g. ``'ij,jk->ik'`` (implicit output made explicit)."""
        return ",".join(term.text() for term in self.inputs) + "->" + self.output.text()

    def __str__(self) -> str:
        return self.canonical()


def parse(subscript: str | bytes) -> Subscript:
    """Parse einsum subscript text exactly as numpy does; raise ``EinsumError(kind="syntax")`` when numpy would."""
    if isinstance(subscript, bytes):
        try:
            subscript = subscript.decode("ascii")
        except UnicodeDecodeError as exc:
            raise EinsumError(
                f"the subscript contains the non-ASCII byte {subscript[exc.start]:#04x} at index {exc.start}; "
                "labels are the letters a-z and A-Z",
                "syntax",
            ) from None
    if not isinstance(subscript, str):
        raise TypeError(f"an einsum subscript is a string such as 'ij,jk->ik', not {type(subscript).__name__}")
    return _parse(subscript)


@lru_cache(maxsize=4096)
def _parse(text: str) -> Subscript:
    for index, char in enumerate(text):
        if ord(char) > 127:
            _fail(
                f"invalid character {char!r} in the subscript: labels are the ASCII letters a-z and A-Z "
                "(numpy accepts no other characters)",
                index,
                text,
            )
    # numpy reads the subscript as a C string: everything after a NUL character is ignored.
    limit = text.find("\0")
    if limit < 0:
        limit = len(text)

    inputs: list[Term] = []
    start = 0
    while True:
        term, stop = _scan_term(text, start, limit, where=f"operand {len(inputs)}")
        inputs.append(term)
        if stop < limit and text[stop] == ",":
            start = stop + 1
            continue
        break

    if stop == limit:
        return Subscript(text, tuple(inputs), _implicit_output(inputs), explicit=False)
    # The inputs end at the first '-', which must begin the arrow.
    if stop + 1 >= limit or text[stop + 1] != ">":
        _fail(
            "a '-' must be the start of the arrow '->' (written with nothing between '-' and '>')",
            stop,
            text,
        )
    output, end = _scan_term(text, stop + 2, limit, where="the output")
    if end < limit:
        char = text[end]
        if char == "-" and end + 1 < limit and text[end + 1] == ">":
            _fail("a subscript has at most one arrow '->'", end, text)
        if char == ",":
            _fail("the output after '->' is a single term: it cannot contain ','", end, text)
        _fail_invalid(char, end, text)
    return Subscript(text, tuple(inputs), output, explicit=True, arrow_position=stop)


def _scan_term(text: str, start: int, limit: int, where: str) -> tuple[Term, int]:
    """Read labels, spaces and one ellipsis from ``start``; stop at ',', '-' or the end."""
    labels: list[str] = []
    positions: list[int] = []
    ellipsis: int | None = None
    ellipsis_position: int | None = None
    index = start
    while index < limit:
        char = text[index]
        if char in LETTERS:
            labels.append(char)
            positions.append(index)
        elif char == ".":
            if text[index : index + 3] != ELLIPSIS or index + 3 > limit:
                _fail(
                    f"a '.' in {where} is not part of an ellipsis: write exactly three dots '...' together",
                    index,
                    text,
                )
            if ellipsis is not None:
                _fail(f"{where} has a second ellipsis '...'; each term may have at most one", index, text)
            ellipsis = len(labels)
            ellipsis_position = index
            index += 2
        elif char in ",-":
            break
        elif char != " ":
            if char == ">":
                _fail("a '>' must follow '-' directly, as in '->'", index, text)
            _fail_invalid(char, index, text)
        index += 1
    term = Term(tuple(labels), ellipsis, start, index, tuple(positions), ellipsis_position)
    return term, index


def _implicit_output(inputs: list[Term]) -> Term:
    counts = Counter(label for term in inputs for label in term.labels)
    once = tuple(sorted(label for label, count in counts.items() if count == 1))
    has_ellipsis = any(term.has_ellipsis for term in inputs)
    return Term(once, 0 if has_ellipsis else None)


def _fail_invalid(char: str, index: int, text: str) -> None:
    shown = repr(char) if char.isprintable() else f"{char!r} (a control character)"
    _fail(
        f"invalid character {shown} in the subscript: labels are the letters a-z and A-Z; "
        "use ',' between terms, '->' before the output, '...' for broadcast dimensions and spaces",
        index,
        text,
    )


def _fail(message: str, index: int, text: str) -> None:
    raise EinsumError(message, "syntax", position=index, subscript=text)


def from_sublists(call: Sequence[Any]) -> tuple[str, list[Any]]:
    """numpy's sublist form ``(op0, sublist0, op1, sublist1, ..., [output sublist])`` -> (subscript, operands).

    A sublist holds ints from 0 to 51 (``SUBLIST_LETTERS`` gives each one's letter) and at most one
    ``Ellipsis``: ``(a, [0, 1], b, [1, 2], [0, 2])`` is ``("AB,BC->AC", [a, b])``.
    """
    count = len(call) // 2
    if count == 0:
        raise EinsumError(
            "the sublist form needs each operand followed by its list of axis labels, as in einsum(a, [0, 1])",
            "operand_count",
        )
    terms = [_sublist_term(call[2 * index + 1], f"operand {index}") for index in range(count)]
    text = ",".join(terms)
    if len(call) % 2:
        text += "->" + _sublist_term(call[-1], "the output")
    return text, [call[2 * index] for index in range(count)]


def _sublist_term(sublist: Any, where: str) -> str:
    if isinstance(sublist, (str, bytes)) or not isinstance(sublist, Iterable):
        raise TypeError(
            f"the sublist for {where} must be a list of ints from 0 to 51 and at most one Ellipsis, "
            f"such as [0, 1] or [Ellipsis, 0], not {sublist!r}"
        )
    letters: list[str] = []
    for item in sublist:
        if item is Ellipsis:
            if ELLIPSIS in letters:
                raise EinsumError(f"the sublist for {where} has a second Ellipsis; a term has at most one", "syntax")
            letters.append(ELLIPSIS)
            continue
        try:
            number = operator.index(item)
        except TypeError:
            raise TypeError(
                f"the sublist for {where} holds {item!r}: each item must be an int from 0 to 51 or Ellipsis"
            ) from None
        if not 0 <= number < len(SUBLIST_LETTERS):
            raise EinsumError(
                f"the sublist for {where} holds the label {number}: sublist labels are ints from 0 to 51",
                "syntax",
            )
        letters.append(SUBLIST_LETTERS[number])
    return "".join(letters)
