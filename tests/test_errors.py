"""Every error kind, its message start, its position and its caret line."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import einsum_puzzles as ep

S = tuple[int, ...]

# (subscript, shapes, kind, start of message, position or None)
MESSAGES: list[tuple[str, list[S], str, str, int | None]] = [
    ("i- >i", [(3,)], "syntax", "a '-' must be the start of the arrow '->'", 1),
    ("i>", [(3,)], "syntax", "a '>' must follow '-' directly", 1),
    ("i->i->i", [(3,)], "syntax", "a subscript has at most one arrow '->'", 4),
    ("i->i,j", [(3,)], "syntax", "the output after '->' is a single term: it cannot contain ','", 4),
    ("i.j", [(3, 3)], "syntax", "a '.' in operand 0 is not part of an ellipsis", 1),
    ("i,j.", [(3,), (3,)], "syntax", "a '.' in operand 1 is not part of an ellipsis", 3),
    ("i->.", [(3,)], "syntax", "a '.' in the output is not part of an ellipsis", 3),
    ("......", [(3,)], "syntax", "operand 0 has a second ellipsis '...'", 3),
    ("i1", [(3, 3)], "syntax", "invalid character '1' in the subscript: labels are the letters", 1),
    ("i\t", [(3, 3)], "syntax", "invalid character '\\t' (a control character)", 1),
    ("ié", [(3, 3)], "syntax", "invalid character 'é' in the subscript: labels are the ASCII letters", 1),
    ("i,j", [(3,)], "operand_count", "the subscript has 2 input terms but only 1 operand was given: term 1 ('j')", 1),
    (
        "i",
        [(3,), (3,)],
        "operand_count",
        "the subscript has 1 input term but 2 operands were given: operand 1 has",
        None,
    ),
    (
        "i",
        [(3,)] * 3,
        "operand_count",
        "the subscript has 1 input term but 3 operands were given: operands 1 to 2",
        None,
    ),
    ("ij", [(3,)], "rank", "term 0 ('ij') has 2 labels but operand 0 has 1 dimension (shape (3,))", 1),
    ("i,jk", [(3,), (3,)], "rank", "term 1 ('jk') has 2 labels but operand 1 has 1 dimension", 3),
    ("i", [(3, 3)], "rank", "term 0 ('i') has 1 label but operand 0 has 2 dimensions (shape (3, 3)): write one", 1),
    ("", [(3,)], "rank", "term 0 (an empty term, for a 0-d operand) has 0 labels but operand 0 has 1 dimension", 0),
    ("i->ii", [(3,)], "output", "output label 'i' appears more than once", 4),
    ("i->j", [(3,)], "output", "output label 'j' does not appear in any input term", 3),
    ("...i->i", [(2, 3)], "output", "the output drops the ellipsis, but '...' in operand 0 covers 1 dimension", 6),
    (
        "ii",
        [(2, 3)],
        "size",
        "label 'i' is repeated in term 0 ('ii') to take a diagonal, but operand 0 has sizes 2 and 3",
        1,
    ),
    ("ij,jk", [(2, 3), (4, 5)], "size", "label 'j' has size 3 in operand 0 (shape (2, 3)) but size 4 in operand 1", 3),
    ("...i,...i", [(2, 3), (4, 3)], "size", "the dimensions covered by '...' do not broadcast: operand 0 has (2,)", 5),
]


@pytest.mark.parametrize(("subscript", "shapes", "kind", "start", "position"), MESSAGES)
def test_message_starts(subscript: str, shapes: list[S], kind: str, start: str, position: int | None) -> None:
    with pytest.raises(ep.EinsumError) as info:
        ep.bind(subscript, *shapes)
    error = info.value
    assert error.kind == kind
    assert error.message.startswith(start), error.message
    assert error.position == position
    assert isinstance(error, ValueError)


def test_caret_line_points_at_the_offending_character() -> None:
    with pytest.raises(ep.EinsumError) as info:
        ep.bind("ij,jk->ik", (2, 3), (4, 5))
    lines = str(info.value).splitlines()
    assert lines[-2] == "    ij,jk->ik"
    assert lines[-1] == "       ^"


def test_operand_count_messages_are_not_reversed() -> None:
    # numpy says "more operands provided" when there are fewer: ours says what happened.
    with pytest.raises(ep.EinsumError, match="only 1 operand was given"):
        ep.bind("i,j", (3,))
    with pytest.raises(ep.EinsumError, match="2 operands were given"):
        ep.bind("i", (3,), (3,))


def test_size_message_keeps_each_size_with_its_operand() -> None:
    with pytest.raises(ep.EinsumError) as info:
        ep.bind("ij,jk", (2, 4), (3, 5))
    assert "size 4 in operand 0" in info.value.message
    assert "size 3 in operand 1" in info.value.message


def test_zero_operands_and_too_many() -> None:
    with pytest.raises(ep.EinsumError, match="at least one operand") as info:
        ep.bind("i->i")
    assert info.value.kind == "operand_count"
    with pytest.raises(ep.EinsumError, match="at most 63") as info:
        ep.bind(",".join("i" * 64), *[(2,)] * 64)
    assert info.value.kind == "operand_count"


def test_too_many_dimensions() -> None:
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    subscript = "..." + letters[:40] + ",..." + letters[40:] + "->..."
    with pytest.raises(ep.EinsumError, match="at most 64") as info:
        ep.bind(subscript, (1,) * 60, (1,) * 20)
    assert info.value.kind == "rank"
    with pytest.raises(ValueError, match="too many subscripts"):
        np.einsum(subscript, np.ones((1,) * 60), np.ones((1,) * 20))
    # 64 in all is still fine, for numpy and for us.
    assert ep.bind("..." + letters[:40] + "->...", (1,) * 64).output_shape == (1,) * 24


def test_negative_size_and_bad_shapes() -> None:
    with pytest.raises(ep.EinsumError, match="negative size -2") as info:
        ep.bind("ij", (3, -2))
    assert info.value.kind == "size"
    with pytest.raises(TypeError, match="tuple of ints"):
        ep.bind("i", "3")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must contain ints"):
        ep.bind("i", (3.5,))  # type: ignore[arg-type]


def test_parse_rejects_non_strings() -> None:
    with pytest.raises(TypeError, match="subscript is a string"):
        ep.parse(42)  # type: ignore[arg-type]
    with pytest.raises(ep.EinsumError, match="non-ASCII byte 0xc3"):
        ep.parse("ié".encode())


def test_errors_survive_pickling() -> None:
    with pytest.raises(ep.EinsumError) as info:
        ep.bind("i->j", (3,))
    again = pickle.loads(pickle.dumps(info.value))
    assert (again.kind, again.position, str(again)) == (info.value.kind, info.value.position, str(info.value))


def test_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(TypeError, match="unknown EinsumError kind"):
        ep.EinsumError("x", "nonsense")  # type: ignore[arg-type]
