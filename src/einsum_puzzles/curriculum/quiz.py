"""Comprehension questions and predict-the-shape questions, for every section of the course.

Ids run in course order, lesson by lesson: Q1, Q2, ... and S1, S2, ... as the quiz lists them (the
linter checks it). The seed notebook's eight questions are Q5-Q8 (summation), Q15-Q16 (matmul), Q17
(implicit) and Q18 (ellipsis), with corrected answers; the others cover the sections the seed had no
question for. Every comprehension answer's claims are
proved by its ``check``, which runs numpy (and ``ep.solve`` for "no einsum can do this"); the linter
calls every check and checks that each subscript a question quotes and each shape it states is computed
there. Numbers an answer states (a wrapped sum, a count of multiply-adds) are computed when the module
loads, never typed. Shape answers are computed by ``ep.bind``.
"""

from __future__ import annotations

import math
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


# Helpers for the checks: each check proves every claim its answer makes, and these compute the
# numbers answers state.


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _shape(subscript: str, *shapes: tuple[int, ...]) -> tuple[int, ...]:
    from ..contraction import bind

    return bind(subscript, *shapes).output_shape


def _loop_steps(subscript: str, *shapes: tuple[int, ...]) -> int:
    """Multiply-add steps of one loop over every letter at once (numpy's default, optimize=False)."""
    from ..contraction import bind

    return math.prod(bind(subscript, *shapes).sizes.values())


def _permutation(subscript: str) -> tuple[int, ...]:
    """The ``axes`` argument of np.transpose that does what a one-operand reordering subscript does."""
    source, target = subscript.split("->")
    return tuple(source.index(label) for label in target)


def _raises(subscript: str, *arrays: np.ndarray) -> bool:
    try:
        np.einsum(subscript, *arrays)
    except ValueError:
        return True
    return False


def _no_einsum_gives(inputs: list[np.ndarray], target: np.ndarray) -> bool:
    """True when no einsum at all (every subscript, whatever the letters) maps ``inputs`` to ``target``."""
    from ..find.search import solve

    return solve(inputs, target) == []


# The checks, in course order (Q1 is the first lesson's first question).


def _q1() -> bool:
    a = _rng(9).standard_normal((2, 3))
    return all(np.array_equal(np.einsum(s, a), a) for s in ("ab->ab", "ij->ij", "iJ->iJ"))


def _q2() -> bool:
    x = _rng(10).standard_normal((2, 3, 4))
    return _raises("ij->ij", x) and np.array_equal(np.einsum("ijk->ijk", x), x)


def _q3() -> bool:
    a, b = _rng(11).standard_normal((2, 3, 3))
    symmetric = b + b.T
    return bool(
        np.array_equal(np.einsum("ij,ji->ij", a, b), a * b.T)
        and not np.allclose(np.einsum("ij,ij->ij", a, b), np.einsum("ij,ji->ij", a, b))
        and np.array_equal(np.einsum("ij,ij->ij", a, symmetric), np.einsum("ij,ji->ij", a, symmetric))
    )


_Q4_SHAPES = ((2, 3), (3, 2))


def _q4() -> bool:
    rng = _rng(12)
    a, b = rng.standard_normal(_Q4_SHAPES[0]), rng.standard_normal(_Q4_SHAPES[1])
    result = np.einsum("ij,ji->ij", a, b)
    return _raises("ij,ij->ij", a, b) and np.array_equal(result, a * b.T)


def _q5() -> bool:
    a, b = np.array([1.0, 2, 3]), np.array([4.0, 5, 6])
    return bool(np.array_equal(np.einsum("i->i", a), a) and np.array_equal(np.einsum("i,i->i", a, b), a * b))


def _q6() -> bool:
    a = np.arange(6).reshape(2, 3)
    return bool(np.array_equal(np.einsum("ij->ji", a), a.T))


def _q7() -> bool:
    try:
        np.einsum("ijk", np.ones((2, 3)))
    except ValueError:
        return True
    return False


def _q8() -> bool:
    # Only products: a sum of two arrays needs a second operation, such as a + b.
    a, b = np.ones(3), np.full(3, 2.0)
    return bool(np.array_equal(np.einsum("i,i->i", a, b), a * b))


