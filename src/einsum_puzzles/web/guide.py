"""What the pages show around the puzzles: where the learner is in the course, and the explanation
that goes with a verdict."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from .. import curriculum
from ..curriculum.model import Puzzle
from ..errors import EinsumError
from ..explainer import explain
from ..grading.verdict import Verdict


def course_progress(solved: Collection[int]) -> dict[str, Any]:
    """Per section: solved count, total and percent; the first unsolved puzzle in course order."""
    sections = []
    for section in curriculum.sections():
        if not section.puzzles:
            continue
        done = sum(1 for p in section.puzzles if p.id in solved)
        total = len(section.puzzles)
        sections.append(
            {
                "section": section,
                "done": done,
                "total": total,
                "percent": round(100 * done / total),
            }
        )
    order = curriculum.puzzles()
    upcoming = next((p for p in order if p.id not in solved), None)
    return {"course": sections, "continue_puzzle": upcoming, "started": bool(solved)}


def puzzle_operands(p: Puzzle) -> list[Any]:
    """The einsum arguments of a puzzle's shown example (an input passed twice appears twice)."""
    inputs = p.inputs()
    return [inputs[i] for i in p.argument_indices]


def verdict_explanation(p: Puzzle, answer: str, verdict: Verdict) -> str | None:
    """What the learner's own subscript computes on the puzzle's operands (HTML), for a wrong but
    valid subscript; None when there is nothing to explain."""
    if p.kind != "subscript" or verdict.correct or verdict.kind == "unsolved":
        return None
    try:
        return explain(answer, *puzzle_operands(p), names=p.argument_names).html(include_style=False)
    except (EinsumError, ValueError):
        return None
