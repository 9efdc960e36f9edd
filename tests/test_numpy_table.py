"""Hand-written cases, valid and invalid, each compared with np.einsum (optimize=False)."""

from __future__ import annotations

import numpy as np
import pytest

from .conftest import check_against_numpy

S = tuple[int, ...]

# (subscript, shapes, our error kind or None when numpy accepts it)
CASES: list[tuple[str, list[S], str | None]] = [
    # identity, permutation, implicit mode
    ("i->i", [(3,)], None),
    ("ij->ij", [(2, 3)], None),
    ("ij", [(2, 3)], None),
    ("ji", [(2, 3)], None),
    ("ij->ji", [(2, 3)], None),
    ("kij", [(2, 3, 4)], None),
    ("Ba", [(2, 3)], None),
    ("aB", [(2, 3)], None),
    ("ZzAa", [(2, 3, 4, 5)], None),
    ("i...->...i", [(2, 3, 4)], None),
    ("i...j->j...i", [(2, 3, 4, 5)], None),
    # sums, diagonal, trace
    ("i->", [(5,)], None),
    ("ij->", [(2, 3)], None),
    ("ij->i", [(2, 3)], None),
    ("ijk->j", [(2, 3, 4)], None),
    ("ii->i", [(3, 3)], None),
    ("ii", [(3, 3)], None),
    ("ii->", [(3, 3)], None),
    ("iii->i", [(2, 2, 2)], None),
    ("iji->j", [(3, 4, 3)], None),
    ("ijij->ij", [(2, 3, 2, 3)], None),
    ("ii->i", [(1, 1)], None),
    ("ii->i", [(0, 0)], None),
    # products
    ("i,i->i", [(3,), (3,)], None),
    ("i,i->", [(3,), (3,)], None),
    ("i,i", [(3,), (3,)], None),
    ("i,j->ij", [(3,), (4,)], None),
    ("i,j", [(3,), (4,)], None),
    ("ij,jk->ik", [(2, 3), (3, 4)], None),
    ("ij,jk", [(2, 3), (3, 4)], None),
    ("ij,kj->ik", [(2, 3), (4, 3)], None),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)], None),
    ("ijm,lkm->ijkl", [(2, 3, 4), (5, 6, 4)], None),
    ("ijk,jkl->il", [(2, 3, 4), (3, 4, 5)], None),
    ("i,ij,j->", [(3,), (3, 4), (4,)], None),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)], None),
    ("ab,bc,cd,de,ef->af", [(2, 3), (3, 4), (4, 5), (5, 6), (6, 2)], None),
    ("ab,bc,cd,de,ef,fg->ag", [(2, 3), (3, 4), (4, 5), (5, 6), (6, 2), (2, 3)], None),
    ("i,i,i,i,i,i,i->i", [(3,)] * 7, None),
    ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)], None),
    ("bhqk,bhkd->bhqd", [(2, 3, 4, 6), (2, 3, 6, 5)], None),
    ("ii,i->i", [(3, 3), (3,)], None),
    ("ij,ij->ij", [(2, 3), (2, 3)], None),
    # 0-d operands and empty terms
    ("", [()], None),
    ("->", [()], None),
    (",ij->ij", [(), (2, 3)], None),
    ("i,->i", [(3,), ()], None),
    (",", [(), ()], None),
    ("...", [()], None),
    ("...->...", [(2, 3)], None),
    # spaces
    (" i , j -> ij ", [(2,), (3,)], None),
    ("i j -> j i", [(2, 3)], None),
    ("... i->i", [(3,)], None),
    # size-1 broadcasting across operands
    ("ij,jk->ik", [(2, 1), (3, 4)], None),
    ("ij,ji->ij", [(1, 2), (1, 2)], None),
    ("a,a->", [(3,), (1,)], None),
    ("a,a->", [(0,), (1,)], None),
    ("ii,i->i", [(1, 1), (3,)], None),
    ("ij,j->ij", [(2, 3), (1,)], None),
    # ellipsis broadcasting
    ("...ij,...jk->...ik", [(5, 1, 2, 3), (7, 3, 4)], None),
    ("...i,...i->...i", [(2, 3), (3,)], None),
    ("i...,...->...", [(3, 4), (4,)], None),
    ("...i->i", [(3,)], None),
    ("i...->...", [(3,)], None),
    ("i->...", [(3,)], None),
    ("...ii->...i", [(2, 3, 3)], None),
    ("...,...->...", [(2, 1), (1, 3)], None),
    # size 0
    ("ij,jk->ik", [(2, 0), (0, 3)], None),
    ("ij,jk", [(0, 2), (2, 3)], None),
    ("i->", [(0,)], None),
    # syntax errors
    ("i- >i", [(3,)], "syntax"),
    ("i-", [(3,)], "syntax"),
    ("-", [()], "syntax"),
    (">", [()], "syntax"),
    ("i>", [(3,)], "syntax"),
    ("i->i->i", [(3,)], "syntax"),
    ("i.->i", [(3,)], "syntax"),
    (". ..i", [(3,)], "syntax"),
    ("......", [(3,)], "syntax"),
    ("....i", [(3,)], "syntax"),
    ("i->.", [(3,)], "syntax"),
    ("i->-", [(3,)], "syntax"),
    ("i->i,", [(3,)], "syntax"),
    ("1", [(3,)], "syntax"),
    ("i_", [(3, 3)], "syntax"),
    ("ié", [(3, 3)], "syntax"),
    ("i\t->i", [(3,)], "syntax"),
    ("i->...i...", [(3,)], "syntax"),
    # operand count
    ("i,j", [(3,)], "operand_count"),
    ("i", [(3,), (3,)], "operand_count"),
    ("i,j,k->ijk", [(3,), (3,)], "operand_count"),
    # rank
    ("ij", [(3,)], "rank"),
    ("i", [(3, 3)], "rank"),
    ("", [(3,)], "rank"),
    ("i", [()], "rank"),
    ("...ij", [(3,)], "rank"),
    ("...ij,jk->...ik", [(5, 1, 2, 3), (7, 3, 4)], "rank"),
    # output
    ("i->ii", [(3,)], "output"),
    ("i->j", [(3,)], "output"),
    ("...i->i", [(1, 3)], "output"),
    ("i...->i", [(3, 1)], "output"),
    ("...i,i->i", [(2, 3), (3,)], "output"),
    # size
    ("ii->i", [(2, 3)], "size"),
    ("ii->i", [(1, 3)], "size"),
    ("ij,jk->ik", [(2, 3), (4, 5)], "size"),
    ("a,a->", [(3,), (4,)], "size"),
    ("a,a->a", [(0,), (3,)], "size"),
    ("...i,...i->...i", [(2, 3), (4, 3)], "size"),
    ("i...,...->...", [(3, 4), (5,)], "size"),
    ("iij->j", [(2, 2, 3)], None),
    ("iij->j", [(2, 3, 3)], "size"),
]


