"""The grammar: structure of parsed subscripts, implicit output, immutability."""

from __future__ import annotations

import dataclasses

import pytest

import einsum_puzzles as ep


def test_explicit_subscript_structure() -> None:
    sub = ep.parse("ij,jk->ik")
    assert sub.explicit
    assert [term.labels for term in sub.inputs] == [("i", "j"), ("j", "k")]
    assert sub.output.labels == ("i", "k")
    assert sub.arrow_position == 5
    assert sub.inputs[1].positions == (3, 4)
    assert sub.labels == ("i", "j", "k")
    assert sub.canonical() == "ij,jk->ik"


@pytest.mark.parametrize(
    ("text", "output"),
    [
        ("ij", "ij"),
        ("ji", "ij"),
        ("ii", ""),
        ("kij", "ijk"),
        ("Ba", "Ba"),
        ("aB", "Ba"),
        ("ij,jk", "ik"),
        ("i,i", ""),
        ("...ij", "...ij"),
        ("ij...", "...ij"),
        ("", ""),
        ("zZ,zY", "YZ"),
    ],
)
def test_implicit_output_is_labels_seen_once_sorted_by_code_point(text: str, output: str) -> None:
    sub = ep.parse(text)
    assert not sub.explicit
    assert sub.output.text() == output


def test_ellipsis_position_and_spaces() -> None:
    sub = ep.parse(" a ... b , c -> ...c ")
    first = sub.inputs[0]
    assert first.labels == ("a", "b")
    assert first.ellipsis == 1
    assert first.ellipsis_position == 3
    assert sub.output.ellipsis == 0
    assert sub.canonical() == "a...b,c->...c"


def test_empty_terms_are_0d_operands() -> None:
    assert [t.labels for t in ep.parse(",ij->ij").inputs] == [(), ("i", "j")]
    assert ep.parse("->").canonical() == "->"
    assert ep.parse("").inputs[0].labels == ()


def test_text_after_nul_is_ignored_like_numpy() -> None:
    # numpy reads the subscript as a C string; the web and CLI layers reject NUL before this point.
    assert ep.parse("ij\0->k").canonical() == "ij->ij"


def test_parsed_objects_are_immutable() -> None:
    sub = ep.parse("ij->ji")
    with pytest.raises(dataclasses.FrozenInstanceError):
        sub.explicit = False  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        sub.inputs[0].labels = ()  # type: ignore[misc]
    assert isinstance(sub.inputs, tuple)


def test_bytes_are_accepted_like_numpy() -> None:
    assert ep.parse(b"ij->ji").canonical() == "ij->ji"