def _q9() -> bool:
    a, b = _rng(28).standard_normal((2, 2, 3))
    out = np.einsum("ij,ij->i", a, b)
    return bool(np.allclose(out, np.sum(a * b, axis=1)) and not np.allclose(out, a.sum(axis=1) * b.sum(axis=1)))


_Q10_SHAPE = (3, 4, 3)


def _q10() -> bool:
    a = _rng(29).standard_normal(_Q10_SHAPE)
    out = np.einsum("iji->j", a)
    return bool(np.allclose(out, np.trace(a, axis1=0, axis2=2)) and np.allclose(out[1], np.trace(a[:, 1, :])))


def _q11() -> bool:
    rng = _rng(30)
    a, v = rng.standard_normal((3, 4)), rng.standard_normal(3)
    try:
        a * v
    except ValueError:
        return bool(np.array_equal(np.einsum("ij,i->ij", a, v), a * v[:, None]))
    return False


_Q12_SHAPES = ((2, 3), (4,))


def _q12() -> bool:
    rng = _rng(31)
    a, b = rng.standard_normal(_Q12_SHAPES[0]), rng.standard_normal(_Q12_SHAPES[1])
    kept = np.einsum("ij,k->ijk", a, b)
    flat = np.einsum("i,j->ij", a.ravel(), b)  # what np.outer does: a is flattened first
    return bool(
        np.array_equal(kept, np.multiply.outer(a, b))
        and np.array_equal(flat, np.outer(a, b))
        and np.array_equal(kept.reshape(flat.shape), flat)
    )


_Q13_SUBSCRIPT, _Q13_SHAPE = "ijkl->kilj", (2, 3, 4, 5)


def _q13() -> bool:
    a = _rng(13).standard_normal(_Q13_SHAPE)
    return bool(np.array_equal(np.einsum(_Q13_SUBSCRIPT, a), np.transpose(a, _permutation(_Q13_SUBSCRIPT))))


def _q14() -> bool:
    a, b = _rng(14).standard_normal((2, 2, 3))
    out = np.einsum("ij,ij->ji", a, b)
    return bool(np.array_equal(out, (a * b).T) and np.array_equal(out, a.T * b.T) and out[2, 1] == a[1, 2] * b[1, 2])


def _q15() -> bool:
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 2)), rng.standard_normal((4, 2))
    return bool(np.allclose(np.einsum("ij,kj->ik", a, b), a @ b.T))


def _q16() -> bool:
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((3, 2)), rng.standard_normal((4, 2))
    return bool(np.allclose(np.einsum("ij,jk->ik", a, b.T), np.einsum("ij,kj->ik", a, b)))


def _q17() -> bool:
    a = np.arange(6).reshape(2, 3)
    m = np.arange(9).reshape(3, 3)
    return bool(
        np.array_equal(np.einsum("ji", a), a.T)
        and np.einsum("ii", m) == np.trace(m)
        and np.einsum("kij", np.ones((2, 3, 4))).shape == (3, 4, 2)
        and np.einsum("Ba", np.ones((2, 3))).shape == (2, 3)
    )


def _q18() -> bool:
    rng = np.random.default_rng(2)
    w = rng.standard_normal((5, 6))
    one = rng.standard_normal((4, 5))
    many = rng.standard_normal((2, 3, 4, 5))
    return bool(
        np.allclose(np.einsum("...j,jk->...k", one, w), one @ w)
        and np.allclose(np.einsum("...j,jk->...k", many, w), many @ w)
    )


def _q19() -> bool:
    rng = _rng(15)
    q, k = rng.standard_normal((2, 2, 5, 3))
    table = q @ np.swapaxes(k, -1, -2)
    one_letter = np.einsum("blk,blk->bl", q, k)
    two_letters = np.einsum("blk,bmk->blm", q, k)
    return bool(
        one_letter.shape == (2, 5)
        and np.allclose(one_letter, np.diagonal(table, axis1=1, axis2=2))
        and two_letters.shape == (2, 5, 5)
        and np.allclose(two_letters, table)
    )


