"""``Explanation.svg`` as data: the cells lit for an output cell are exactly the terms of its loop."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

import einsum_puzzles as ep
from einsum_puzzles.explainer.svg import MAX_CELLS

NS = {"svg": "http://www.w3.org/2000/svg"}
CLI = Path(sys.executable).with_name("einsum-puzzles")


def random_case(rng: np.random.Generator) -> tuple[str, list[np.ndarray]]:
    """A random valid explicit einsum with 1-3 small operands (repeated labels and scalars included)."""
    letters = "ijkl"
    sizes = {label: int(rng.integers(1, 4)) for label in letters}
    terms = []
    for _ in range(int(rng.integers(1, 4))):
        ndim = int(rng.integers(0, 4))
        terms.append("".join(rng.choice(list(letters), size=ndim)))
    used = sorted(set("".join(terms)))
    output = "".join(label for label in used if rng.random() < 0.5)
    output = "".join(rng.permutation(list(output))) if output else ""
    arrays = [rng.integers(-3, 6, size=tuple(sizes[label] for label in term)) for term in terms]
    return ",".join(terms) + "->" + output, arrays


def loop_cells(subscript: str, arrays: list[np.ndarray]) -> dict[tuple[int, ...], set[tuple[int, tuple[int, ...]]]]:
    """For each output cell, the input cells its loop multiplies (written out independently of the SVG)."""
    inputs, output = subscript.split("->")
    terms = inputs.split(",")
    sizes: dict[str, int] = {}
    for term, array in zip(terms, arrays):
        sizes.update(zip(term, array.shape))
    labels = sorted(sizes)
    cells: dict[tuple[int, ...], set[tuple[int, tuple[int, ...]]]] = {}
    for values in itertools.product(*(range(sizes[label]) for label in labels)):
        at = dict(zip(labels, values))
        out_index = tuple(at[label] for label in output)
        found = cells.setdefault(out_index, set())
        for number, term in enumerate(terms):
            found.add((number, tuple(at[label] for label in term)))
    return cells


def svg_cells(svg: str) -> tuple[dict[tuple[int, ...], set[tuple[int, tuple[int, ...]]]], dict[tuple[int, ...], str]]:
    root = ET.fromstring(svg)
    outputs: dict[int, tuple[int, ...]] = {}
    sums: dict[tuple[int, ...], str] = {}
    lit: dict[int, set[tuple[int, tuple[int, ...]]]] = {}
    for g in root.iter("{http://www.w3.org/2000/svg}g"):
        classes = g.get("class", "").split()
        index = tuple(int(v) for v in g.get("data-index", "").split(",") if v)
        if "ep-o" in classes:
            k = next(int(c[4:]) for c in classes if re.fullmatch(r"ep-o\d+", c))
            outputs[k] = index
            sums[index] = g.get("aria-label", "")
        elif "ep-cell" in classes:
            for c in classes:
                if re.fullmatch(r"ep-f\d+", c):
                    lit.setdefault(int(c[4:]), set()).add((int(g.get("data-operand", "-1")), index))
    return {outputs[k]: lit.get(k, set()) for k in outputs}, sums


@pytest.mark.parametrize("seed", range(60))
def test_lit_cells_are_the_loop_terms(seed: int) -> None:
    rng = np.random.default_rng(seed)
    subscript, arrays = random_case(rng)
    e = ep.explain(subscript, *arrays)
    expected = loop_cells(subscript, arrays)
    result = np.einsum(subscript, *arrays)
    if any(a.size > MAX_CELLS for a in arrays) or np.size(result) > MAX_CELLS:
        pytest.skip("too large to draw as cells")
    lit, sums = svg_cells(e.svg)
    assert set(lit) == set(expected), subscript
    for out_index, cells in expected.items():
        assert lit[out_index] == cells, (subscript, out_index)
        # the sum is written with the actual numbers and ends with the output value
        assert sums[out_index].rsplit("= ", 1)[1] == str(result[out_index]), (subscript, sums[out_index])


def test_sum_is_written_with_the_numbers() -> None:
    a = np.array([[4, 1], [2, 3], [6, 6]])
    b = np.array([[1, 9, 1, 5], [4, 5, 9, 1]])
    svg = ep.explain("ij,jk->ik", a, b).svg
    _, sums = svg_cells(svg)
    assert sums[(1, 2)] == "out[1,2] = 2·1 + 3·9 = 29"
    assert "<script" not in svg and "<style>" in svg


def test_network_for_any_einsum() -> None:
    """Too big for cells: the tensor network alone, one node per operand, labels coloured, Σ for summed."""
    svg = ep.explain("abcd,cdef,efgh,ghij->abij", (2, 3, 9, 9), (9, 9, 9, 9), (9, 9, 2, 2), (2, 2, 4, 4)).svg
    root = ET.fromstring(svg)
    assert root.find(".//svg:g[@class='ep-grids']", NS) is None
    network = root.find(".//svg:g[@class='ep-network']", NS)
    assert network is not None
    names = [t.text for t in network.iter("{http://www.w3.org/2000/svg}text")]
    for name in ("a", "b", "c", "d"):
        assert name in names
    assert names.count("Σ") == 6  # c, d, e, f, g, h
    assert "<style>" in svg


def test_repr_html_and_cli_svg(tmp_path: Path) -> None:
    html = ep.explain("ij,jk->ik", (2, 3), (3, 4))._repr_html_()
    assert "<svg" in html and "<math" in html and "<style>" in html
    target = tmp_path / "matmul.svg"
    done = subprocess.run(
        [str(CLI), "explain", "ij,jk->ik", "2x3", "3x4", "--svg", str(target)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    root = ET.fromstring(target.read_text(encoding="utf-8"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    bad = subprocess.run(
        [str(CLI), "explain", "ij", "2x3", "--svg", str(tmp_path / "missing" / "x.svg")], capture_output=True, text=True
    )
    assert bad.returncode == 2 and "cannot write the picture" in bad.stderr


def test_dtype_notes_only_when_the_dtype_is_known() -> None:
    shapes = [(2, 3), (3, 4)]
    assert not any("integer" in note for note in ep.explain("ij,jk->ik", *shapes).backend_notes)
    ints = [np.ones(s, dtype=np.int64) for s in shapes]
    assert any("integer" in note for note in ep.explain("ij,jk->ik", *ints).backend_notes)
    floats = [np.ones(s) for s in shapes]
    assert not any("integer" in note for note in ep.explain("ij,jk->ik", *floats).backend_notes)
