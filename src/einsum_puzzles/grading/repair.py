"""Small repairs of a subscript's text that numpy refuses to read: the way to a fix for syntax errors.

A look-alike symbol is handled by ``fix.normalize``; this module handles the rest of what learners
type: a second arrow (``ij->jk->ik``), a lone ``-`` or ``>`` (``ij,jk-ik``), a space inside ``->``,
a stray character (``ij;jk``, ``j'k``, quotes around the subscript), dots that are not an ellipsis,
a missing comma between two terms (``ijjk->ik``, ``ij jk->ik``) and an empty term from a comma too
many (``ij,jk,->ik``). Each repair is one edit of the text, described as "replace OLD with NEW" where
OLD is a piece of the text around the edit that occurs exactly once, so that a learner can carry it out.

Repairs are candidates only: the grader checks every subscript before it is offered (directly, or as
the start of ``fix.find_fix``'s search).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from ..curriculum.model import Puzzle
from ..errors import EinsumError
from ..subscript import LETTERS, Term, parse
from .fix import Fix, Form, distance, normalize
from .fix import find_fix as search_fix

MAX_EDITS = 3
"""Edits chained at most (``ij;jk-ik`` needs two)."""
MAX_TEXTS = 12
"""Repaired texts tried at most."""

PUNCTUATION = "->, "

Edit = tuple[str, str]
"""(old, new): replace the piece ``old`` of the text (which occurs once) with ``new``."""


@dataclass(frozen=True)
class Repaired:
    text: str
    edits: tuple[Edit, ...]


def _edit(text: str, start: int, stop: int, new: str) -> Repaired | None:
    """Replace ``text[start:stop]`` with ``new``, described by a piece of the text that occurs once."""
    left, right = start, stop
    # Show the edit with its neighbours: the '-' of an arrow, a comma, and the letters on each side.
    if all(c in PUNCTUATION for c in text[start:stop] + new):
        while left > 0 and text[left - 1] in PUNCTUATION and (left == start or text[left] in PUNCTUATION):
            left -= 1
        while right < len(text) and text[right] in PUNCTUATION and (right == stop or text[right - 1] in PUNCTUATION):
            right += 1
    while left > 0 and (text[left - 1] in LETTERS or text[left - 1] == "."):
        left -= 1
    while right < len(text) and (text[right] in LETTERS or text[right] == "."):
        right += 1
    while True:
        old = text[left:right]
        if old and text.count(old) == 1:
            break
        if left == 0 and right == len(text):
            if not old:
                return None
            break
        left, right = max(0, left - 1), min(len(text), right + 1)
    result = text[:start] + new + text[stop:]
    piece = old[: start - left] + new + old[stop - left :]
    if "'" in old + piece and '"' in old + piece:
        return None  # cannot be quoted for the learner
    return Repaired(result, ((old, piece),))


def _syntax_edits(text: str, error: EinsumError) -> Iterator[Repaired | None]:
    """Single edits that remove the syntax error numpy reports at ``error.position``."""
    pos = error.position
    if pos is None or not 0 <= pos < len(text):
        return
    char = text[pos]
    if char == "-":
        after = pos + 1
        while after < len(text) and text[after].isspace():
            after += 1
        if "at most one arrow" in error.message:
            first = text.index("->")
            yield _edit(text, first, first + 2, ",")  # the first arrow meant as a comma
            yield _edit(text, first, pos, "")  # an output written twice: keep the last
            yield _edit(text, pos, len(text), "")  # keep the first output
        elif after > pos + 1 and after < len(text) and text[after] == ">":
            yield _edit(text, pos + 1, after, "")  # '- >'
        else:
            yield _edit(text, pos + 1, pos + 1, ">")
            yield _edit(text, pos, pos + 1, "")
    elif char == ">":
        yield _edit(text, pos, pos, "-")
        yield _edit(text, pos, pos + 1, "")
    elif char == "." and "second ellipsis" in error.message:
        # Two terms with the comma left out ('...ij...jk', '...ij ...jk'): the comma goes before the second.
        start = pos
        while start > 0 and text[start - 1] == " ":
            start -= 1
        yield _edit(text, start, pos, ",")
        yield _edit(text, pos, pos + 3, "")
    elif char == ".":
        stop = pos
        while stop < len(text) and text[stop] == ".":
            stop += 1
        if stop - pos != 3:
            yield _edit(text, pos, stop, "...")
        yield _edit(text, pos, stop, "")
    elif char == ",":
        arrow = text.find("->")
        yield _edit(text, pos, pos + 1, "")
        if 0 <= arrow < pos and text.count("->") == 1:
            swapped = text[:arrow] + "," + text[arrow + 2 : pos] + "->" + text[pos + 1 :]
            yield Repaired(swapped, ((text, swapped),))
    else:
        if char in ";:|/\\":
            yield _edit(text, pos, pos + 1, ",")
        yield _edit(text, pos, pos + 1, "")


def _count_edits(text: str, operands: Sequence[tuple[int, ...]]) -> Iterator[Repaired | None]:
    """Edits that give one term per operand: drop an empty term, or split a term where a comma is missing."""
    sub = parse(text)
    terms = sub.inputs
    if len(terms) > len(operands):
        for index, term in enumerate(terms):
            if term.labels or term.has_ellipsis:
                continue
            # The comma before the empty term (or after it, for the first).
            comma = text.rfind(",", 0, term.start) if index else text.find(",", term.end)
            if comma >= 0:
                yield _edit(text, comma, comma + 1, "")
        return
    missing = len(operands) - len(terms)
    if missing <= 0:
        return
    ranks = [len(shape) for shape in operands]
    # Terms without '...' cover consecutive operands: a term whose letters are the ranks of several
    # operands in a row is those operands' terms with the commas left out.
    yield from _splits(text, terms, ranks)


def _splits(text: str, terms: Sequence[Term], ranks: Sequence[int]) -> Iterator[Repaired | None]:
    found: list[list[int]] = []
    budget = [2000]  # steps of the search at most (a long term with '...' has many ways to split)

    def pieces(term: Term) -> list[tuple[bool, int]]:
        """Each token of the term: (is it '...', the index of its last character in the text)."""
        tokens = [(False, p) for p in term.positions]
        if term.ellipsis is not None and term.ellipsis_position is not None:
            tokens.insert(term.ellipsis, (True, term.ellipsis_position + 2))
        return tokens

    def walk(t: int, k: int, o: int, cuts: list[int]) -> None:
        """Operand ``o`` starts at token ``k`` of term ``t``."""
        budget[0] -= 1
        if len(found) >= 4 or budget[0] < 0:
            return
        if t == len(terms):
            if o == len(ranks):
                found.append(list(cuts))
            return
        tokens = pieces(terms[t])
        if o == len(ranks):
            return
        letters = 0
        dots = False
        for stop in range(k + 1, len(tokens) + 1):
            is_dots, _ = tokens[stop - 1]
            dots = dots or is_dots
            letters += not is_dots
            if letters > ranks[o]:
                break
            if letters < ranks[o] and not dots:
                continue
            if stop == len(tokens):
                walk(t + 1, 0, o + 1, cuts)
            else:
                walk(t, stop, o + 1, cuts + [tokens[stop - 1][1]])
        if not tokens and k == 0 and ranks[o] == 0:  # an empty term stands for one 0-d operand
            walk(t + 1, 0, o + 1, cuts)

    walk(0, 0, 0, [])
    for cuts in found:
        if not cuts:
            continue
        new = text
        for position in sorted(cuts, reverse=True):
            after = position + 1
            stop = after
            while stop < len(new) and new[stop] == " ":
                stop += 1
            new = new[:after] + "," + new[stop:]
        yield _whole_term_edit(text, new, cuts)


def _whole_term_edit(text: str, new: str, cuts: Sequence[int]) -> Repaired | None:
    """A split shown as the term it changes: 'ijjk' becomes 'ij,jk'."""
    if len(cuts) == 0:
        return None
    left = min(cuts)
    right = max(cuts) + 1
    while left > 0 and text[left - 1] not in ",->":
        left -= 1
    while right < len(text) and text[right] not in ",->":
        right += 1
    while left < right and text[left] == " ":
        left += 1
    while right > left and text[right - 1] == " ":
        right -= 1
    old = text[left:right]
    delta = len(new) - len(text)
    piece = new[left : right + delta]
    if text.count(old) != 1 or "'" in old + piece:
        return Repaired(new, ((text, new),))
    return Repaired(new, ((old, piece),))


def repaired_texts(text: str, operands: Sequence[tuple[int, ...]]) -> list[Repaired]:
    """Texts that parse into one term per operand, made by the fewest edits, fewest first."""
    done: list[Repaired] = []
    seen = {text}
    frontier = [Repaired(text, ())]
    for _ in range(MAX_EDITS):
        following: list[Repaired] = []
        for state in frontier:
            try:
                sub = parse(state.text)
            except EinsumError as error:
                options = _syntax_edits(state.text, error)
            else:
                if len(sub.inputs) == len(operands):
                    if state.edits:
                        done.append(state)
                    continue
                options = _count_edits(state.text, operands)
            for option in options:
                if option is None or option.text in seen or not option.text.strip():
                    continue
                seen.add(option.text)
                following.append(Repaired(option.text, state.edits + option.edits))
        frontier = following
        if len(done) + len(frontier) > MAX_TEXTS * 4:
            break
    for state in frontier:
        try:
            sub = parse(state.text)
        except EinsumError:
            continue
        if len(sub.inputs) == len(operands):
            done.append(state)
    return done[:MAX_TEXTS]


def repair(puzzle: Puzzle, answer: str, accepts: Callable[[str], bool]) -> Fix | None:
    """A fix reached through the fewest text repairs: accepted as repaired, else by the fix search."""
    if puzzle.kind != "subscript":
        return None
    text, symbols = normalize(answer)
    texts = repaired_texts(text, puzzle.argument_shapes())
    for state in texts:
        if accepts(state.text):
            form = Form.of(parse(state.text))
            return Fix(form, form, tuple(symbols), state.edits)
    best: tuple[tuple[int, int], Fix] | None = None
    for state in texts[:6]:
        found = search_fix(puzzle, state.text, accepts)
        if found is None:
            continue
        key = (len(state.edits) + distance(found.answer.tokens, found.fix.tokens), len(state.edits))
        if best is None or key < best[0]:
            best = (key, Fix(found.answer, found.fix, tuple(symbols) + found.symbols, state.edits))
    return best[1] if best else None