def _q20() -> bool:
    rng = _rng(16)
    scores, mask = rng.standard_normal((2, 3, 4)), rng.standard_normal((3, 4))
    scale = np.float64(1 / np.sqrt(3))
    return bool(
        _no_einsum_gives([scores, mask], scores + mask)
        and _no_einsum_gives([scores], np.exp(scores))
        and np.allclose(np.einsum(",blm->blm", scale, scores), scores / np.sqrt(3))
    )


def _q21() -> bool:
    rng = _rng(32)
    b, n, d, h, k = 2, 5, 6, 2, 3
    x, w, w_o = rng.standard_normal((b, n, d)), rng.standard_normal((d, h, k)), rng.standard_normal((h, k, d))
    split = (x @ w.reshape(d, h * k)).reshape(b, n, h, k)
    heads = np.einsum("bld,dhk->blhk", x, w)
    merged = split.reshape(b, n, h * k) @ w_o.reshape(h * k, d)
    return bool(np.allclose(heads, split) and np.allclose(np.einsum("blhk,hkd->bld", heads, w_o), merged))


def _q22() -> bool:
    a, b, c = _rng(17).standard_normal((3, 3, 3))
    value = np.einsum("ij,jk,ki->", a, b, c)
    return bool(np.shape(value) == () and np.allclose(value, np.trace(a @ b @ c)))


def _q23() -> bool:
    rng = _rng(18)
    a, b, c = rng.standard_normal(3), rng.standard_normal((3, 4)), rng.standard_normal(3)
    out = np.einsum("i,ij,i->j", a, b, c)
    return bool(np.allclose(out, (a * c) @ b) and not np.allclose(out, (a @ b) * c.sum()))


def _q24() -> bool:
    rng = _rng(19)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    value = np.einsum("ij,ij->", a, b)
    return bool(np.allclose(value, np.trace(a.T @ b)) and np.allclose(value, (a * b).sum()))


def _q25() -> bool:
    x = _rng(20).standard_normal((2, 3))
    kept = x.sum(axis=1, keepdims=True)
    return _no_einsum_gives([x], kept) and bool(np.allclose(np.einsum("ij->i", x)[:, None], kept))


_Q26_SHAPES = ((2, 300), (300, 300), (300, 300))


_Q26_LEFT = _loop_steps("ij,jk->ik", _Q26_SHAPES[0], _Q26_SHAPES[1]) + _loop_steps(
    "ik,kl->il", (_Q26_SHAPES[0][0], _Q26_SHAPES[1][1]), _Q26_SHAPES[2]
)


_Q26_RIGHT = _loop_steps("jk,kl->jl", _Q26_SHAPES[1], _Q26_SHAPES[2]) + _loop_steps(
    "ij,jl->il", _Q26_SHAPES[0], (_Q26_SHAPES[1][0], _Q26_SHAPES[2][1])
)


_Q26_NAIVE = _loop_steps("ij,jk,kl->il", *_Q26_SHAPES)


def _q26() -> bool:
    rng = _rng(21)
    a, b, c = (rng.standard_normal(shape) for shape in _Q26_SHAPES)
    path, _ = np.einsum_path("ij,jk,kl->il", a, b, c, optimize="optimal")
    return bool(
        path == ["einsum_path", (0, 1), (0, 1)]  # a with b first
        and _Q26_LEFT < _Q26_RIGHT < _Q26_NAIVE
        and np.allclose((a @ b) @ c, a @ (b @ c))
        and np.allclose(np.einsum("ij,jk,kl->il", a, b, c, optimize=True), (a @ b) @ c)
    )


def _q27() -> bool:
    rng = _rng(22)
    a, b = rng.standard_normal((40, 30)), rng.standard_normal((30, 20))
    return bool(
        np.allclose(np.einsum("ij,jk->ik", a, b), a @ b)
        and np.allclose(np.einsum("ij,jk->ik", a, b, optimize=True), a @ b)
    )


_Q28_VALUES = np.full(200, 100, dtype=np.int8)


_Q28_WRAPPED = int(np.einsum("i->", _Q28_VALUES))


def _q28() -> bool:
    true_sum = 200 * 100
    return bool(
        np.sum(_Q28_VALUES) == true_sum
        and np.einsum("i->", _Q28_VALUES).dtype == np.int8
        and (true_sum + 128) % 256 - 128 == _Q28_WRAPPED
        and np.einsum("i->", _Q28_VALUES, dtype=np.int64) == true_sum
        and np.einsum("i->", _Q28_VALUES.astype(np.int64)) == true_sum
    )


