"""Binding: label sizes, roles, output shapes."""

from __future__ import annotations

import pytest

import einsum_puzzles as ep


def test_matrix_product_roles() -> None:
    c = ep.bind("ij,jk->ik", (2, 3), (3, 4))
    assert c.output_shape == (2, 4)
    assert dict(c.sizes) == {"i": 2, "k": 4, "j": 3}
    assert c.labels == ("i", "k", "j")
    j = c.roles["j"]
    assert j.summed and j.shared and not j.kept and j.operands == (0, 1)
    assert c.roles["i"].kept and c.roles["i"].output_axis == 0 and not c.roles["i"].shared
    assert c.summed_labels == ("j",)


def test_diagonal_and_broadcast_roles() -> None:
    c = ep.bind("ii,ij->j", (3, 3), (1, 4))
    assert c.roles["i"].diagonal == (0,)
    assert c.roles["i"].broadcast == (1,)
    assert c.roles["i"].size == 3


def test_ellipsis_dimensions_are_named_and_right_aligned() -> None:
    c = ep.bind("...ij,...jk->...ik", (5, 1, 2, 3), (7, 3, 4))
    assert c.ellipsis_labels == ("...0", "...1")
    assert c.ellipsis_shape == (5, 7)
    assert c.operands[1].axis_labels == ("...1", "j", "k")
    assert c.operands[0].ellipsis_shape == (5, 1)
    assert c.roles["...1"].broadcast == (0,)
    assert c.roles["...0"].ellipsis and c.roles["...0"].operands == (0,)
    assert c.output_shape == (5, 7, 2, 4)


def test_implicit_output_puts_ellipsis_first() -> None:
    c = ep.bind("ij...", (2, 3, 4))
    assert c.output_labels == ("...0", "i", "j")
    assert c.output_shape == (4, 2, 3)


def test_size_zero_and_size_one() -> None:
    assert ep.bind("ij,jk->ik", (2, 0), (0, 3)).output_shape == (2, 3)
    assert ep.bind("a,a->a", (0,), (1,)).output_shape == (0,)
    assert ep.bind("ij,ji->ij", (1, 2), (1, 2)).output_shape == (2, 2)


def test_contractions_compare_by_subscript_and_shapes() -> None:
    assert ep.bind("ij->ji", (2, 3)) == ep.bind("ij->ji", [2, 3])
    assert hash(ep.bind("ij->ji", (2, 3))) == hash(ep.bind("ij->ji", (2, 3)))
    assert ep.bind("ij->ji", (2, 3)) != ep.bind("ij->ji", (3, 2))


def test_bind_accepts_a_parsed_subscript() -> None:
    assert ep.bind(ep.parse("i,i"), (3,), (3,)).output_shape == ()


def test_roles_are_read_only() -> None:
    c = ep.bind("i->", (3,))
    with pytest.raises(TypeError):
        c.sizes["i"] = 4  # type: ignore[index]
