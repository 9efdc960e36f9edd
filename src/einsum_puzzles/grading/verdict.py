"""The Verdict: what the grader says about an answer, as data that renders itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

VERDICT_KINDS = (
    "correct",
    "unsolved",
    "syntax",
    "operand_count",
    "rank",
    "size",
    "output",
    "shape",
    "order",
    "values",
    "rules",
    "error",
    "timeout",
)

TITLES = {
    "correct": "Correct",
    "unsolved": "Not solved yet",
    "syntax": "The subscript cannot be read",
    "operand_count": "One term per operand",
    "rank": "One letter per axis",
    "size": "Sizes do not match",
    "output": "The output is not valid",
    "shape": "Wrong shape",
    "order": "Right values, wrong axis order",
    "values": "Right shape, wrong values",
    "rules": "The puzzle's rules are not followed",
    "error": "Your code raised an error",
    "timeout": "Your code took too long",
}


@dataclass(frozen=True)
class Verdict:
    puzzle: int
    answer: str
    kind: str
    message: str
    details: tuple[str, ...] = ()
    """More lines: the diagram of what the answer computes, a traceback, the first difference."""
    expected_shape: tuple[int, ...] | None = None
    got_shape: tuple[int, ...] | None = None
    trials: int = 0
    """How many input sets the answer was compared on (the shown one and fresh draws)."""
    explanation: Any = field(default=None, compare=False, repr=False)
    """The explainer's account of the learner's own subscript, when it is a valid one."""
    fix: str | None = None
    """For a wrong subscript: the accepted subscript closest to it, in the learner's letters and under the
    puzzle's rules, checked by the grader before it is offered; None when there is no close one."""

    def __post_init__(self) -> None:
        if self.kind not in VERDICT_KINDS:
            raise ValueError(f"unknown verdict kind {self.kind!r}; expected one of {VERDICT_KINDS}")

    @property
    def correct(self) -> bool:
        return self.kind == "correct"

    @property
    def title(self) -> str:
        return TITLES[self.kind]

    def __str__(self) -> str:
        lines = [f"{'✓' if self.correct else '✗'} Puzzle {self.puzzle}: {self.title}", self.message]
        lines.extend(self.details)
        return "\n".join(line for line in lines if line)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON (CLI ``--json``, web API)."""
        return {
            "puzzle": self.puzzle,
            "answer": self.answer,
            "correct": self.correct,
            "kind": self.kind,
            "title": self.title,
            "message": self.message,
            "details": list(self.details),
            "expected_shape": list(self.expected_shape) if self.expected_shape is not None else None,
            "got_shape": list(self.got_shape) if self.got_shape is not None else None,
            "trials": self.trials,
            "fix": self.fix,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Verdict:
        """The verdict ``to_dict`` gave (without ``explanation``, which is not data)."""
        expected, got = data["expected_shape"], data["got_shape"]
        return cls(
            puzzle=int(data["puzzle"]),
            answer=str(data["answer"]),
            kind=str(data["kind"]),
            message=str(data["message"]),
            details=tuple(str(line) for line in data["details"]),
            expected_shape=None if expected is None else tuple(int(n) for n in expected),
            got_shape=None if got is None else tuple(int(n) for n in got),
            trials=int(data["trials"]),
            fix=None if data["fix"] is None else str(data["fix"]),
        )

    def _repr_html_(self) -> str:
        from html import escape

        colour = "#1a7f37" if self.correct else "#cf222e"
        details = "".join(f"<pre>{escape(line)}</pre>" for line in self.details)
        explanation = ""
        if self.explanation is not None and not self.correct:
            explanation = f"<details><summary>What your subscript computes</summary>{self.explanation.html()}</details>"
        return (
            f'<div class="ep-verdict ep-{escape(self.kind)}">'
            f'<strong style="color:{colour}">{"✓" if self.correct else "✗"} Puzzle {self.puzzle}: '
            f"{escape(self.title)}</strong>"
            f"<p>{escape(self.message)}</p>{details}{explanation}</div>"
        )
