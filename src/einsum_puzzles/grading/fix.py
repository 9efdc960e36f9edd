"""The closest accepted subscript to a wrong answer, in the learner's own letters.

A reference solution bound to the puzzle's shapes puts one label on every axis of every operand;
relabelled, it is a *structure*: which axes share a label and which labels the output keeps, in
which order. Every candidate fix is a structure written with letters chosen from the learner's
answer (each label gets the letter the learner used most on its axes, when that letter is free),
in a spelling that follows the learner's (arrow or not, ``...`` where the learner wrote one and
where it can stand for the axes). Candidates are ranked by the token edit distance to the answer
(letters, ``...``, ``,`` and ``->`` are tokens), and the closest one the grader accepts is the fix.
Nothing is offered that the grader has not accepted.
"""

from __future__ import annotations

import itertools
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from ..contraction import bind
from ..curriculum.model import Puzzle
from ..errors import EinsumError
from ..subscript import Subscript, parse

ELLIPSIS = "..."
MAX_VERIFIED = 6
"""How many of the closest candidates are checked with the grader before giving up."""

# Look-alike symbols learners type for the arrow and the comma (keyboard layouts, word processors).
SYMBOLS: tuple[tuple[str, str], ...] = (
    ("—>", "->"),
    ("–>", "->"),
    ("-->", "->"),
    ("=>", "->"),
    ("→", "->"),
    ("⟶", "->"),
    ("，", ","),
    ("…", "..."),
)


@dataclass(frozen=True)
class Form:
    """A subscript as tokens: each term's letters and ``...``; the output (None without an arrow)."""

    terms: tuple[tuple[str, ...], ...]
    output: tuple[str, ...] | None

    @classmethod
    def of(cls, sub: Subscript) -> Form:
        terms = tuple(_term_tokens(t.labels, t.ellipsis) for t in sub.inputs)
        output = _term_tokens(sub.output.labels, sub.output.ellipsis) if sub.explicit else None
        return cls(terms, output)

    @property
    def text(self) -> str:
        inputs = ",".join("".join(term) for term in self.terms)
        return inputs if self.output is None else inputs + "->" + "".join(self.output)

    @property
    def tokens(self) -> tuple[str, ...]:
        out: list[str] = []
        for index, term in enumerate(self.terms):
            if index:
                out.append(",")
            out.extend(term)
        if self.output is not None:
            out.append("->")
            out.extend(self.output)
        return tuple(out)


def _term_tokens(labels: tuple[str, ...], ellipsis: int | None) -> tuple[str, ...]:
    if ellipsis is None:
        return labels
    return labels[:ellipsis] + (ELLIPSIS,) + labels[ellipsis:]


def normalize(answer: str) -> tuple[str, list[tuple[str, str]]]:
    """Replace look-alike symbols; return the new text and the replacements made."""
    made = []
    for wrong, right in SYMBOLS:
        if wrong in answer:
            answer = answer.replace(wrong, right)
            made.append((wrong, right))
    return answer, made


def axis_labels(form: Form, shapes: Sequence[tuple[int, ...]]) -> list[list[str]] | None:
    """One label per axis of every operand (``...0``, ``...1`` for the axes under ``...``, aligned
    from the right as numpy does); None when a term cannot cover its operand's axes."""
    if len(form.terms) != len(shapes):
        return None
    covered = []
    for term, shape in zip(form.terms, shapes):
        letters = [t for t in term if t != ELLIPSIS]
        extra = len(shape) - len(letters)
        if extra < 0 or (extra and ELLIPSIS not in term):
            return None
        covered.append(extra)
    n = max(covered, default=0)
    result = []
    for term, extra in zip(form.terms, covered):
        axes: list[str] = []
        for token in term:
            if token == ELLIPSIS:
                axes.extend(f"...{i}" for i in range(n - extra, n))
            else:
                axes.append(token)
        result.append(axes)
    return result


def output_labels(form: Form, axes: list[list[str]]) -> list[str]:
    """The output labels of a form (implicit: the labels used once, sorted, after the ellipsis axes)."""
    ell = sorted({a for op in axes for a in op if a.startswith("...")}, key=lambda a: int(a[3:]))
    if form.output is None:
        counts: dict[str, int] = {}
        for op in axes:
            for a in op:
                counts[a] = counts.get(a, 0) + 1
        return ell + sorted(a for a, c in counts.items() if c == 1 and not a.startswith("..."))
    out: list[str] = []
    for token in form.output:
        out.extend(ell if token == ELLIPSIS else [token])
    return out