def _q29() -> bool:
    rng = _rng(24)
    for _ in range(20):
        m, n = rng.integers(0, 2, size=(2, 6)).astype(bool)
        both = np.einsum("i,i->", m, n)
        counted = np.einsum("i,i->", m.astype(int), n.astype(int))
        if both.dtype != np.bool_ or bool(both) != bool(np.any(m & n)) or counted != np.count_nonzero(m & n):
            return False
    return True


def _q30() -> bool:
    m = _rng(25).standard_normal((3, 3))
    d = np.einsum("ii->i", m)
    t = np.einsum("ii->", m)
    if not (np.shares_memory(d, m) and d.flags.writeable) or np.shares_memory(t, m):
        return False
    d[0] = 5.0
    return bool(m[0, 0] == 5.0)


def _q31() -> bool:
    x = _rng(26).standard_normal((2, 3, 4))
    return bool(
        np.allclose(np.einsum("ijk,k->ij", x, np.full(4, 0.25)), x.mean(axis=2))
        and _no_einsum_gives([x], x.max(axis=2))
    )


def _q32() -> bool:
    v = _rng(27).standard_normal(4)
    return bool(
        _raises("i->ii", v)
        and _no_einsum_gives([v], np.diag(v))
        and np.array_equal(np.einsum("i,ij->ij", v, np.eye(4)), np.diag(v))
        and np.array_equal(np.einsum("i,j->ij", v, v[::-1]), np.outer(v, v[::-1]))
    )


