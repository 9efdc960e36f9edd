"""Name a learner's mistake by comparing their subscript with its fix, axis by axis.

The fix (``fix.find_fix``) is an accepted subscript in the learner's own letters, so every statement
made here about "the target" is a statement about an answer the grader has accepted. Both subscripts
put one label on every axis of every operand; reading them side by side gives a relation between the
learner's labels and the fix's. A fix label spread over several learner labels is a tie the learner
did not make; a learner label spread over several fix labels is a tie the target does not have; a
label kept by one and summed by the other is named; ``...`` that cannot stay says why (it cannot be
summed, take a diagonal, be tied to a letter, or change the order of its axes).

The instructions are the edits that turn the answer into the fix, term by term, then the output:
following all of them gives the fix, which the grader has accepted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .fix import ELLIPSIS, Fix, Form, axis_labels, output_labels

ORDER_REASON = "The output has the right axes in another order."
Place = tuple[str, int, int]
"""(operand name, operand index, axis)"""


@dataclass
class Advice:
    reasons: list[str] = field(default_factory=list)
    """What is wrong, in the learner's letters (each sentence true of the fix the grader accepted)."""
    instructions: list[str] = field(default_factory=list)
    """The edits, in order, that turn the answer into the fix."""

    def text(self) -> str:
        parts = list(self.reasons)
        if self.instructions:
            steps = (
                self.instructions[0]
                if len(self.instructions) == 1
                else ("; ".join(self.instructions[:-1]) + "; and " + self.instructions[-1])
            )
            parts.append(f"To fix it: {steps}.")
        return " ".join(parts)


def _where(places: Sequence[Place]) -> str:
    parts = [f"{name}'s axis {axis}" for name, _, axis in places]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _show(label: str) -> str:
    return "'...'" if label.startswith("...") else f"'{label}'"


def _quote_text(text: str) -> str:
    return f'"{text}"' if "'" in text else f"'{text}'"


def _quote_term(tokens: Sequence[str]) -> str:
    return "'" + "".join(tokens) + "'"


def advise(fix: Fix, shapes: Sequence[tuple[int, ...]], names: Sequence[str]) -> Advice:
    """Reasons and instructions for turning ``fix.answer`` into ``fix.fix``."""
    advice = Advice()
    answer, target = fix.answer, fix.fix
    a_axes = axis_labels(answer, shapes)
    f_axes = axis_labels(target, shapes)
    if a_axes is not None and f_axes is not None:
        advice.reasons.extend(_reasons(answer, target, a_axes, f_axes, names))
    advice.instructions.extend(_instructions(fix, names))
    if target.output is None and f_axes is not None and answer.terms != target.terms and advice.instructions:
        labels = output_labels(target, f_axes)
        out = ("..." if any(label.startswith("...") for label in labels) else "") + "".join(
            label for label in labels if not label.startswith("...")
        )
        advice.instructions[-1] += f", so that the sorted output letters are '{out}'"
    return advice