# --- structures ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Structure:
    """A reference solution without its letters: a class number on every axis, the output's classes."""

    axes: tuple[tuple[int, ...], ...]
    output: tuple[int, ...]

    @property
    def classes(self) -> int:
        return 1 + max((c for op in self.axes for c in op), default=-1)


def structures(puzzle: Puzzle) -> tuple[Structure, ...]:
    return _structures(puzzle.id, puzzle.solutions, puzzle.argument_shapes())


@lru_cache(maxsize=256)
def _structures(_id: int, solutions: tuple[str, ...], shapes: tuple[tuple[int, ...], ...]) -> tuple[Structure, ...]:
    found: dict[Structure, None] = {}
    for solution in solutions:
        try:
            c = bind(solution, *shapes)
        except EinsumError:
            continue
        number: dict[str, int] = {}
        for op in c.operands:
            for label in op.axis_labels:
                number.setdefault(label, len(number))
        found[
            Structure(
                tuple(tuple(number[label] for label in op.axis_labels) for op in c.operands),
                tuple(number[label] for label in c.output_labels),
            )
        ] = None
    return tuple(found)


# --- letters -------------------------------------------------------------------------------------

LOWER, UPPER = string.ascii_lowercase, string.ascii_uppercase


def _fresh(taken: set[str], near: str | None, reuse: Sequence[str]) -> str | None:
    """A free letter: one of the answer's letters that the fix does not use (``reuse``, in order), else
    the first free letter after ``near`` in its case (then before it)."""
    for letter in reuse:
        if letter not in taken:
            return letter
    return next((letter for letter in _order(near) if letter not in taken), None)


@lru_cache(maxsize=128)
def _order(near: str | None) -> tuple[str, ...]:
    alphabet = UPPER if near is not None and near.isupper() else LOWER
    start = alphabet.index(near) if near is not None and near in alphabet else alphabet.index("i") - 1
    order = list(alphabet[start + 1 :]) + list(reversed(alphabet[: start + 1]))
    return tuple(order + [c for c in (LOWER + UPPER) if c not in order])


def assign_letters(
    structure: Structure, axes: list[list[str]], answer_out: list[str] | None, skip: frozenset[int] = frozenset()
) -> tuple[dict[int, str], dict[int, int]] | None:
    """A letter for every class not in ``skip``: the answer's letters where they fit, fresh ones elsewhere.
    Also each class's first axis position (for tie-breaks)."""
    counts: dict[int, dict[str, int]] = {}
    first: dict[int, int] = {}
    position = 0
    answer_letters: dict[str, None] = {}
    for op_classes, op_axes in zip(structure.axes, axes):
        for cls, label in zip(op_classes, op_axes):
            first.setdefault(cls, position)
            position += 1
            if label.startswith(("...", WILDCARD)):
                continue
            answer_letters[label] = None
            if cls in skip:
                continue
            counts.setdefault(cls, {})
            counts[cls][label] = counts[cls].get(label, 0) + 1
    out_at = {cls: i for i, cls in enumerate(structure.output)}

    def at_output(cls: int) -> str | None:
        if answer_out is None or cls not in out_at or out_at[cls] >= len(answer_out):
            return None
        return answer_out[out_at[cls]]

    options = []
    for cls, letters in counts.items():
        for order, (letter, count) in enumerate(letters.items()):
            options.append((-count, -int(at_output(cls) == letter), first[cls], order, cls, letter))
    options.sort()
    chosen: dict[int, str] = {}
    taken: set[str] = set()
    for *_, cls, letter in options:
        if cls in chosen or letter in taken:
            continue
        chosen[cls] = letter
        taken.add(letter)
    for cls in sorted(range(structure.classes), key=lambda c: first.get(c, 0)):
        if cls in chosen or cls in skip:
            continue
        wanted = at_output(cls)
        if wanted is None or wanted.startswith(("...", WILDCARD)) or wanted in taken:
            near = next(iter(counts.get(cls, {})), None)
            wanted = _fresh(taken, near, list(answer_letters))
        if wanted is None:
            return None
        chosen[cls] = wanted
        taken.add(wanted)
    return chosen, first