QUESTIONS: tuple[Question, ...] = (
    Question(
        "Q1",
        "identity",
        "Do 'ab->ab', 'ij->ij' and 'iJ->iJ' compute different things on a 2-D array?",
        "No: all three return the array unchanged. A letter only names an axis, so which letters you choose "
        "does not matter as long as each axis keeps its name on both sides of the arrow. 'J' and 'j' are two "
        "different names, but each name here is used for one axis only, so that makes no difference either.",
        _q1,
    ),
    Question(
        "Q2",
        "identity",
        "x has shape (2, 3, 4) and np.einsum('ij->ij', x) raises an error. Why, and which subscript returns "
        "x unchanged?",
        "A term must name every axis of its array, one letter each. This term names two axes (i and j) "
        "and x has three, so numpy raises a ValueError rather than guess which axis was left out. "
        "'ijk->ijk' works: three different letters, kept in the same order.",
        _q2,
    ),
    Question(
        "Q3",
        "multiplication",
        "a and b are both 3x3. Do np.einsum('ij,ij->ij', a, b) and np.einsum('ij,ji->ij', a, b) give the same matrix?",
        "Not in general. Letters match axes by name, not by position: in the second subscript i is b's second "
        "axis and j its first, so a[i, j] is multiplied by b[j, i], and the result is a * b.T. The two agree "
        "only when b equals its own transpose (a symmetric b).",
        _q3,
    ),
    Question(
        "Q4",
        "multiplication",
        f"a has shape {_Q4_SHAPES[0]} and b has shape {_Q4_SHAPES[1]}. Why does np.einsum('ij,ij->ij', a, b) "
        "fail while np.einsum('ij,ji->ij', a, b) works?",
        f"In the first, i names an axis of length {_Q4_SHAPES[0][0]} in a and one of length "
        f"{_Q4_SHAPES[1][0]} in b. A shared letter stands for one axis, so it must have one length, and numpy "
        "raises a ValueError. In the second, each letter pairs two axes of equal length (i is a's first axis "
        f"and b's second), so the product is a * b.T, of shape {_shape('ij,ji->ij', *_Q4_SHAPES)}.",
        _q4,
    ),
    Question(
        "Q5",
        "summation",
        "'i->i' returns its input unchanged, but 'i,i->i' multiplies. Why?",
        "In 'i,i->i' the letter i names an axis of two different inputs, so einsum lines those axes up and "
        "multiplies them element by element. In 'i->i' there is one input, nothing to multiply with, and the "
        "axis is kept: the result is the input.",
        _q5,
    ),
    Question(
        "Q6",
        "summation",
        "What does 'ij->ji' do to a matrix?",
        "It transposes it: the output's first axis is the input's second one.",
        _q6,
    ),
    Question(
        "Q7",
        "summation",
        "Is 'ijk' a valid subscript for a 2-D array?",
        "No. A term without '...' needs exactly one letter per axis; numpy raises a ValueError (three labels "
        "for two axes).",
        _q7,
    ),
    Question(
        "Q8",
        "summation",
        "Can einsum add two arrays element by element?",
        "No. Inputs that share a letter are multiplied, and letters missing from the output are summed; "
        "there is no way to ask for a + b. Write the addition in plain numpy.",
        _q8,
    ),
    Question(
        "Q9",
        "axis-sums",
        "a and b have shape (2, 3). Is np.einsum('ij,ij->i', a, b) the row sums of a times the row sums of b?",
        "No: it is the row sums of the product, np.sum(a * b, axis=1), one dot product per row. einsum first "
        "multiplies every pair of elements that the letters match, and only then sums the letters left out of "
        "the output. A sum of products is not a product of sums.",
        _q9,
    ),
    Question(
        "Q10",
        "diagonal",
        f"a has shape {_Q10_SHAPE}. What does np.einsum('iji->j', a) compute?",
        "For each j, the trace of the square matrix a[:, j, :]. The first and third axes share the letter i, "
        "so only the elements a[i, j, i] are read (the repeated letter need not be on neighbouring axes), and "
        f"i is summed because it is left out of the output. The result has shape {_shape('iji->j', _Q10_SHAPE)}, "
        "the same as np.trace(a, axis1=0, axis2=2).",
        _q10,
    ),
    Question(
        "Q11",
        "broadcasting",
        "a has shape (3, 4) and v has shape (3,). a * v raises an error. How does einsum multiply each row "
        "i of a by v[i], and what is the numpy spelling?",
        "'ij,i->ij'. The letter i says that v runs along a's first axis, so nothing has to line up from the "
        "right, where numpy finds 4 against 3 and gives up. numpy needs the axis added by hand: a * v[:, None].",
        _q11,
    ),
    Question(
        "Q12",
        "outer",
        f"a has shape {_Q12_SHAPES[0]} and b has shape {_Q12_SHAPES[1]}. How does np.einsum('ij,k->ijk', a, b) "
        "differ from np.outer(a, b)?",
        "Both multiply every element of a by every element of b, but np.outer flattens a first, so its result "
        f"has shape {_shape('i,j->ij', (math.prod(_Q12_SHAPES[0]),), _Q12_SHAPES[1])}. The einsum keeps every "
        f"axis, shape {_shape('ij,k->ijk', *_Q12_SHAPES)}, which is np.multiply.outer(a, b); reshaping it "
        "gives np.outer's matrix.",
        _q12,
    ),
    Question(
        "Q13",
        "permutation",
        f"a has shape {_Q13_SHAPE}. Which call np.transpose(a, axes) gives the same result as "
        f"np.einsum('{_Q13_SUBSCRIPT}', a)?",
        f"np.transpose(a, {_permutation(_Q13_SUBSCRIPT)}). Take the output letters in order and write down "
        "where each one sits in the input: "
        + ", ".join(f"{label} is axis {_Q13_SUBSCRIPT.index(label)}" for label in _Q13_SUBSCRIPT.split("->")[1])
        + f". The result has shape {_shape(_Q13_SUBSCRIPT, _Q13_SHAPE)}.",
        _q13,
    ),
    Question(
        "Q14",
        "permutation",
        "Does np.einsum('ij,ij->ji', a, b) transpose a and b before multiplying them, or transpose their product?",
        "Both readings give the same array, because einsum has no order of steps. It fills each element of "
        "the output directly, out[j, i] = a[i, j] * b[i, j]: the letters say which elements meet, and the "
        "output order only says how the result is laid out. So the result equals (a * b).T and also a.T * b.T.",
        _q14,
    ),
    Question(
        "Q15",
        "matmul",
        "For a of shape (3, 2) and b of shape (4, 2), why is a @ b.T written 'ij,kj->ik'?",
        "a @ b.T pairs each row of a with each row of b along their common length-2 axis, which is axis 1 of "
        "both arrays. Giving that axis the same letter j in both terms makes einsum multiply along it, and "
        "leaving j out of the output sums it. The rows, i of a and k of b, index the result.",
        _q15,
    ),
    Question(
        "Q16",
        "matmul",
        "For a of shape (3, 2) and b of shape (4, 2), what is the difference between "
        "np.einsum('ij,jk->ik', a, b.T) and np.einsum('ij,kj->ik', a, b)?",
        "The results are equal. The first transposes b in numpy and then writes a plain matrix product; "
        "the second leaves b as it is and says in the subscript which axes meet. b.T is only a view, so "
        "neither copies b: the second is simply more direct.",
        _q16,
    ),
    Question(
        "Q17",
        "implicit",
        "What are the pros and cons of subscripts without an arrow?",
        "Pro: they are shorter. Con: the output is implicit and follows a rule that surprises people: it is "
        "every letter used exactly once, sorted by character code (uppercase before lowercase). So 'ji' "
        "transposes (it is not the identity), 'ii' is the trace, 'kij' on a (2, 3, 4) array gives (3, 4, 2), and "
        "renaming letters can reorder the result. An explicit '->' says exactly which axes come back, in "
        "which order.",
        _q17,
    ),
    Question(
        "Q18",
        "ellipsis",
        "When is the ellipsis useful, and when is it better to name the axes?",
        "'...' is useful when the number of leading (batch) axes varies: one subscript such as "
        "'...j,jk->...k' then works for a single vector, a matrix or a stack of any depth, and numpy broadcasts "
        "the covered axes. Name the axes when they are fixed and meaningful (batch, heads, time): names "
        "document the code and catch shape mistakes that '...' would silently broadcast.",
        _q18,
    ),
    Question(
        "Q19",
        "attention-head",
        "Queries and keys both have shape (b, l, k). Why does the scores einsum give the key positions a "
        "letter of their own, when both sequences have the same length?",
        "Because every query position has to meet every key position. With one letter for both, einsum "
        "lines the two position axes up like any shared letter: query t meets key t only, and the result "
        "is one number per position, shape (b, l), the diagonal of the score table. A second letter keeps "
        "the positions apart, so the output can keep both and hold the whole (b, l, l) table.",
        _q19,
    ),
    Question(
        "Q20",
        "attention-head",
        "Which parts of the attention head stay plain numpy when you write it with einsums, and why?",
        "Adding the mask and the softmax (exponentials, a maximum subtracted for stability, a division by a "
        "sum). einsum only multiplies elements and sums over letters, so no einsum adds two arrays or takes "
        "an exponential. Dividing the scores by the square root of k is a product with a constant: you could "
        "pass that constant to einsum as a 0-d operand (',blm->blm'), but dividing afterwards reads better.",
        _q20,
    ),
    Question(
        "Q21",
        "multi-head",
        "Why does the einsum version of multi-head attention need no reshape or transpose, when the plain "
        "numpy version needs several?",
        "In the numpy version the heads hide inside the model axis and @ treats only the last two axes as a "
        "matrix, so "
        "the code reshapes to split the heads out and transposes to bring them next to the batch. With einsum "
        "the weights carry a head axis of their own, the head gets a letter, and each step names the axes it "
        "keeps in the order it wants them. The output projection sums the head and head-width letters "
        "together, which is what the final reshape and @ of the numpy version do.",
        _q21,
    ),
    Question(
        "Q22",
        "beyond",
        "Apply the method of this section to s = Σ_i Σ_j Σ_k a[i, j] · b[j, k] · c[k, i]. Which subscript is it, "
        "and what shape is the result?",
        "Drop the Σ signs and read the indices off: 'ij,jk,ki->'. Every index sits under a Σ, so none is "
        f"kept and the output is empty: the result is a scalar, shape {_shape('ij,jk,ki->', (3, 3), (3, 3), (3, 3))}. "
        "It is np.trace(a @ b @ c), computed in one call.",
        _q22,
    ),
    Question(
        "Q23",
        "beyond",
        "In 'i,ij,i->j' the letter i appears in three operands. Is the result Σ_i a[i] · b[i, j] · c[i], or "
        "(Σ_i a[i] · b[i, j]) · (Σ_i c[i])?",
        "The first. A letter is one index: for each value of i, all three operands that carry it are "
        "multiplied, and then there is a single sum over i. So the result is (a * c) @ b, not (a @ b) * "
        "c.sum().",
        _q23,
    ),
    Question(
        "Q24",
        "from-numpy",
        "a and b have shape (3, 4). Which single einsum computes np.trace(a.T @ b), and what is it?",
        "'ij,ij->'. Name a's axes i and j, so a.T has axes j and i. The product a.T @ b pairs a.T's last "
        "axis with b's first, so b's first axis is i too, and its second gets a new letter, say k. The trace "
        "then ties j and k into one letter, and nothing is left on the output. Every pair of matching "
        "elements is multiplied and everything is summed: it is (a * b).sum(), the sum of the elementwise "
        "product.",
        _q24,
    ),
    Question(
        "Q25",
        "from-numpy",
        "x has shape (2, 3), and x.sum(axis=1) is 'ij->i'. Why is there no einsum for x.sum(axis=1, keepdims=True)?",
        "With keepdims=True an axis of length 1 stays where the summed axis was. Every axis of an einsum's "
        "output is the letter of an input axis, with that axis's length, and x has no axis of length 1: no "
        "letter can name the new axis (ep.solve finds no einsum of x that gives it). Sum with 'ij->i' and "
        "add the axis back with [:, None].",
        _q25,
    ),
    Question(
        "Q26",
        "cost",
        f"a has shape {_Q26_SHAPES[0]}, b and c have shape {_Q26_SHAPES[1]}. Which is cheaper, (a @ b) @ c or "
        "a @ (b @ c)? And what does np.einsum('ij,jk,kl->il', a, b, c) cost with the default optimize=False?",
        f"(a @ b) @ c: both of its products keep a's {_Q26_SHAPES[0][0]} rows, {_Q26_LEFT:,} multiply-adds "
        f"in all, against {_Q26_RIGHT:,} for a @ (b @ c), whose first product is a full "
        f"{_Q26_SHAPES[1][0]}x{_Q26_SHAPES[2][1]} matrix. The default einsum takes neither order: it runs one "
        f"loop over i, j, k and l at once, {_Q26_NAIVE:,} steps. With optimize=True numpy finds the cheap "
        "order itself (np.einsum_path shows it contracting a with b first).",
        _q26,
    ),
    Question(
        "Q27",
        "cost",
        "np.einsum('ij,jk->ik', a, b) and a @ b do the same multiply-adds. Why can the einsum still be much "
        "slower on large matrices?",
        "With optimize=False, einsum runs its own generic loop and does not call BLAS, the tuned library "
        "behind @ that blocks the work for the cache and uses the processor's vector instructions. Pass "
        "optimize=True and numpy hands the pair to tensordot, which uses BLAS. All three give the same "
        "values up to rounding; bench/einsum_cost.py measures the gap on your machine.",
        _q27,
    ),
    Question(
        "Q28",
        "dtype-views",
        "a = np.full(200, 100, dtype=np.int8). np.sum(a) is 20000, but np.einsum('i->', a) is not. Why, and "
        "how do you get 20000 from einsum?",
        "einsum adds in the type of its input, int8, which holds -128 to 127: the running total wraps around "
        f"(modulo 256) and the result is {_Q28_WRAPPED}. np.sum adds small integers in a wider integer type. "
        "Ask einsum for a wider type with dtype=np.int64, or widen the input with a.astype(np.int64).",
        _q28,
    ),
    Question(
        "Q29",
        "dtype-views",
        "m and n are boolean masks of the same length. What does np.einsum('i,i->', m, n) return, and how do "
        "you count the positions where both are True?",
        "One boolean: on booleans einsum multiplies with a logical and and sums with a logical or, so it says whether "
        "some position is True in both masks, not how many. To count, convert to integers first: "
        "np.einsum('i,i->', m.astype(int), n.astype(int)), or np.count_nonzero(m & n).",
        _q29,
    ),
    Question(
        "Q30",
        "dtype-views",
        "m is a square float matrix, d = np.einsum('ii->i', m) and t = np.einsum('ii->', m). You set "
        "d[0] = 5.0. What happens to m? Could t change m too?",
        "m[0, 0] becomes 5.0: taking a diagonal does no arithmetic, so numpy returns a view into m's memory "
        "instead of a copy. t cannot: the trace is a sum, a new value computed from m, and shares no memory "
        "with it. Call d.copy() when you want a diagonal of your own.",
        _q30,
    ),
    Question(
        "Q31",
        "limits",
        "x has shape (2, 3, 4). einsum has no mean, yet np.einsum('ijk,k->ij', x, np.full(4, 0.25)) equals "
        "x.mean(axis=2). Is that a contradiction? Does a similar trick give x.max(axis=2)?",
        "No contradiction: einsum still cannot divide, but a mean is a sum of terms each multiplied by 1/n, "
        "and a constant passed as an operand (here 0.25 along k) is multiplied like any other. A maximum is "
        "not a sum of products: ep.solve, which tries every einsum of x, finds none that gives "
        "x.max(axis=2). Take np.max of an einsum's result instead.",
        _q31,
    ),
    Question(
        "Q32",
        "limits",
        "Why can einsum turn two vectors into an outer product ('i,j->ij') but not put one vector on a "
        "diagonal ('i->ii')?",
        "Each element of an outer product is one product, a[i] * b[j], which is what einsum computes. A "
        "diagonal matrix also has zeros off the diagonal, which no product of v's elements makes (ep.solve "
        "finds no einsum of v that gives np.diag(v)), and numpy refuses a letter repeated in the output "
        "with a ValueError. Use np.diag(v), or give einsum the identity "
        "matrix as a second operand: np.einsum('i,ij->ij', v, np.eye(len(v))).",
        _q32,
    ),
)

