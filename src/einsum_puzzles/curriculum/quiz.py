"""Comprehension questions (Q1-Q8, with corrected answers) and predict-the-shape questions.

Where an answer makes a claim about numpy, ``check`` proves it by running numpy; the test suite calls
every check. Shape answers are computed by ``ep.bind``, never typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Question:
    """A comprehension question. ``answer`` is Markdown; ``check`` (when set) proves it by running."""

    id: str
    section: str
    text: str
    answer: str
    check: Callable[[], bool] | None = None


@dataclass(frozen=True)
class ShapeQuestion:
    """Predict the output shape: the answer is computed by ``ep.bind``, never typed."""

    id: str
    section: str
    subscript: str
    shapes: tuple[tuple[int, ...], ...]
    why: str = ""

    @property
    def answer(self) -> tuple[int, ...]:
        from ..contraction import bind

        return bind(self.subscript, *self.shapes).output_shape

    @property
    def text(self) -> str:
        names = "abcdefgh"
        operands = ", ".join(f"{names[i]} of shape {shape}" for i, shape in enumerate(self.shapes))
        arguments = ", ".join(names[: len(self.shapes)])
        return f"What is the shape of np.einsum('{self.subscript}', {arguments}) for {operands}?"


def _q1() -> bool:
    a, b = np.array([1.0, 2, 3]), np.array([4.0, 5, 6])
    return bool(np.array_equal(np.einsum("i->i", a), a) and np.array_equal(np.einsum("i,i->i", a, b), a * b))


def _q2() -> bool:
    a = np.arange(6).reshape(2, 3)
    return bool(np.array_equal(np.einsum("ij->ji", a), a.T))


def _q3() -> bool:
    try:
        np.einsum("ijk", np.ones((2, 3)))
    except ValueError:
        return True
    return False


def _q4() -> bool:
    # Only products: a sum of two arrays needs a second operation, such as a + b.
    a, b = np.ones(3), np.full(3, 2.0)
    return bool(np.array_equal(np.einsum("i,i->i", a, b), a * b))


def _q5() -> bool:
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 2)), rng.standard_normal((4, 2))
    return bool(np.allclose(np.einsum("ij,kj->ik", a, b), a @ b.T))


def _q6() -> bool:
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((3, 2)), rng.standard_normal((4, 2))
    return bool(np.allclose(np.einsum("ij,jk->ik", a, b.T), np.einsum("ij,kj->ik", a, b)))


def _q7() -> bool:
    a = np.arange(6).reshape(2, 3)
    m = np.arange(9).reshape(3, 3)
    return bool(
        np.array_equal(np.einsum("ji", a), a.T)
        and np.einsum("ii", m) == np.trace(m)
        and np.einsum("kij", np.ones((2, 3, 4))).shape == (3, 4, 2)
        and np.einsum("Ba", np.ones((2, 3))).shape == (2, 3)
    )


def _q8() -> bool:
    rng = np.random.default_rng(2)
    w = rng.standard_normal((5, 6))
    one = rng.standard_normal((4, 5))
    many = rng.standard_normal((2, 3, 4, 5))
    return bool(
        np.allclose(np.einsum("...j,jk->...k", one, w), one @ w)
        and np.allclose(np.einsum("...j,jk->...k", many, w), many @ w)
    )


QUESTIONS: tuple[Question, ...] = (
    Question(
        "Q1",
        "summation",
        "'i->i' returns its input unchanged, but 'i,i->i' multiplies. Why?",
        "In 'i,i->i' the letter i names an axis of two different inputs, so einsum lines those axes up and "
        "multiplies them element by element. In 'i->i' there is one input, nothing to multiply with, and the "
        "axis is kept: the result is the input.",
        _q1,
    ),
    Question(
        "Q2",
        "summation",
        "What does 'ij->ji' do to a matrix?",
        "It transposes it: the output's first axis is the input's second one.",
        _q2,
    ),
    Question(
        "Q3",
        "summation",
        "Is 'ijk' a valid subscript for a 2-D array?",
        "No. A term without '...' needs exactly one letter per axis; numpy raises a ValueError (three labels "
        "for two axes).",
        _q3,
    ),
    Question(
        "Q4",
        "summation",
        "Can einsum add two arrays element by element?",
        "No. Inputs that share a letter are multiplied, and letters missing from the output are summed; "
        "there is no way to ask for a + b. Write the addition in plain numpy.",
        _q4,
    ),
    Question(
        "Q5",
        "matmul",
        "For a of shape (3, 2) and b of shape (4, 2), why is a @ b.T written 'ij,kj->ik'?",
        "a @ b.T pairs each row of a with each row of b along their common length-2 axis, which is axis 1 of "
        "both arrays. Giving that axis the same letter j in both terms makes einsum multiply along it, and "
        "leaving j out of the output sums it. The rows, i of a and k of b, index the result.",
        _q5,
    ),
    Question(
        "Q6",
        "matmul",
        "For a of shape (3, 2) and b of shape (4, 2), what is the difference between "
        "np.einsum('ij,jk->ik', a, b.T) and np.einsum('ij,kj->ik', a, b)?",
        "The results are equal. The first transposes b in numpy and then writes a plain matrix product; "
        "the second leaves b as it is and says in the subscript which axes meet. b.T is only a view, so "
        "neither copies b: the second is simply more direct.",
        _q6,
    ),
    Question(
        "Q7",
        "implicit",
        "What are the pros and cons of subscripts without an arrow?",
        "Pro: they are shorter. Con: the output is implicit and follows a rule that surprises people: it is "
        "every letter used exactly once, sorted by character code (uppercase before lowercase). So 'ji' "
        "transposes (it is not the identity), 'ii' is the trace, 'kij' on a (2, 3, 4) array gives (3, 4, 2), and "
        "renaming letters can reorder the result. An explicit '->' says exactly which axes come back, in "
        "which order.",
        _q7,
    ),
    Question(
        "Q8",
        "ellipsis",
        "When is the ellipsis useful, and when is it better to name the axes?",
        "'...' is useful when the number of leading (batch) axes varies: one subscript such as "
        "'...j,jk->...k' then works for a single vector, a matrix or a stack of any depth, and numpy broadcasts "
        "the covered axes. Name the axes when they are fixed and meaningful (batch, heads, time): names "
        "document the code and catch shape mistakes that '...' would silently broadcast.",
        _q8,
    ),
)

SHAPE_QUESTIONS: tuple[ShapeQuestion, ...] = (
    ShapeQuestion("S1", "summation", "ijk->", ((2, 3, 4),), "every letter is left out, so everything is summed"),
    ShapeQuestion("S2", "axis-sums", "ijk->ki", ((2, 3, 4),), "j is summed; k and i are kept in that order"),
    ShapeQuestion("S3", "diagonal", "iij->j", ((3, 3, 5),), "the repeated i is a diagonal that is then summed"),
    ShapeQuestion("S4", "broadcasting", "ij,jk->ik", ((2, 1), (3, 4)), "size 1 stretches to the other size of j"),
    ShapeQuestion("S5", "outer", "ij,kl->ljki", ((2, 3), (4, 5)), "nothing is shared; the output order picks the axes"),
    ShapeQuestion("S6", "matmul", "bij,bjk->bki", ((6, 2, 3), (6, 3, 4)), "a batched product, then a transpose"),
    ShapeQuestion("S7", "implicit", "kij", ((2, 3, 4),), "the implicit output is sorted: ijk"),
    ShapeQuestion("S8", "implicit", "Ba,aC", ((2, 3), (3, 4)), "uppercase sorts before lowercase: the output is BC"),
    ShapeQuestion("S9", "implicit", "ij...", ((2, 3, 5),), "the ... dimensions come first, then the sorted i and j"),
    ShapeQuestion(
        "S10", "ellipsis", "...ij,...jk->...ik", ((5, 1, 2, 3), (7, 3, 4)), "the ... axes broadcast: (5, 1) with (7,)"
    ),
    ShapeQuestion("S11", "ellipsis", "i...->...", ((2, 3, 4),), "the first axis is summed, the rest are kept"),
    ShapeQuestion(
        "S12", "multi-head", "blhk,bmhk->bhlm", ((2, 5, 4, 8), (2, 5, 4, 8)), "per head, every query against every key"
    ),
)