def test_numpy_zero_size_diagonal_bug_is_refused() -> None:
    """A deliberate difference (docs/core.md): numpy returns unallocated memory, we raise."""
    import einsum_puzzles as ep

    from .conftest import numpy_zero_size_diagonal_bug

    for subscript, shape in [("kk->k", (0, 2)), ("kkk...J->k...J", (0, 1, 1, 2))]:
        assert numpy_zero_size_diagonal_bug(subscript, [shape])
        assert np.einsum(subscript, np.ones(shape)).size > 0  # numpy: a view of memory it does not own
        with pytest.raises(ep.EinsumError, match="diagonal needs equal sizes") as info:
            ep.bind(subscript, shape)
        assert info.value.kind == "size"
    assert not numpy_zero_size_diagonal_bug("kk->k", [(2, 0)])  # numpy raises there, like us
    assert not numpy_zero_size_diagonal_bug("kk", [(0, 2)])  # the summing path checks sizes


def test_the_table_is_large_and_covers_every_kind() -> None:
    assert len(CASES) >= 60
    kinds = {kind for _, _, kind in CASES}
    assert kinds == {None, "syntax", "operand_count", "rank", "output", "size"}


@pytest.mark.parametrize(("subscript", "shapes", "kind"), CASES, ids=[repr(c[0]) for c in CASES])
def test_agrees_with_numpy(subscript: str, shapes: list[S], kind: str | None) -> None:
    assert check_against_numpy(subscript, shapes) == kind


@pytest.mark.parametrize(
    "dtype", [np.bool_, np.int8, np.int32, np.int64, np.uint8, np.float32, np.float64, np.complex128]
)
@pytest.mark.parametrize(
    ("subscript", "shapes"),
    [
        ("i->", [(7,)]),
        ("ij,jk->ik", [(3, 4), (4, 5)]),
        ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
        ("ij,ij->i", [(3, 4), (3, 4)]),
        ("ii->", [(4, 4)]),
        ("i,j->ij", [(3,), (4,)]),
        ("ij,jk,kl->", [(2, 3), (3, 4), (4, 5)]),
    ],
)
def test_dtypes_follow_numpy(subscript: str, shapes: list[S], dtype: type) -> None:
    assert check_against_numpy(subscript, shapes, dtype) is None
