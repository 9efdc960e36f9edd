"""The course: sections in order, each with its lesson, puzzles and questions; the cheatsheet.

Content is data (``catalog.py``, ``quiz.py``, ``cheats.py``, ``lessons/*.md``); this module
only assembles it. Nothing here imports an interface.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from .catalog import CODE_PUZZLES, PUZZLES
from .model import Puzzle, Section, parse_example, worked_examples

if TYPE_CHECKING:
    from .cheats import CheatEntry
    from .quiz import Question, ShapeQuestion

LESSONS = Path(__file__).with_name("lessons")

__all__ = [
    "Puzzle",
    "Section",
    "UnknownPuzzle",
    "cheatsheet",
    "parse_example",
    "puzzle",
    "puzzles",
    "questions",
    "section",
    "sections",
    "shape_questions",
    "use_course",
    "worked_examples",
]

SECTION_FILES: tuple[tuple[str, str], ...] = (
    ("identity", "01-identity.md"),
    ("multiplication", "02-multiplication.md"),
    ("summation", "03-summation.md"),
    ("axis-sums", "04-axis-sums.md"),
    ("diagonal", "05-diagonal.md"),
    ("broadcasting", "06-broadcasting.md"),
    ("outer", "07-outer.md"),
    ("permutation", "08-permutation.md"),
    ("matmul", "09-matmul.md"),
    ("implicit", "10-implicit.md"),
    ("ellipsis", "11-ellipsis.md"),
    ("attention-head", "12-attention-head.md"),
    ("multi-head", "13-multi-head.md"),
    ("beyond", "14-beyond.md"),
    ("from-numpy", "15-from-numpy.md"),
    ("cost", "16-cost.md"),
    ("dtype-views", "17-dtype-views.md"),
    ("limits", "18-limits.md"),
)


_override: tuple[Section, ...] | None = None


def use_course(course: tuple[Section, ...] | None) -> None:
    """Replace the built-in course (tests use a small fixture course); ``None`` restores it."""
    global _override
    _override = course
    _by_id.cache_clear()


class UnknownPuzzle(LookupError):
    """Asked for a puzzle number that does not exist; the message lists the valid ones."""


def sections() -> tuple[Section, ...]:
    return _override if _override is not None else _builtin_sections()


@cache
def _builtin_sections() -> tuple[Section, ...]:
    from .quiz import QUESTIONS, SHAPE_QUESTIONS

    all_puzzles = sorted(PUZZLES + CODE_PUZZLES, key=lambda p: p.id)
    built = []
    for section_id, filename in SECTION_FILES:
        text = (LESSONS / filename).read_text(encoding="utf-8")
        title = text.splitlines()[0].lstrip("# ").strip()
        built.append(
            Section(
                id=section_id,
                title=title,
                lesson=text,
                puzzles=tuple(p for p in all_puzzles if p.section == section_id),
                questions=tuple(q for q in QUESTIONS if q.section == section_id),
                shape_questions=tuple(q for q in SHAPE_QUESTIONS if q.section == section_id),
            )
        )
    return tuple(built)


def section(section_id: str) -> Section:
    for candidate in sections():
        if candidate.id == section_id:
            return candidate
    known = ", ".join(s.id for s in sections())
    raise LookupError(f"no section {section_id!r}; the sections are: {known}")


def puzzles() -> list[Puzzle]:
    """Every puzzle in course order (section by section)."""
    return [p for s in sections() for p in s.puzzles]


@cache
def _by_id() -> dict[int, Puzzle]:
    # Straight from the data: looking up one puzzle needs no lessons or questions.
    if _override is not None:
        return {p.id: p for s in _override for p in s.puzzles}
    return {p.id: p for p in PUZZLES + CODE_PUZZLES}


def puzzle(number: int) -> Puzzle:
    try:
        return _by_id()[int(number)]
    except (KeyError, ValueError, TypeError):
        ids = sorted(_by_id())
        raise UnknownPuzzle(f"there is no puzzle {number!r}; puzzles are numbered {ids[0]} to {ids[-1]}") from None


def questions() -> tuple[Question, ...]:
    from .quiz import QUESTIONS

    return QUESTIONS


def shape_questions() -> tuple[ShapeQuestion, ...]:
    from .quiz import SHAPE_QUESTIONS

    return SHAPE_QUESTIONS


def cheatsheet() -> tuple[CheatEntry, ...]:
    from .cheats import CHEATSHEET

    return CHEATSHEET
