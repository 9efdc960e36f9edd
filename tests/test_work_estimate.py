"""The web app's work estimate: the quick count for plain subscripts is exactly what binding gives."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from einsum_puzzles import curriculum
from einsum_puzzles.contraction import bind
from einsum_puzzles.curriculum.lint import candidate_subscripts
from einsum_puzzles.errors import EinsumError
from einsum_puzzles.web.work import _plain_work, _trial_argument_shapes, subscript_work


def bound_work(subscript: str, shapes: list[tuple[int, ...]]) -> int:
    try:
        return math.prod(bind(subscript, *shapes).sizes.values())
    except (EinsumError, ValueError):
        return 0


def test_quick_count_matches_bind_on_every_candidate_answer() -> None:
    quick = 0
    for number in (21, 25):
        p = curriculum.puzzle(number)
        for shapes in _trial_argument_shapes(p, 4):
            for subscript in candidate_subscripts(p.argument_shapes()):
                found = _plain_work(subscript, shapes)
                if found is not None:
                    quick += 1
                    assert found == bound_work(subscript, shapes), (number, subscript, shapes)
                assert subscript_work(subscript, shapes) == bound_work(subscript, shapes)
    assert quick > 1000  # the quick path is the common one


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text("ijkAB", min_size=0, max_size=4), min_size=1, max_size=3),
    st.text("ijkAB.", max_size=4),
    st.booleans(),
    st.lists(st.lists(st.integers(0, 4), max_size=4), min_size=1, max_size=3),
)
def test_quick_count_never_disagrees_with_bind(
    terms: list[str], output: str, explicit: bool, shapes: list[list[int]]
) -> None:
    subscript = ",".join(terms) + (f"->{output}" if explicit else "")
    as_tuples = [tuple(s) for s in shapes]
    found = _plain_work(subscript, as_tuples)
    if found is not None:
        assert found == bound_work(subscript, as_tuples)
    assert subscript_work(subscript, as_tuples) == bound_work(subscript, as_tuples)


def test_size_one_axes_and_ellipses_go_through_bind() -> None:
    assert _plain_work("ij,jk->ik", [(2, 1), (3, 4)]) is None  # numpy broadcasts the size-1 'j'
    assert subscript_work("ij,jk->ik", [(2, 1), (3, 4)]) == bound_work("ij,jk->ik", [(2, 1), (3, 4)])
    assert _plain_work("...j,jk", [(2, 3), (3, 4)]) is None
    assert _plain_work("ij,jk->ii", [(2, 3), (3, 4)]) is None and subscript_work("ij,jk->ii", [(2, 3), (3, 4)]) == 0
    assert _plain_work("ij,jk->iz", [(2, 3), (3, 4)]) is None
    assert _plain_work("ij,jk->ik", [(2, 3), (3, 4)]) == 24
