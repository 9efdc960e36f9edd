"""Name a learner's mistake by aligning their subscript with a reference solution, axis by axis.

Both subscripts put one label on every axis of every operand. Reading them side by side gives a
relation between the learner's labels and the reference's, whatever letters each chose. Every mistake
is a difference in that relation or in the output: a reference label split over two learner labels
(axes not tied, so an outer product instead of a multiplication), two reference labels merged into
one learner label (a diagonal or a tie the target does not have), a label kept that the target sums,
a label summed that the target keeps, or the same labels in another order. Messages use the learner's
own letters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..contraction import Contraction, is_ellipsis_label


@dataclass
class Diagnosis:
    problems: list[str] = field(default_factory=list)
    order_hint: str | None = None
    """For an output with the right labels in the wrong order: the output to write instead."""

    @property
    def score(self) -> int:
        return len(self.problems) + (1 if self.order_hint else 0)


def _axes(c: Contraction, names: Sequence[str]) -> list[tuple[str, int, int]]:
    """(operand name, operand index, axis) for every axis of every operand."""
    return [(names[op.index], op.index, axis) for op in c.operands for axis in range(op.ndim)]


def _where(places: list[tuple[str, int, int]]) -> str:
    parts = [f"{name}'s axis {axis}" for name, _, axis in places]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _show(label: str) -> str:
    return "the '...' dimensions" if is_ellipsis_label(label) else f"'{label}'"


def diagnose(learner: Contraction, reference: Contraction, names: Sequence[str]) -> Diagnosis:
    """Compare two contractions over the same operand shapes; describe the learner's differences."""
    result = Diagnosis()
    learner_of: dict[str, set[str]] = {}
    reference_of: dict[str, set[str]] = {}
    places_l: dict[str, list[tuple[str, int, int]]] = {}
    places_r: dict[str, list[tuple[str, int, int]]] = {}
    for name, index, axis in _axes(reference, names):
        r = reference.operands[index].axis_labels[axis]
        l_label = learner.operands[index].axis_labels[axis]
        learner_of.setdefault(r, set()).add(l_label)
        reference_of.setdefault(l_label, set()).add(r)
        places_l.setdefault(l_label, []).append((name, index, axis))
        places_r.setdefault(r, []).append((name, index, axis))

    for r, learned in learner_of.items():
        if len(learned) > 1:
            letters = sorted(learned)
            where = _where(places_r[r])
            joined = " and ".join(_show(x) for x in letters)
            operands = {index for _, index, _ in places_r[r]}
            action = "multiplied along that axis" if len(operands) > 1 else "tied into a diagonal"
            result.problems.append(
                f"{where} should be the same axis (they are {action} in the target), but you gave them "
                f"different letters: {joined}. Use one letter for all of them."
            )
    for l_label, referenced in reference_of.items():
        if len(referenced) > 1:
            where = _where(places_l[l_label])
            operands = {index for _, index, _ in places_l[l_label]}
            effect = "which takes a diagonal" if len(operands) == 1 else "which multiplies them along one shared axis"
            result.problems.append(
                f"you used {_show(l_label)} for {where}, {effect}; the target keeps these axes separate. "
                "Give them different letters."
            )

    # Labels that align one-to-one: compare what happens to them.
    pairs = {
        l_label: next(iter(refs))
        for l_label, refs in reference_of.items()
        if len(refs) == 1 and len(learner_of[next(iter(refs))]) == 1
    }
    learner_out = set(learner.output_labels)
    reference_out = set(reference.output_labels)
    for l_label, r in pairs.items():
        kept_l, kept_r = l_label in learner_out, r in reference_out
        if kept_l and not kept_r:
            result.problems.append(
                f"you kept {_show(l_label)} in the output, but the target sums over it: leave it out after the arrow."
            )
        elif kept_r and not kept_l:
            result.problems.append(
                f"you summed over {_show(l_label)}, but the target keeps it: write it after the arrow."
            )
    if not result.problems:
        inverse = {r: l_label for l_label, r in pairs.items()}
        if all(r in inverse for r in reference.output_labels):
            wanted = [inverse[r] for r in reference.output_labels]
            if wanted != list(learner.output_labels):
                result.order_hint = _output_text(wanted)
    return result


def _output_text(labels: Sequence[str]) -> str:
    text = ""
    in_ellipsis = False
    for label in labels:
        if is_ellipsis_label(label):
            if not in_ellipsis:
                text += "..."
            in_ellipsis = True
            continue
        in_ellipsis = False
        text += label
    return text


def best_diagnosis(learner: Contraction, references: Sequence[Contraction], names: Sequence[str]) -> Diagnosis:
    """The diagnosis against the reference solution that differs least from the learner's subscript."""
    diagnoses = [diagnose(learner, reference, names) for reference in references]
    return min(diagnoses, key=lambda d: d.score)
