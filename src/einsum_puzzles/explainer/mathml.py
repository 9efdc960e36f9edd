"""The formula as MathML (browsers draw it natively): ``out_{ik} = Σ_j a_{ij} b_{jk}``, labels in colour.

Markup uses classes only (``ep-label ep-c3``), like the rest of the HTML fragment.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from ..contraction import Contraction, is_ellipsis_label


def _label(label: str, classes: dict[str, str]) -> str:
    text = "…" if is_ellipsis_label(label) else label
    return f'<mi class="ep-label {classes[label]}" mathvariant="normal">{escape(text)}</mi>'


def _indexed(name: str, labels: Sequence[str], classes: dict[str, str]) -> str:
    shown = list(dict.fromkeys(labels)) if any(is_ellipsis_label(lb) for lb in labels) else list(labels)
    base = f'<mi mathvariant="normal">{escape(name)}</mi>' if len(name) == 1 else f"<mi>{escape(name)}</mi>"
    if not shown:
        return base
    # ellipsis dimensions are written once, as …
    seen_ellipsis = False
    subscript = []
    for label in shown:
        if is_ellipsis_label(label):
            if seen_ellipsis:
                continue
            seen_ellipsis = True
        subscript.append(_label(label, classes))
    return f"<msub>{base}<mrow>{''.join(subscript)}</mrow></msub>"


def mathml(c: Contraction, names: Sequence[str], classes: dict[str, str]) -> str:
    """``<math>`` for the formula; the summed labels under a Σ."""
    factors = "<mo>&#x22C5;</mo>".join(_indexed(names[op.index], op.axis_labels, classes) for op in c.operands)
    summed = c.summed_labels
    sigma = ""
    if summed:
        under = "<mo>,</mo>".join(_label(label, classes) for label in summed)
        sigma = f"<munder><mo>&#x2211;</mo><mrow>{under}</mrow></munder>"
    return (
        f'<math display="block" class="ep-math">'
        f"<mrow>{_indexed('out', c.output_labels, classes)}<mo>=</mo>{sigma}<mrow>{factors or '<mn>1</mn>'}</mrow>"
        "</mrow></math>"
    )