def _reasons(
    answer: Form, target: Form, a_axes: list[list[str]], f_axes: list[list[str]], names: Sequence[str]
) -> list[str]:
    reasons: list[str] = []
    f_to_a: dict[str, list[str]] = {}
    a_to_f: dict[str, list[str]] = {}
    places_f: dict[str, list[Place]] = {}
    places_a: dict[str, list[Place]] = {}
    for index, (a_op, f_op) in enumerate(zip(a_axes, f_axes)):
        for axis, (a, f) in enumerate(zip(a_op, f_op)):
            place = (names[index], index, axis)
            if a not in f_to_a.setdefault(f, []):
                f_to_a[f].append(a)
            if f not in a_to_f.setdefault(a, []):
                a_to_f[a].append(f)
            places_f.setdefault(f, []).append(place)
            places_a.setdefault(a, []).append(place)
    a_out = output_labels(answer, a_axes)
    f_out = output_labels(target, f_axes)

    for f, learned in f_to_a.items():
        if len(learned) < 2:
            continue
        operands = {index for _, index, _ in places_f[f]}
        joined = " and ".join(_show(a) for a in learned)
        if len(operands) == 1:
            what = f"In the target, {_where(places_f[f])} are tied (it takes their diagonal)"
        else:
            what = f"In the target, {_where(places_f[f])} are one axis (it multiplies along it)"
        sentence = f"{what}, but you gave them different labels: {joined}."
        if any(a.startswith("...") for a in learned):
            sentence += " An axis under '...' cannot be tied to a lettered axis or take a diagonal: it needs a letter."
        reasons.append(sentence)

    for a, targets in a_to_f.items():
        if len(targets) < 2:
            continue
        groups = [[p for p in places_a[a] if p in places_f[f]] for f in targets]
        if all(len(group) == 1 for group in groups):
            operands = {index for _, index, _ in places_a[a]}
            effect = "which takes a diagonal" if len(operands) == 1 else "which ties them into one axis"
            reasons.append(
                f"You used {_show(a)} for {_where(places_a[a])}, {effect}; the target keeps these axes separate."
            )
        else:
            described = [
                " with ".join(f"{name}'s axis {axis}" for name, _, axis in group)
                if len(group) > 1
                else f"{_where(group)} on its own"
                for group in groups
            ]
            reasons.append(
                f"You used {_show(a)} for {_where(places_a[a])}, but the target has {len(groups)} separate axes "
                f"there: {'; '.join(described)}."
            )

    named = {label for op in a_axes for label in op}
    outputs_known = all(label in named for label in a_out)
    for a, targets in a_to_f.items():
        if not outputs_known or len(targets) != 1 or len(f_to_a[targets[0]]) != 1:
            continue
        f = targets[0]
        kept_a, kept_f = a in a_out, f in f_out
        if kept_a and not kept_f:
            if a.startswith("..."):
                reasons.append(
                    f"The target sums over {_where(places_a[a])}, and numpy's einsum cannot sum the axes under "
                    "'...': to sum over an axis, name it with a letter and leave that letter out of the output."
                )
            else:
                reasons.append(f"You kept {_show(a)} in the output, but the target sums over it.")
        elif kept_f and not kept_a:
            if a.startswith("..."):
                reasons.append(
                    f"The target keeps {_where(places_a[a])}, which your '...' stands for: numpy's einsum needs "
                    "'...' in the output when the inputs have it."
                )
            else:
                reasons.append(f"You summed over {_show(a)}, but the target keeps it.")

    if not reasons and outputs_known:
        # Same ties and sums: the output order differs, or '...' cannot keep the order it needs.
        moved = _ellipsis_reordered(a_axes, f_axes, a_out, f_out, places_a)
        if moved:
            need = "needs a letter of its own" if len(moved) == 1 else "need letters of their own"
            reasons.append(
                f"'...' keeps the axes it stands for together and in their order, so {_where(moved)} {need} to move."
            )
        elif [a_to_f[a][0] for a in a_out if a in a_to_f] != list(f_out):
            reasons.append(ORDER_REASON)
    return reasons


def _ellipsis_reordered(
    a_axes: list[list[str]],
    f_axes: list[list[str]],
    a_out: list[str],
    f_out: list[str],
    places_a: dict[str, list[Place]],
) -> list[Place]:
    """Axes under the answer's '...' that the fix writes with a letter (so that they can move)."""
    moved: list[Place] = []
    for a_op, f_op in zip(a_axes, f_axes):
        for a, f in zip(a_op, f_op):
            if a.startswith("...") and not f.startswith("...") and a in a_out and f in f_out:
                for place in places_a[a]:
                    if place not in moved:
                        moved.append(place)
    return moved[:1] if len(moved) > 3 else moved


def _instructions(fix: Fix, names: Sequence[str]) -> list[str]:
    answer, target = fix.answer, fix.fix
    steps = [f"write '{right}' instead of '{wrong}'" for wrong, right in fix.symbols]
    steps += [f"replace {_quote_text(old)} with {_quote_text(new)}" for old, new in fix.repairs]
    for index, (mine, theirs) in enumerate(zip(answer.terms, target.terms)):
        if mine == theirs:
            continue
        name = names[index] if index < len(names) else f"operand {index}"
        changed = [i for i, (x, y) in enumerate(zip(mine, theirs)) if x != y]
        if (
            len(mine) == len(theirs)
            and len(changed) == 1
            and ELLIPSIS not in (mine[changed[0]], theirs[changed[0]])
            and mine.count(mine[changed[0]]) == 1
        ):
            old, new = mine[changed[0]], theirs[changed[0]]
            steps.append(
                f"in {name}'s term change '{old}' to '{new}' ({_quote_term(mine)} becomes {_quote_term(theirs)})"
            )
        else:
            steps.append(f"write {name}'s term as {_quote_term(theirs)} instead of {_quote_term(mine)}")
    if answer.output != target.output:
        if answer.output is not None and target.output is not None:
            steps.append(f"write the output as '->{''.join(target.output)}' instead of '->{''.join(answer.output)}'")
        elif target.output is not None:
            steps.append(f"add '->{''.join(target.output)}' at the end, to say the output order explicitly")
        elif answer.output is not None:
            steps.append(f"remove the arrow and the output ('->{''.join(answer.output)}')")
    return steps
