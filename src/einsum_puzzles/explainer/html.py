"""The explanation as an HTML fragment: each label in its own colour, the same in every term and shape.

Markup uses classes only (``ep-label ep-c3``); the colours live in ``STYLE``. Jupyter gets the style
inline with the fragment; the web app ships the same rules in its stylesheet, so that its
Content-Security-Policy needs no inline style.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from ..contraction import Contraction, is_ellipsis_label
from .diagram import label_notes, output_line
from .naming import display
from .svg import SVG_STYLE

if TYPE_CHECKING:
    from . import Explanation

PALETTE = [
    "#1f6fb0",
    "#c4262e",
    "#117a2e",
    "#7b4fb0",
    "#b35900",
    "#0e7c86",
    "#8c564b",
    "#b8437f",
    "#666666",
    "#6b6b10",
]
"""Ten label colours, each at least 4.5:1 against white and the panel grey (readable text)."""

STYLE = (
    ".ep-explain{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;line-height:1.5}"
    ".ep-explain .ep-subscript{font-size:1.4em;letter-spacing:.05em}"
    ".ep-explain .ep-label{font-weight:bold}"
    ".ep-explain table{border-collapse:collapse;margin:.4em 0}"
    ".ep-explain td,.ep-explain th{padding:.1em .6em;text-align:left;border-bottom:1px solid #ddd}"
    ".ep-explain .ep-summed{text-decoration:underline dotted}"
    ".ep-explain pre{background:#f6f8fa;padding:.5em;overflow-x:auto}"
    ".ep-explain .ep-math{font-size:1.25em;margin:.5em 0}"
    ".ep-explain .ep-formula{overflow-x:auto;max-width:100%}"
    ".ep-explain .ep-picture{overflow-x:auto;max-width:100%}"
    + "".join(f".ep-c{i}{{color:{colour}}}" for i, colour in enumerate(PALETTE))
    + SVG_STYLE
)


def label_classes(c: Contraction) -> dict[str, str]:
    """A colour class for every label, in order of first appearance (ellipsis dimensions share one)."""
    classes: dict[str, str] = {}
    order = [label for op in c.operands for label in op.axis_labels]
    index = 0
    for label in dict.fromkeys(order):
        if is_ellipsis_label(label):
            continue
        classes[label] = f"ep-c{index % len(PALETTE)}"
        index += 1
    for label in c.ellipsis_labels:
        classes[label] = f"ep-c{index % len(PALETTE)}"
    return classes


def _label_span(label: str, classes: dict[str, str], summed: bool) -> str:
    extra = " ep-summed" if summed else ""
    return f'<span class="ep-label {classes[label]}{extra}" title="{escape(display(label))}">{escape(label)}</span>'


def coloured_subscript(c: Contraction) -> str:
    classes = label_classes(c)
    ellipsis_class = classes[c.ellipsis_labels[0]] if c.ellipsis_labels else "ep-c0"

    def term_html(labels: tuple[str, ...], ellipsis: int | None) -> str:
        parts = [_label_span(label, classes, c.roles[label].summed) for label in labels]
        if ellipsis is not None:
            parts.insert(ellipsis, f'<span class="ep-label {ellipsis_class}">...</span>')
        return "".join(parts)

    sub = c.subscript
    text = ",".join(term_html(term.labels, term.ellipsis) for term in sub.inputs)
    if sub.explicit:
        text += "-&gt;" + term_html(sub.output.labels, sub.output.ellipsis)
    return text


def render_html(explanation: Explanation, include_style: bool = True, picture: bool = True) -> str:
    c = explanation.contraction
    names = explanation.names
    classes = label_classes(c)
    rows = []
    for op in c.operands:
        cells = ", ".join(
            f"{_label_span(label, classes, c.roles[label].summed)}={size}"
            for label, size in dict(zip(op.axis_labels, op.shape)).items()
        )
        rows.append(
            f"<tr><th>{escape(names[op.index])}</th><td>{escape(op.term.text()) or '(scalar)'}</td>"
            f"<td>{op.shape}</td><td>{cells}</td></tr>"
        )
    out_cells = ", ".join(f"{_label_span(label, classes, False)}={c.sizes[label]}" for label in c.output_labels)
    rows.append(
        f"<tr><th>out</th><td>{escape(c.subscript.output.text()) or '(scalar)'}</td>"
        f"<td>{c.output_shape}</td><td>{out_cells}</td></tr>"
    )
    notes = "".join(f"<li>{escape(note)}</li>" for note in label_notes(c, explanation.display_names))
    parts = [
        f"<style>{STYLE}</style>" if include_style else "",
        '<div class="ep-explain">',
        f'<div class="ep-subscript">{coloured_subscript(c)}</div>',
        f'<p class="ep-operation">{escape(explanation.prose)}</p>',
        "<table><tr><th></th><th>term</th><th>shape</th><th>sizes</th></tr>",
        *rows,
        "</table>",
        f'<p class="ep-output">{escape(output_line(c))}</p>',
        f'<ul class="ep-notes">{notes}</ul>' if notes else "",
        f'<div class="ep-formula" title="{escape(explanation.formula)}" tabindex="0" role="region" '
        f'aria-label="formula">{explanation.mathml}</div>',
        (
            '<div class="ep-picture" tabindex="0" role="region" aria-label="picture">'
            + explanation.picture(style=include_style)
            + "</div>"
            if picture
            else ""
        ),
        (
            '<p class="ep-backend-heading">On other libraries (numpy, the reference, is not affected):</p>'
            '<ul class="ep-backend-notes">'
            + "".join(f"<li>{escape(note)}</li>" for note in explanation.backend_notes)
            + "</ul>"
        )
        if explanation.backend_notes
        else "",
        "<details><summary>loops</summary>"
        f'<pre class="ep-loops" tabindex="0">{escape(explanation.loops)}</pre></details>',
        "<details><summary>plain numpy</summary>"
        f'<pre class="ep-numpy" tabindex="0">{escape(explanation.numpy_code)}</pre></details>',
        "</div>",
    ]
    return "".join(parts)