def sort_letters(
    structure: Structure, letters: dict[int, str], skip: frozenset[int], first: dict[int, int]
) -> dict[int, str] | None:
    """Rename the fewest kept classes so that their letters sort into the output order (arrowless form);
    among equally short renamings, keep the letters the learner wrote first."""
    kept = [c for c in structure.output if c not in skip]
    codes = [letters[c] for c in kept]
    n = len(codes)
    if n > 12:
        return None
    best: list[int] = []
    best_key: tuple[int, list[int]] = (0, [])
    for mask in range(1 << n):
        chosen = [i for i in range(n) if mask >> i & 1]
        if len(chosen) < len(best):
            continue
        if all(codes[a] < codes[b] for a, b in itertools.pairwise(chosen)):
            key = (-len(chosen), sorted(first.get(kept[i], 0) for i in chosen))
            if not best or key < best_key:
                best, best_key = chosen, key
    result = dict(letters)
    taken = set(result.values())
    low = ""
    for i, cls in enumerate(kept):
        if i in best:
            low = codes[i]
            continue
        high = next((codes[j] for j in best if j > i), "\x7f")
        fitting = [c for c in LOWER + UPPER if low < c < high and c not in taken]
        if not fitting:
            return None
        original = codes[i]
        pick = min(fitting, key=lambda c: (abs(ord(c) - ord(original)), c))
        taken.discard(original)
        taken.add(pick)
        result[cls] = pick
        low = pick
    return result


# --- spellings -----------------------------------------------------------------------------------


def _ellipsis_runs(structure: Structure) -> list[tuple[int, ...]]:
    """Runs of output classes that ``...`` can stand for: kept, once per term, a right-aligned suffix."""
    runs = []
    out = structure.output
    for start in range(len(out)):
        for stop in range(start + 1, len(out) + 1):
            run = out[start:stop]
            if _ellipsis_fits(structure, run):
                runs.append(run)
    return runs


def _ellipsis_fits(structure: Structure, run: tuple[int, ...]) -> bool:
    members = set(run)
    for op in structure.axes:
        inside = [i for i, c in enumerate(op) if c in members]
        if not inside:
            continue
        block = tuple(op[i] for i in inside)
        if inside != list(range(inside[0], inside[0] + len(inside))):
            return False
        if block != run[len(run) - len(block) :]:
            return False
    return True


def spell(
    structure: Structure,
    letters: dict[int, str],
    run: tuple[int, ...],
    answer: Form,
    implicit: bool,
) -> Form | None:
    """The structure written with ``letters`` and ``...`` for the classes in ``run``, explicit or arrowless."""
    members = set(run)
    terms = []
    for op in structure.axes:
        tokens: list[str] = []
        placed = False
        for cls in op:
            if cls in members:
                if not placed:
                    tokens.append(ELLIPSIS)
                    placed = True
                continue
            tokens.append(letters[cls])
        terms.append(tuple(tokens))
    out: list[str] = []
    placed = False
    for cls in structure.output:
        if cls in members:
            if not placed:
                out.append(ELLIPSIS)
                placed = True
            continue
        out.append(letters[cls])
    if implicit:
        form = Form(tuple(terms), None)
        axes = [[letters[c] if c not in members else f"...{run.index(c)}" for c in op] for op in structure.axes]
        want = [letters[c] if c not in members else f"...{run.index(c)}" for c in structure.output]
        if output_labels(form, axes) != want:
            return None
        return form
    return Form(tuple(terms), tuple(out))


def distance(a: Sequence[str], b: Sequence[str]) -> int:
    """Levenshtein distance over tokens (rapidfuzz's, which takes any sequences of hashable items)."""
    return int(Levenshtein.distance(a, b))


def _first_difference(a: Sequence[str], b: Sequence[str]) -> int:
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


WILDCARD = "?"
"""An axis the learner's term does not name (a term with too few letters): no letter to keep there."""


def readings(answer: Form, shapes: Sequence[tuple[int, ...]]) -> list[Form]:
    """The answer, or when a term has too many or too few letters for its operand, the ways to read it
    with one letter per axis (a letter dropped; unnamed axes at the start or at the end)."""
    if len(answer.terms) != len(shapes):
        return []
    options: list[list[tuple[str, ...]]] = []
    for term, shape in zip(answer.terms, shapes):
        letters = [t for t in term if t != ELLIPSIS]
        extra = len(shape) - len(letters)
        if extra >= 0 and (extra == 0 or ELLIPSIS in term):
            options.append([term])
        elif extra > 0:
            pad = tuple(f"{WILDCARD}{i}" for i in range(extra))
            options.append([pad + term, term + pad])
        elif extra == -1 and ELLIPSIS not in term and len(term) <= 8:
            options.append([term[:i] + term[i + 1 :] for i in range(len(term))])
        else:
            return []
    found: list[Form] = []
    for terms in itertools.product(*options):
        found.append(Form(tuple(terms), answer.output))
        if len(found) >= 16:
            break
    return found