SHAPE_QUESTIONS: tuple[ShapeQuestion, ...] = (
    ShapeQuestion("S1", "multiplication", "ij,jk->ijk", ((2, 3), (3, 4)), "j is shared but kept, so nothing is summed"),
    ShapeQuestion("S2", "summation", "ijk->", ((2, 3, 4),), "every letter is left out, so everything is summed"),
    ShapeQuestion("S3", "axis-sums", "ijk->ki", ((2, 3, 4),), "j is summed; k and i are kept in that order"),
    ShapeQuestion("S4", "diagonal", "iij->j", ((3, 3, 5),), "the repeated i is a diagonal that is then summed"),
    ShapeQuestion("S5", "broadcasting", "ij,jk->ik", ((2, 1), (3, 4)), "size 1 stretches to the other size of j"),
    ShapeQuestion("S6", "outer", "ij,kl->ljki", ((2, 3), (4, 5)), "nothing is shared; the output order picks the axes"),
    ShapeQuestion("S7", "permutation", "ijk->ikj", ((2, 3, 4),), "the output order is i, k, j: j moves to the end"),
    ShapeQuestion("S8", "matmul", "bij,bjk->bki", ((6, 2, 3), (6, 3, 4)), "a batched product, then a transpose"),
    ShapeQuestion("S9", "implicit", "kij", ((2, 3, 4),), "the implicit output is sorted: ijk"),
    ShapeQuestion("S10", "implicit", "Ba,aC", ((2, 3), (3, 4)), "uppercase sorts before lowercase: the output is BC"),
    ShapeQuestion("S11", "implicit", "ij...", ((2, 3, 5),), "the ... dimensions come first, then the sorted i and j"),
    ShapeQuestion(
        "S12", "ellipsis", "...ij,...kj->...ik", ((5, 1, 2, 3), (7, 4, 3)), "the ... axes broadcast: (5, 1) with (7,)"
    ),
    ShapeQuestion("S13", "ellipsis", "i...->...", ((2, 3, 4),), "the first axis is summed, the rest are kept"),
    ShapeQuestion(
        "S14",
        "multi-head",
        "bhlk,bhmk->bhlm",
        ((2, 4, 5, 8), (2, 4, 6, 8)),
        "per head, every query against every key: both position letters, l and m, are kept",
    ),
    ShapeQuestion(
        "S15",
        "cost",
        "ij,kj->ik",
        ((1000, 4), (1000, 4)),
        "both row axes are kept: a @ b.T is n by n, which is why (x @ x.T) @ x is the slow order",
    ),
)
