"""The annotated diagram: the subscript, a connector from each term to a line about its operand.

ij,jk->ik
│  │    │
│  │    └── output: (2, 4); i=2, k=4
│  └─────── b.shape = (3, 4); j=3, k=4
└────────── a.shape = (2, 3); i=2, j=3
            j is in a and b: they are multiplied along j
            j is not in the output: it is summed over
"""

from __future__ import annotations

from collections.abc import Sequence

from ..contraction import Contraction, Operand, is_ellipsis_label
from .naming import join, order_text


def display_text(contraction: Contraction) -> tuple[str, list[int], int | None]:
    """The subscript as shown (no spaces, ``->`` only when written), each term's column, the output's."""
    sub = contraction.subscript
    columns: list[int] = []
    text = ""
    for index, term in enumerate(sub.inputs):
        if index:
            text += ","
        columns.append(len(text))
        text += term.text()
    if not sub.explicit:
        return text, columns, None
    text += "->"
    output_column = len(text) if sub.output.labels or sub.output.has_ellipsis else len(text) - 1
    text += sub.output.text()
    return text, columns, output_column


def sizes_text(labels: Sequence[str], shape: Sequence[int], full: dict[str, int]) -> str:
    """``i=2, j=3`` with the ellipsis part as ``...=(5, 1)`` and size-1 broadcasts marked."""
    parts: list[str] = []
    ellipsis = tuple(size for label, size in zip(labels, shape) if is_ellipsis_label(label))
    seen: set[str] = set()
    ellipsis_written = False
    for label, size in zip(labels, shape):
        if is_ellipsis_label(label):
            if not ellipsis_written:
                parts.append(f"...={ellipsis}")
                ellipsis_written = True
            continue
        if label in seen:
            continue
        seen.add(label)
        note = f" (broadcast to {full[label]})" if size == 1 and full[label] != 1 else ""
        parts.append(f"{label}={size}{note}")
    return ", ".join(parts)


def operand_line(op: Operand, name: str, full: dict[str, int]) -> str:
    if not op.shape:
        return f"{name}.shape = (); a scalar (0-d)"
    sizes = sizes_text(op.axis_labels, op.shape, full)
    return f"{name}.shape = {op.shape}" + (f"; {sizes}" if sizes else "")


def output_line(contraction: Contraction) -> str:
    c = contraction
    if not c.output_shape:
        return "output: (); a scalar"
    return f"output: {c.output_shape}; {sizes_text(c.output_labels, c.output_shape, dict(c.sizes))}"


def label_notes(contraction: Contraction, names: Sequence[str]) -> list[str]:
    """One sentence per thing that happens to a label, in order of first appearance."""
    c = contraction
    notes: list[str] = []
    order = dict.fromkeys(label for op in c.operands for label in op.axis_labels)
    letters = [label for label in order if not is_ellipsis_label(label)]
    for label in letters:
        role = c.roles[label]
        for index in role.diagonal:
            notes.append(f"'{label}' is repeated in {names[index]}: only its diagonal is used")
        if role.shared:
            who = join([names[i] for i in role.operands])
            notes.append(f"'{label}' is in {who}: they are multiplied along '{label}'")
        for index in role.broadcast:
            notes.append(
                f"'{label}' has size 1 in {names[index]}: "
                f"{names[index]} is repeated along '{label}' to size {role.size}"
            )
        if role.summed:
            notes.append(f"'{label}' is not in the output: it is summed over")
    ellipsis_ops = [op for op in c.operands if op.term.has_ellipsis]
    if c.ellipsis_labels and len(ellipsis_ops) > 1:
        shapes = join([str(op.ellipsis_shape) for op in ellipsis_ops])
        notes.append(
            f"the ... dimensions broadcast like numpy, aligned from the right: {shapes} give {c.ellipsis_shape}"
        )
    if not c.subscript.explicit:
        out = c.subscript.output.text()
        notes.append(f"no arrow: the output is every label used exactly once, sorted (uppercase first): '->{out}'")
    if not notes:
        inputs = list(c.operands[0].axis_labels) if len(c.operands) == 1 else []
        if inputs and list(c.output_labels) != inputs:
            notes.append(f"nothing is summed: the axes are reordered to ({order_text(c.output_labels)})")
        elif inputs:
            notes.append("nothing is summed or reordered: the output is the operand itself")
    return notes


def diagram(contraction: Contraction, names: Sequence[str], display: Sequence[str] | None = None) -> str:
    """The annotated subscript; ``display`` names the operands in the notes (default: ``names``)."""
    text, columns, output_column = display_text(contraction)
    full = dict(contraction.sizes)
    rows: list[tuple[int, str]] = [
        (column, operand_line(op, names[op.index], full)) for column, op in zip(columns, contraction.operands)
    ]
    if output_column is not None:
        rows.append((output_column, output_line(contraction)))
    all_columns = [column for column, _ in rows]
    text_column = max(all_columns) + 4
    lines = [text, _bars(all_columns, text_column)]
    for turn in sorted(all_columns, reverse=True):
        message = next(line for column, line in rows if column == turn)
        bar_line = _bars([c for c in all_columns if c < turn], turn)
        lines.append(bar_line + "└" + "─" * (text_column - turn - 2) + " " + message)
    pad = " " * text_column
    if output_column is None:
        lines.append(pad + output_line(contraction))
    lines.extend(pad + note for note in label_notes(contraction, display or names))
    return "\n".join(line.rstrip() for line in lines)


def _bars(columns: Sequence[int], width: int) -> str:
    row = [" "] * width
    for column in columns:
        if column < width:
            row[column] = "│"
    return "".join(row)