def candidates(puzzle: Puzzle, answer: Form) -> list[Form]:
    """Every candidate fix, closest first."""
    shapes = puzzle.argument_shapes()
    found: dict[Form, tuple[int, int, str]] = {}
    for reading in readings(answer, shapes):
        _candidates(puzzle, answer, reading, shapes, found)
    return sorted(found, key=lambda f: found[f])


def _candidates(
    puzzle: Puzzle,
    answer: Form,
    reading: Form,
    shapes: Sequence[tuple[int, ...]],
    found: dict[Form, tuple[int, int, str]],
) -> None:
    axes = axis_labels(reading, shapes)
    if axes is None:
        return
    answer_out = output_labels(reading, axes) if reading.output is not None else None
    uses_ellipsis = any(ELLIPSIS in t for t in (*answer.terms, answer.output or ()))
    tokens = answer.tokens
    for structure in structures(puzzle):
        runs: list[tuple[int, ...]] = [()]
        if uses_ellipsis:
            # '...' for the axes the learner's '...' covers, or for a run overlapping them.
            covered = {
                cls
                for op_classes, op_axes in zip(structure.axes, axes)
                for cls, label in zip(op_classes, op_axes)
                if label.startswith("...")
            }
            runs += [run for run in _ellipsis_runs(structure) if covered & set(run)]
        for run in runs:
            assigned = assign_letters(structure, axes, answer_out, frozenset(run))
            if assigned is None:
                continue
            letters, first = assigned
            spellings: list[Form | None] = []
            if puzzle.implicit_only:
                sorted_letters = sort_letters(structure, letters, frozenset(run), first)
                if sorted_letters is not None:
                    spellings.append(spell(structure, sorted_letters, run, answer, implicit=True))
            else:
                spellings.append(spell(structure, letters, run, answer, implicit=False))
                if answer.output is None:
                    spellings.append(spell(structure, letters, run, answer, implicit=True))
            for form in spellings:
                if form is None or form == answer:
                    continue
                key = (distance(tokens, form.tokens), -_first_difference(tokens, form.tokens), form.text)
                if form not in found or key < found[form]:
                    found[form] = key


@dataclass(frozen=True)
class Fix:
    answer: Form
    """The learner's answer as it was read (after replacing look-alike symbols)."""
    fix: Form
    symbols: tuple[tuple[str, str], ...] = ()
    repairs: tuple[tuple[str, str], ...] = ()
    """Edits of the text, made after ``symbols``, that turned it into ``answer`` (see ``repair.py``):
    (old, new), where ``old`` occurs once in the text they apply to."""


def find_fix(
    puzzle: Puzzle, answer: str, accepts: Callable[[str], bool], permutation: Sequence[int] | None = None
) -> Fix | None:
    """The closest candidate that ``accepts`` (the grader) takes; None when there is none.

    ``permutation``: for an answer whose output is the target with its axes permuted
    (``np.transpose(out, permutation)`` gives the target), its own output letters in that order are a
    candidate too (it finds ``->lk`` where a symmetric target would otherwise need letters renamed)."""
    if puzzle.kind != "subscript" or not isinstance(answer, str):
        return None
    text, symbols = normalize(answer)
    try:
        form = Form.of(parse(text))
    except EinsumError:
        return None
    if symbols and accepts(form.text):
        return Fix(form, form, tuple(symbols))
    found = candidates(puzzle, form)
    reordered = _reordered(form, puzzle, permutation)
    if reordered is not None and reordered not in found:
        tokens = form.tokens
        keys = {
            f: (distance(tokens, f.tokens), -_first_difference(tokens, f.tokens), f.text)
            for f in [reordered, *found[:MAX_VERIFIED]]
        }
        found = sorted(keys, key=lambda f: keys[f])
    for candidate in found[:MAX_VERIFIED]:
        if accepts(candidate.text):
            return Fix(form, candidate, tuple(symbols))
    return None


def _reordered(form: Form, puzzle: Puzzle, permutation: Sequence[int] | None) -> Form | None:
    """The answer with its output letters put in the target's order (explicit letters only)."""
    if permutation is None or puzzle.implicit_only or ELLIPSIS in (form.output or ()):
        return None
    if any(ELLIPSIS in term for term in form.terms):
        return None
    axes = axis_labels(form, puzzle.argument_shapes())
    if axes is None:
        return None
    out = output_labels(form, axes)
    if len(out) != len(permutation):
        return None
    return Form(form.terms, tuple(out[i] for i in permutation))
