"""The explanation as a picture: an ``<svg>`` computed from the contraction.

Two parts, both drawn from the same data as the text renderings:

* the cells (when every operand and the output are small: at most 3-D and 64 cells): each operand is
  a grid of its values, the output grid beside them. Every output cell is focusable; choosing it
  (hover, tap, keyboard focus) highlights every input cell that appears in a term of its sum and shows
  the sum written out with the numbers. The highlighting is plain CSS (``:has``), so it works in the
  web app under a strict Content-Security-Policy, in Jupyter and in a saved file, with no script.
  Each input cell carries the classes ``ep-f{k}`` of the output cells (numbered in C order) it feeds.
* the tensor network (any einsum): one node per operand, one edge per label; a label shared by several
  operands joins them; an output label ends open at the bottom in output order; a summed label meets
  in a dashed ring marked Σ. Labels have the same colours as in the HTML and the terminal.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

import numpy as np

from ..contraction import Contraction, is_ellipsis_label
from .naming import display

MAX_CELLS = 64
"""Largest operand (and output) drawn as cells; also the number of output-cell CSS rules."""
MAX_NDIM = 3
MAX_TERMS = 4096
"""Most loop terms (all output cells together) drawn as cells; past that only the network is drawn."""
CELL = 34
HIGHLIGHT = "#ffd33d"

Index = tuple[int, ...]
Cell = tuple[int, Index]
"""(operand number, index in that operand)."""


def label_colours(c: Contraction, palette: Sequence[str]) -> dict[str, str]:
    """The colour of every label, in order of first appearance (as ``html.label_classes``)."""
    colours: dict[str, str] = {}
    order = [label for op in c.operands for label in op.axis_labels]
    index = 0
    for label in dict.fromkeys(order):
        if is_ellipsis_label(label):
            continue
        colours[label] = palette[index % len(palette)]
        index += 1
    for label in c.ellipsis_labels:
        colours[label] = palette[index % len(palette)]
    return colours


def drawable(c: Contraction) -> bool:
    """Whether the cells are drawn: small operands and output, a bounded number of loop terms."""
    shapes = [*c.shapes, c.output_shape]
    if any(len(shape) > MAX_NDIM or math.prod(shape) > MAX_CELLS or 0 in shape for shape in shapes):
        return False
    terms = math.prod(c.output_shape) * math.prod(c.sizes[label] for label in c.summed_labels)
    return terms <= MAX_TERMS


def terms(c: Contraction, out_index: Index) -> list[tuple[Cell, ...]]:
    """The terms of the sum for one output cell, in loop order: each term is the input cells multiplied."""
    fixed = dict(zip(c.output_labels, out_index))
    summed = c.summed_labels
    found = []
    for values in itertools.product(*(range(c.sizes[label]) for label in summed)):
        at = {**fixed, **dict(zip(summed, values))}
        found.append(
            tuple(
                (op.index, tuple(at[label] if size != 1 else 0 for label, size in zip(op.axis_labels, op.shape)))
                for op in c.operands
            )
        )
    return found


def example_arrays(c: Contraction) -> list[np.ndarray]:
    """Small whole numbers (1 to 5) to show when only shapes are known; the same for the same shapes."""
    arrays = []
    for op in c.operands:
        rng = np.random.default_rng(op.index + 7 * len(op.shape))
        arrays.append(rng.integers(1, 6, size=op.shape))
    return arrays


def number(value: Any) -> str:
    value = value.item() if hasattr(value, "item") else value
    if isinstance(value, (bool, np.bool_)):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, complex):
        return f"{value:.3g}"
    as_float = float(value)
    if as_float.is_integer() and abs(as_float) < 1e6:
        return str(int(as_float))
    return f"{as_float:.3g}"


def _factor(value: Any) -> str:
    text = number(value)
    return f"({text})" if text.startswith("-") else text


def sum_text(c: Contraction, out_index: Index, arrays: Sequence[Any], result: Any) -> str:
    """``out[1,2] = 4·1 + 1·5 = 9`` (long sums keep their first terms and say how many there are)."""
    left = "out[" + ",".join(map(str, out_index)) + "]" if out_index else "out"
    found = terms(c, out_index)
    products = ["·".join(_factor(np.asarray(arrays[op])[index]) for op, index in term) for term in found]
    if len(products) > 8:
        products = [*products[:6], f"… ({len(found)} terms)"]
    right = " + ".join(products) if products else "0"
    return f"{left} = {right} = {number(np.asarray(result)[out_index])}"


@dataclass
class _Block:
    """One grid (operand or output) laid out at the origin; ``width``/``height`` in pixels."""

    parts: list[str]
    width: int
    height: int


def _grid(
    title: list[tuple[str, str | None]],
    array: np.ndarray,
    labels: Sequence[str],
    cell_markup: Any,
) -> _Block:
    """Cells of a 0-3-D array; a 3-D one as slices side by side. ``cell_markup(index, x, y)`` draws one cell."""
    shape = array.shape
    if len(shape) == 3:
        slices, rows, cols = shape
    elif len(shape) == 2:
        slices, rows, cols = 1, shape[0], shape[1]
    elif len(shape) == 1:
        slices, rows, cols = 1, 1, shape[0]
    else:
        slices, rows, cols = 1, 1, 1
    top = 38 if len(shape) == 3 else 20
    left = 18
    gap = 16
    parts = [
        '<text x="0" y="14" class="ep-grid-title">'
        + "".join(f'<tspan fill="{colour}">{escape(t)}</tspan>' if colour else escape(t) for t, colour in title)
        + "</text>"
    ]
    for s in range(slices):
        x0 = left + s * (cols * CELL + gap)
        if len(shape) == 3:
            parts.append(f'<text x="{x0}" y="{top - 4}" class="ep-axis">{escape(display(labels[0]))}={s}</text>')
        for r in range(rows):
            if len(shape) >= 2:
                parts.append(
                    f'<text x="{x0 - 4}" y="{top + 6 + r * CELL + CELL // 2}" class="ep-axis" '
                    f'text-anchor="end">{r}</text>'
                )
            for col in range(cols):
                if len(shape) == 3:
                    index: Index = (s, r, col)
                elif len(shape) == 2:
                    index = (r, col)
                elif len(shape) == 1:
                    index = (col,)
                else:
                    index = ()
                parts.append(cell_markup(index, x0 + col * CELL, top + 6 + r * CELL))
    width = max(left + slices * cols * CELL + (slices - 1) * gap + 4, 8 * sum(len(t) for t, _ in title))
    height = top + 6 + rows * CELL + 6
    return _Block(parts, width, max(height, 60))


def _title(name: str, labels: Sequence[str], colours: dict[str, str], shape: Index) -> list[tuple[str, str | None]]:
    words: list[tuple[str, str | None]] = [(name, None)]
    if labels:
        words.append(("[", None))
        for i, label in enumerate(labels):
            if i:
                words.append((", ", None))
            words.append((display(label), colours[label]))
        words.append(("]", None))
    words.append((f"  {shape}" if shape else "  scalar", None))
    return words


def _cells(
    c: Contraction, names: Sequence[str], arrays: Sequence[Any], colours: dict[str, str], invented: bool
) -> tuple[list[str], int, int]:
    """The grids part: markup, width, height."""
    result = np.einsum(c.subscript.text, *[np.asarray(a) for a in arrays])
    out_cells = list(np.ndindex(*c.output_shape)) if c.output_shape else [()]
    feeds: dict[Cell, list[int]] = {}
    sums = []
    for k, out_index in enumerate(out_cells):
        for term in terms(c, out_index):
            for cell in term:
                if k not in feeds.setdefault(cell, []):
                    feeds[cell].append(k)
        sums.append(sum_text(c, out_index, arrays, result))

    blocks: list[_Block] = []
    for op in c.operands:
        array = np.asarray(arrays[op.index])

        def input_cell(index: Index, x: int, y: int, op_index: int = op.index, array: np.ndarray = array) -> str:
            classes = " ".join(f"ep-f{k}" for k in feeds.get((op_index, index), []))
            return (
                f'<g class="ep-cell {classes}" data-operand="{op_index}" data-index="{",".join(map(str, index))}">'
                f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" fill="#ffffff" stroke="#8c959f"/>'
                f'<text x="{x + CELL // 2}" y="{y + CELL // 2 + 4}" text-anchor="middle">'
                f"{escape(number(array[index]))}</text></g>"
            )

        title = _title(names[op.index], op.axis_labels, colours, op.shape)
        blocks.append(_grid(title, array, op.axis_labels, input_cell))

    flat = {index: k for k, index in enumerate(out_cells)}

    def output_cell(index: Index, x: int, y: int) -> str:
        k = flat[index]
        return (
            f'<g class="ep-cell ep-o ep-o{k}" tabindex="0" role="img" aria-label="{escape(sums[k])}" '
            f'data-index="{",".join(map(str, index))}">'
            f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" fill="#eef6ff" stroke="#0969da"/>'
            f'<text x="{x + CELL // 2}" y="{y + CELL // 2 + 4}" text-anchor="middle" font-weight="bold">'
            f"{escape(number(np.asarray(result)[index]))}</text></g>"
        )

    out_title = _title("out", c.output_labels, colours, c.output_shape)
    blocks.append(_grid(out_title, np.asarray(result), c.output_labels, output_cell))

    # flow the blocks into rows at most ~640 px wide
    parts: list[str] = []
    x = y = 0
    row_height = 0
    width = 0
    for number_, block in enumerate(blocks):
        if x and x + block.width > 640:
            x, y = 0, y + row_height + 12
            row_height = 0
        if number_ == len(blocks) - 1 and x:
            parts.append(f'<text x="{x}" y="{y + 44}" class="ep-arrow">→</text>')
            x += 26
        parts.append(f'<g transform="translate({x},{y})">' + "".join(block.parts) + "</g>")
        x += block.width + 22
        width = max(width, x)
        row_height = max(row_height, block.height)
    y += row_height + 22
    hint = "Choose an output cell (point, tap or Tab) to see its sum."
    if invented:
        hint = "Example values: choose an output cell to see its sum."
    parts.append(f'<text x="0" y="{y}" class="ep-sum-hint">{escape(hint)}</text>')
    for k, text in enumerate(sums):
        parts.append(f'<text x="0" y="{y}" class="ep-sum ep-s{k}">{escape(text)}</text>')
    width = max(width, 8 * max(len(hint), *(len(s) for s in sums)))
    return ['<g class="ep-grids">', *parts, "</g>"], width, y + 10


def _network(c: Contraction, names: Sequence[str], colours: dict[str, str]) -> tuple[list[str], int, int]:
    """The tensor-network part: markup, width, height (drawn from y = 0)."""
    n = len(c.operands)
    kept = list(c.output_labels)
    summed = list(c.summed_labels)
    slot = 90
    width = max(n, len(kept), len(summed), 3) * slot
    node_y, ring_y, join_y, end_y = 40, 130, 175, 215

    def node_x(i: int) -> float:
        return width * (i + 0.5) / n

    edges: list[str] = []
    marks: list[str] = []

    def curve(x1: float, y1: float, x2: float, y2: float, bend: float, colour: str, dashed: bool) -> None:
        mx, my = (x1 + x2) / 2 + bend, (y1 + y2) / 2
        dash = ' stroke-dasharray="5 3"' if dashed else ""
        edges.append(
            f'<path d="M{x1:.1f},{y1:.1f} Q{mx:.1f},{my:.1f} {x2:.1f},{y2:.1f}" fill="none" '
            f'stroke="{colour}" stroke-width="2.5"{dash}/>'
        )

    def occurrences(label: str) -> list[tuple[int, int]]:
        """(operand, k-th occurrence of the label in it) for every axis with that label."""
        found = []
        for op in c.operands:
            count = sum(1 for axis_label in op.axis_labels if axis_label == label)
            found += [(op.index, k) for k in range(count)]
        return found

    # summed labels: a dashed ring with Σ, placed under the operands that share them
    spots: list[float] = []
    for label in sorted(summed, key=lambda lb: sum(node_x(i) for i, _ in occurrences(lb)) / len(occurrences(lb))):
        places = occurrences(label)
        x = sum(node_x(i) for i, _ in places) / len(places)
        while any(abs(x - other) < 34 for other in spots):
            x += 34
        spots.append(x)
        colour = colours[label]
        for i, k in places:
            curve(node_x(i), node_y + 20, x, ring_y - 13, k * 24, colour, True)
        marks.append(
            f'<circle cx="{x:.1f}" cy="{ring_y}" r="13" fill="#ffffff" stroke="{colour}" stroke-width="2" '
            'stroke-dasharray="4 2"/>'
            f'<text x="{x:.1f}" y="{ring_y + 5}" text-anchor="middle" fill="{colour}" font-weight="bold">'
            f"{escape(_short(label))}</text>"
            f'<text x="{x + 16:.1f}" y="{ring_y - 10}" class="ep-axis">Σ</text>'
        )
    # output labels: open ends at the bottom, in output order
    for position, label in enumerate(kept):
        x = width * (position + 0.5) / max(len(kept), 1)
        places = occurrences(label)
        colour = colours[label]
        target_y = join_y if len(places) > 1 else end_y
        for i, k in places:
            curve(node_x(i), node_y + 20, x, target_y, k * 18, colour, False)
        if len(places) > 1:
            edges.append(
                f'<line x1="{x:.1f}" y1="{join_y}" x2="{x:.1f}" y2="{end_y}" stroke="{colour}" stroke-width="2.5"/>'
            )
            marks.append(f'<circle cx="{x:.1f}" cy="{join_y}" r="4" fill="{colour}"/>')
        marks.append(
            f'<text x="{x:.1f}" y="{end_y + 16}" text-anchor="middle" fill="{colour}" font-weight="bold">'
            f"{escape(_short(label))}</text>"
        )
    for op in c.operands:
        x = node_x(op.index)
        marks.append(
            f'<circle cx="{x:.1f}" cy="{node_y}" r="20" fill="#f6f8fa" stroke="#1f2328" stroke-width="1.5"/>'
            f'<text x="{x:.1f}" y="{node_y + 5}" text-anchor="middle" font-weight="bold">'
            f"{escape(names[op.index])}</text>"
        )
    legend = ["Tensor network: a node per operand, an edge per label."]
    legend.append("Open edges: the output's axes." if kept else "No open edge: the output is a scalar.")
    if summed:
        legend.append("Dashed Σ rings: summed labels.")
    parts = [
        '<g class="ep-network">',
        *edges,
        *marks,
        *(
            f'<text x="0" y="{end_y + 40 + 15 * i}" class="ep-axis">{escape(line)}</text>'
            for i, line in enumerate(legend)
        ),
        "</g>",
    ]
    return parts, max(width, 7 * max(len(line) for line in legend)), end_y + 40 + 15 * len(legend)


def _short(label: str) -> str:
    return "…" + label[3:] if is_ellipsis_label(label) else label


def render_svg(
    c: Contraction,
    names: Sequence[str],
    arrays: Sequence[Any] | None,
    palette: Sequence[str],
    title: str,
    style: bool = True,
) -> str:
    """The whole picture: the cells (when small) above the tensor network. ``style`` puts the CSS
    inside the ``<svg>`` (a file, Jupyter); the web app ships it in its stylesheet instead."""
    colours = label_colours(c, palette)
    body: list[str] = []
    width = height = 0
    if drawable(c):
        invented = arrays is None
        values = example_arrays(c) if arrays is None else list(arrays)
        parts, width, height = _cells(c, names, values, colours, invented)
        body += parts
        height += 16
    parts, net_width, net_height = _network(c, names, colours)
    body.append(f'<g transform="translate(0,{height})">' + "".join(parts) + "</g>")
    width = max(width, net_width) + 8
    height += net_height
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ep-svg" viewBox="-4 -4 {width} {height}" '
        f'width="{width}" height="{height}" role="group" aria-label="{escape(title)}" '
        'font-family="ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" font-size="13">'
        f"<title>{escape(title)}</title>" + (f"<style>{SVG_STYLE}</style>" if style else "") + "".join(body) + "</svg>"
    )


SVG_STYLE = (
    ".ep-svg{max-width:100%;height:auto}"
    ".ep-svg .ep-axis{fill:#57606a;font-size:11px}"
    ".ep-svg .ep-arrow{font-size:22px}"
    ".ep-svg .ep-o{cursor:pointer}"
    ".ep-svg .ep-o:focus{outline:none}"
    ".ep-svg .ep-o:focus rect,.ep-svg .ep-o:hover rect{stroke-width:3;stroke:#1f2328}"
    ".ep-svg .ep-sum{display:none;font-weight:bold}"
    ".ep-grids:has(.ep-o:hover,.ep-o:focus) .ep-sum-hint{display:none}"
    + "".join(
        f".ep-grids:has(.ep-o{k}:hover,.ep-o{k}:focus) .ep-f{k} rect{{fill:{HIGHLIGHT};stroke:#9a6700;stroke-width:2}}"
        f".ep-grids:has(.ep-o{k}:hover,.ep-o{k}:focus) .ep-s{k}{{display:inline}}"
        for k in range(MAX_CELLS)
    )
)
