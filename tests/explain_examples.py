"""The worked examples the lessons use (the seed's, with its shapes) plus ellipsis and 3-operand cases.

Each one has a golden diagram under tests/golden/; regenerate with UPDATE_GOLDEN=1 after a deliberate
change to the renderer, and read the diff.
"""

from __future__ import annotations

WORKED_EXAMPLES: list[tuple[str, list[tuple[int, ...]]]] = [
    ("ijm,lkm->ijkl", [(2, 3, 4), (2, 3, 4)]),
    ("i->i", [(3,)]),
    ("ij->ij", [(2, 3)]),
    ("ijk->ijk", [(2, 3, 4)]),
    ("i,i->i", [(3,), (3,)]),
    ("i->", [(3,)]),
    ("ijk->", [(4, 3, 2)]),
    ("ij->i", [(2, 3)]),
    ("ij->j", [(2, 3)]),
    ("ii->i", [(3, 3)]),
    ("ii->", [(3, 3)]),
    ("ij,j->ij", [(2, 3), (3,)]),
    ("ijk,j->ijk", [(2, 3, 4), (3,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("ij,kl->ijkl", [(2, 3), (2, 4)]),
    ("ij->ji", [(2, 3)]),
    ("ijk->kji", [(2, 3, 4)]),
    ("ijkl->jilk", [(2, 3, 4, 5)]),
    ("ij,ij->ji", [(2, 3), (2, 3)]),
    ("ijk,ijk->kji", [(2, 3, 4), (2, 3, 4)]),
    ("ij,jk->ik", [(3, 2), (2, 3)]),
    ("ij", [(2, 3)]),
    ("i,i", [(3,), (3,)]),
    ("ij,jk", [(2, 3), (3, 2)]),
    ("i,j", [(2,), (3,)]),
    ("...ij->...ji", [(2, 3, 4, 5)]),
    ("i...k->k...i", [(2, 3, 4, 5)]),
    ("...j,jk->...k", [(2, 3, 4, 5), (5, 6)]),
    # beyond the seed: broadcasting ellipsis, size-1 broadcasting, three operands, a 0-d operand
    ("...ij,...jk->...ik", [(5, 1, 2, 3), (7, 3, 4)]),
    ("ij,jk->ik", [(2, 1), (3, 4)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("i,ij,j->", [(3,), (3, 4), (4,)]),
    ("bhqd,bhkd->bhqk", [(2, 4, 5, 8), (2, 4, 6, 8)]),
    (",ij->ij", [(), (2, 3)]),
    ("bii->b", [(4, 3, 3)]),
    # our lessons' own worked examples
    ("ij,ij->ij", [(2, 3), (2, 3)]),
    ("i,i->", [(3,), (3,)]),
    ("bij,bjk->bik", [(4, 2, 3), (4, 3, 5)]),
    ("ijk,jkl->il", [(2, 3, 4), (3, 4, 5)]),
    # the second edition's lessons (issue 16)
    ("ij,ij->", [(2, 3), (2, 3)]),
    ("ijk->i", [(2, 3, 4)]),
    ("ijk->jk", [(2, 3, 4)]),
    ("iij->ij", [(3, 3, 2)]),
    ("iij->j", [(3, 3, 2)]),
    ("ijk,ijk->ijk", [(2, 1, 4), (2, 3, 4)]),
    ("i,j->ji", [(3,), (4,)]),
    ("ij,j->i", [(2, 3), (3,)]),
    ("i,ij->j", [(2,), (2, 3)]),
    ("ijk,kjl->il", [(2, 3, 4), (4, 3, 5)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("kij", [(2, 3, 4)]),
    ("ii", [(3, 3)]),
    ("bij,bjh", [(2, 3, 4), (2, 4, 5)]),
    ("ij...", [(2, 3, 5)]),
    ("...ij->...j", [(2, 3, 4, 5)]),
    ("...j,kj->...k", [(2, 3, 4, 5), (6, 5)]),
    ("...i,...i->...", [(5, 1, 3), (7, 3)]),
    ("bld,dk->blk", [(2, 5, 4), (4, 3)]),
    ("bld,dhk->blhk", [(2, 5, 8), (8, 4, 3)]),
    ("bi,io->bo", [(2, 3), (3, 4)]),
    ("i,ij,i->j", [(3,), (3, 4), (3,)]),
    ("ij,kl->ikjl", [(2, 2), (2, 3)]),
]


def golden_name(subscript: str, shapes: list[tuple[int, ...]]) -> str:
    text = subscript.replace("->", "_to_").replace(",", "_").replace("...", "E") or "empty"
    dims = "_".join("x".join(map(str, shape)) or "s" for shape in shapes)
    return f"{text}__{dims}.txt"
