"""ep.translate: numpy code -> one einsum, checked against the code itself on random shapes."""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import einsum_puzzles as ep
from einsum_puzzles.find.translation import canonical_letters, small_shapes

# (code, operands as "name:dims ..."): every dimension letter gets a random size, different letters
# different sizes (so that a translation that mixes up two axes cannot pass by luck).
CORPUS: list[tuple[str, str]] = [
    ("a", "a:ij"),
    ("a * b", "a:ij b:ij"),
    ("a * b", "a:ij b:j"),
    ("np.multiply(a, b)", "a:ijk b:jk"),
    ("a * b * c", "a:i b:i c:i"),
    ("a[:, None] * b[None, :]", "a:i b:j"),
    ("a[:, np.newaxis] * b", "a:i b:j"),
    ("a[..., None] * b", "a:ij b:k"),
    ("a[None] * b", "a:jk b:ijk"),
    ("np.expand_dims(a, 1) * b", "a:i b:j"),
    ("np.expand_dims(a, (0, 2)) * b", "a:j b:ijk"),
    ("a.T", "a:ij"),
    ("a.T", "a:ijk"),
    ("np.transpose(a)", "a:ijk"),
    ("np.transpose(a, (1, 0, 2))", "a:ijk"),
    ("a.transpose(2, 0, 1)", "a:ijk"),
    ("a.transpose((0, 2, 1))", "a:ijk"),
    ("np.transpose(a, axes=[-1, 0, 1])", "a:ijk"),
    ("np.swapaxes(a, 0, 2)", "a:ijk"),
    ("a.swapaxes(-1, -2)", "a:ijk"),
    ("np.moveaxis(a, 0, -1)", "a:ijk"),
    ("np.moveaxis(a, [0, 1], [2, 0])", "a:ijk"),
    ("a.mT", "a:ijk"),
    ("np.matrix_transpose(a)", "a:ij"),
    ("np.sum(a)", "a:ijk"),
    ("a.sum()", "a:ij"),
    ("np.sum(a, axis=0)", "a:ij"),
    ("a.sum(axis=-1)", "a:ijk"),
    ("a.sum(1)", "a:ijk"),
    ("np.sum(a, axis=(0, 2))", "a:ijk"),
    ("np.sum(a * b, axis=0)", "a:ij b:ij"),
    ("np.sum(a, axis=1, keepdims=True) * b", "a:ij b:ik"),
    ("(a * b).sum(-1)", "a:ij b:ij"),
    ("np.trace(a)", "a:ii"),
    ("a.trace()", "a:ii"),
    ("np.trace(a, axis1=1, axis2=2)", "a:kii"),
    ("np.diagonal(a)", "a:ii"),
    ("a.diagonal()", "a:iij"),
    ("np.diagonal(a, axis1=0, axis2=2)", "a:iji"),
    ("np.diagonal(a, 0, 2, 1)", "a:jii"),
    ("np.outer(a, b)", "a:i b:j"),
    ("np.outer(a, a)", "a:i"),
    ("np.inner(a, b)", "a:i b:i"),
    ("np.inner(a, b)", "a:ij b:kj"),
    ("np.dot(a, b)", "a:i b:i"),
    ("np.dot(a, b)", "a:ij b:jk"),
    ("np.dot(a, b)", "a:ij b:j"),
    ("np.dot(a, b)", "a:ijk b:lkm"),
    ("a.dot(b)", "a:ij b:jk"),
    ("a @ b", "a:ij b:jk"),
    ("a @ b", "a:ij b:j"),
    ("a @ b", "a:j b:jk"),
    ("a @ b", "a:bij b:bjk"),
    ("a @ b", "a:bij b:jk"),
    ("np.matmul(a, b)", "a:cbij b:bjk"),
    ("a @ b @ c", "a:ij b:jk c:kl"),
    ("(a @ b).T", "a:ij b:jk"),
    ("a.T @ b", "a:ji b:jk"),
    ("a @ b.T", "a:ij b:kj"),
    ("np.tensordot(a, b)", "a:ijk b:jkl"),
    ("np.tensordot(a, b, axes=1)", "a:ij b:jk"),
    ("np.tensordot(a, b, axes=0)", "a:i b:j"),
    ("np.tensordot(a, b, axes=([1], [0]))", "a:ij b:jkl"),
    ("np.tensordot(a, b, axes=([1], [0])).sum(axis=1).T", "a:ij b:jkl"),
    ("np.tensordot(a, b, axes=((0, 2), (2, 0)))", "a:ijk b:kli"),
    ("np.vdot(a, b)", "a:i b:i"),
    ("np.vdot(a, b)", "a:ij b:ij"),
    ("np.einsum('ij,jk->ik', a, b)", "a:ij b:jk"),
    ("np.einsum('ij,jk', a, b)", "a:ij b:jk"),
    ("np.einsum('ii', a)", "a:ii"),
    ("np.einsum('ji', a)", "a:ij"),
    ("np.einsum('...ij,...jk->...ik', a, b)", "a:bij b:bjk"),
    ("np.einsum('ij,jk->ik', a @ b, c)", "a:ij b:jk c:kl"),
    ("np.einsum('i,i->i', np.sum(a, axis=1), b)", "a:ij b:i"),
    ("np.squeeze(a)", "a:iuj"),
    ("np.squeeze(a, axis=1)", "a:iuj"),
    ("a.squeeze(0)", "a:uj"),
    ("c = a @ b\nc.T", "a:ij b:jk"),
    ("c = a @ b\nc * c", "a:ij b:jk"),
    ("q = x @ w\nk = x @ v\nq @ k.T", "x:ld w:dk v:dk"),
    ("import numpy as np\nnp.sum(a * a)", "a:ij"),
    ("s = np.sum(a, axis=0)\nnp.outer(s, b)", "a:ij b:k"),
    ("np.sum(a[:, :, None] * b[:, None, :], axis=0)", "a:ij b:ik"),
    ("np.einsum('bhqd,bhkd->bhqk', q, k)", "q:bhid k:bhjd"),
    ("np.diagonal(a @ b)", "a:ij b:ji"),
    ("np.trace(a @ b)", "a:ij b:ji"),
    ("np.sum(np.diagonal(a, axis1=1, axis2=2), axis=-1)", "a:kii"),
]

# (code, operands, the operation the message must name, words the reason must contain)
REFUSED: list[tuple[str, dict[str, Any], str, str]] = [
    ("a + b", {"a": (2, 3), "b": (2, 3)}, "a + b at column 1", "only multiplies and sums"),
    ("np.sum(a + b)", {"a": (2, 3), "b": (2, 3)}, "a + b at column 8", "only multiplies and sums"),
    ("a - b", {"a": (2,), "b": (2,)}, "a - b", "only multiplies and sums"),
    ("a / b", {"a": (2,), "b": (2,)}, "a / b", "cannot divide"),
    ("a ** 2", {"a": (2,)}, "a ** 2", "power"),
    ("-a", {"a": (2,)}, "-a", "negation"),
    ("2 * a", {"a": (2,)}, "2 at column 1", "constant"),
    ("a * 0.5", {"a": (2,)}, "0.5 at column 5", "constant"),
    ("np.exp(a)", {"a": (2,)}, "np.exp(a)", "applied to each element"),
    ("np.tanh(a @ b)", {"a": (2, 3), "b": (3,)}, "np.tanh(a @ b)", "applied to each element"),
    ("np.max(a, axis=0)", {"a": (2, 3)}, "np.max(a, axis=0)", "maximum"),
    ("a.max()", {"a": (2, 3)}, "a.max()", "maximum"),
    ("np.mean(a, axis=0)", {"a": (2, 3)}, "np.mean", "divide"),
    ("a.reshape(6)", {"a": (2, 3)}, "a.reshape(6)", "merges or splits axes"),
    ("np.reshape(a, (3, 2))", {"a": (2, 3)}, "np.reshape", "merges or splits axes"),
    ("a.ravel()", {"a": (2, 3)}, "a.ravel()", "merges axes"),
    ("a[0]", {"a": (2, 3)}, "0 at column 3", "picks elements"),
    ("a[1:]", {"a": (2, 3)}, "1: at column 3", "part of an axis"),
    ("a[idx]", {"a": (2, 3), "idx": (2,)}, "idx at column 3", "fancy indexing"),
    ("np.outer(a, b)", {"a": (2, 3), "b": (4,)}, "np.outer(a, b)", "flattens"),
    ("np.trace(a, offset=1)", {"a": (3, 3)}, "1 at column 20", "offset"),
    ("np.diagonal(a)", {"a": (2, 3)}, "np.diagonal(a)", "not square"),
    ("a[:, None]", {"a": (2,)}, "a[:, None]", "cannot create axes"),
    ("np.sum(a, axis=1, keepdims=True)", {"a": (2, 3)}, "np.sum(a, axis=1, keepdims=True)", "cannot create"),
    ("a @ b", {"a": (2, 3), "b": (4, 5)}, "a @ b at column 1", "must match"),
    ("a * b", {"a": (2, 3), "b": (4,)}, "a * b", "do not broadcast"),
    ("np.vdot(a, b)", {"a": np.ones(3, complex), "b": np.ones(3, complex)}, "np.vdot(a, b)", "conjugates"),
    ("np.vdot(a, b)", {"a": (2, 3), "b": (3, 2)}, "np.vdot(a, b)", "reshape"),
    ("np.concatenate([a, b])", {"a": (2,), "b": (2,)}, "np.concatenate", "join"),
    ("a @ c", {"a": (2, 2)}, "c at column 5", "c's shape is missing (shapes were given for a only); pass it"),
    ("d = c.T\nc = a\nd", {"a": (2,)}, "c at line 1, column 5", "c is used before the line that assigns it"),
    ("np.sum(a, axis=2)", {"a": (2, 3)}, "2 at column 16", "out of range"),
    ("np.squeeze(a, axis=0)", {"a": (2, 3)}, "0 at column 20", "only size-1 axes"),
    ("a if b else c", {"a": (2,), "b": (2,), "c": (2,)}, "a if b else c", "not an operation einsum"),
    ("print(a)", {"a": (2,)}, "print(a)", "not a numpy operation"),
    ("c = a\nc + c", {"a": (2,)}, "c + c at line 2, column 1", "only multiplies and sums"),
    ("np.einsum('ij,jk->ik', a, b)", {"a": (2, 3), "b": (4, 5)}, "np.einsum", "invalid"),
    ("np.linalg.inv(a)", {"a": (2, 2)}, "np.linalg.inv(a)", "not an operation einsum can express"),
    ("a @", {"a": (2,)}, "a @", "not valid Python"),
    ("a.shape", {"a": (2,)}, "a.shape", "attribute"),
    ("np.sum(a, dtype=np.int8)", {"a": (2,)}, "np.int8", "cannot be translated"),
]


def draw_shapes(spec: str, rng: np.random.Generator) -> dict[str, tuple[int, ...]]:
    dims = sorted({d for part in spec.split() for d in part.split(":")[1]})
    free = [d for d in dims if d != "u"]
    sizes = dict(zip(free, (int(s) for s in rng.choice(np.arange(2, 9), size=len(free), replace=False))))
    sizes["u"] = 1
    return {name: tuple(sizes[d] for d in dims_) for name, dims_ in (part.split(":") for part in spec.split())}


def reference(code: str, arrays: dict[str, Any]) -> Any:
    """The test's own evaluation of its own corpus (trusted code), independent of the walker."""
    *lines, last = code.splitlines()
    scope: dict[str, Any] = {"np": np, **arrays}
    for line in lines:
        exec(line, scope)
    return eval(last, scope)


def test_corpus_is_big_enough() -> None:
    assert len(CORPUS) >= 60
    assert len({c for c, _ in CORPUS}) >= 60
    assert len(REFUSED) >= 20


@pytest.mark.parametrize(("code", "spec"), CORPUS, ids=[f"{c} [{s}]" for c, s in CORPUS])
@pytest.mark.parametrize("seed", [0, 1])
def test_translation_computes_what_the_code_computes(code: str, spec: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    shapes = draw_shapes(spec, rng)
    translation = ep.translate(code, **shapes)
    assert translation.verified
    assert translation.call.startswith(f'np.einsum("{translation.subscript}", ')
    arrays = {name: rng.standard_normal(shape) for name, shape in shapes.items()}
    expected = reference(code, arrays)
    got = np.einsum(translation.subscript, *(arrays[name] for name in translation.operands))
    assert got.shape == np.shape(expected)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10)
    assert translation.output_shape == np.shape(expected)
    assert "->" in translation.subscript


@pytest.mark.parametrize(("code", "operands", "where", "reason"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refusal_names_the_operation_and_where(code: str, operands: dict[str, Any], where: str, reason: str) -> None:
    with pytest.raises(ep.TranslateError) as caught:
        ep.translate(code, **operands)
    message = str(caught.value)
    assert message.startswith(where), message
    assert reason in message, message
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("code", "shapes", "subscript", "operands"),
    [
        ("a @ b", {"a": (2, 3), "b": (3, 4)}, "ij,jk->ik", ("a", "b")),
        ("np.sum(a * b, axis=0)", {"a": (2, 5), "b": (2, 5)}, "ij,ij->j", ("a", "b")),
        ("a @ b", {"a": (5, 2, 3), "b": (5, 3, 4)}, "bij,bjk->bik", ("a", "b")),
        ("x.T @ y", {"x": (3, 2), "y": (3, 4)}, "ij,ik->jk", ("x", "y")),
        ("np.outer(v, v)", {"v": (3,)}, "i,j->ij", ("v", "v")),
        ("np.trace(m)", {"m": (3, 3)}, "ii->", ("m",)),
        ("np.einsum('ab,bc->ca', p, q)", {"p": (2, 3), "q": (3, 4)}, "ij,jk->ki", ("p", "q")),
        ("np.tensordot(a, b, axes=([1], [0])).sum(axis=1).T", {"a": (2, 3), "b": (3, 4, 5)}, "ij,jkl->li", ("a", "b")),
        ("c = a @ b\nc * c", {"a": (2, 3), "b": (3, 4)}, "ij,jk,il,lk->ik", ("a", "b", "a", "b")),
    ],
)
def test_canonical_subscript(code: str, shapes: dict[str, Any], subscript: str, operands: tuple[str, ...]) -> None:
    translation = ep.translate(code, **shapes)
    assert translation.subscript == subscript
    assert translation.operands == operands


def test_same_code_same_subscript_whatever_the_names() -> None:
    first = ep.translate("np.tensordot(p, q, axes=1)", p=(2, 3), q=(3, 4))
    second = ep.translate("np.tensordot(x, y, axes=1)", x=(5, 6), y=(6, 7))
    assert first.subscript == second.subscript == "ij,jk->ik"


def test_call_and_explanation() -> None:
    translation = ep.translate("a @ b", a=(2, 3), b=(3, 4))
    assert translation.call == 'np.einsum("ij,jk->ik", a, b)'
    assert str(translation) == translation.call
    assert translation.explanation.operation.name == "matrix product"
    assert translation.explanation.names == ("a", "b")
    assert translation.to_dict()["subscript"] == "ij,jk->ik"


def test_operand_used_twice_gets_distinct_names_in_the_explanation() -> None:
    translation = ep.translate("np.outer(v, v)", v=(3,))
    assert translation.names == ("v", "v_2")
    assert translation.explanation.names == ("v", "v_2")


def test_dtype_is_part_of_the_check() -> None:
    small = np.array([100, 100], dtype=np.int8)
    translation = ep.translate("np.sum(a)", a=small)
    # np.sum upcasts int8 to int64; the einsum keeps int8 unless asked: the call says so, and is right.
    assert translation.dtype == "int64"
    assert translation.call == 'np.einsum("i->", a, dtype=np.int64)'
    assert np.einsum(translation.subscript, small, dtype=np.int64) == np.sum(small)
    floats = ep.translate("a * b", a=np.ones((2, 3), np.float32), b=np.ones(3, np.float32))
    assert floats.dtype is None


def test_integer_wraparound_is_checked() -> None:
    narrow = np.ones((3, 4), np.int8)
    # np.sum(a * b) multiplies in int8 (wrapping around) and then sums in int64: no einsum does both.
    with pytest.raises(ep.TranslateError, match="wraps around in one step of this code and widens to int64"):
        ep.translate("np.sum(a * b)", a=narrow, b=narrow)
    assert ep.translate("a @ b.T", a=narrow, b=narrow).dtype is None  # int8 all the way, like the einsum
    assert ep.translate("np.sum(a * b)", a=narrow.astype(np.int64), b=narrow).dtype is None


def test_low_precision_floats_are_verified_in_double_precision() -> None:
    half = np.ones((3, 4), np.float16)
    assert ep.translate("a * b", a=half, b=half).subscript == "ij,ij->ij"
    assert ep.translate("np.sum(a, axis=0) @ b.T", a=half, b=half).subscript == "ij,kj->k"


def test_shapes_as_text_and_arrays() -> None:
    assert ep.translate("a @ b", a="2x3", b="3x4").subscript == "ij,jk->ik"
    assert ep.translate("a @ b", a=np.ones((2, 3)), b=[[1.0], [2.0], [3.0]]).output_shape == (2, 1)
    with pytest.raises(ep.TranslateError, match="cannot read the shape"):
        ep.translate("a", a="2by3")


def test_large_shapes_are_verified_on_small_ones() -> None:
    translation = ep.translate("a @ b", a=(3000, 2000), b=(2000, 1000))
    assert translation.subscript == "ij,jk->ik"
    assert translation.output_shape == (3000, 1000)
    assert small_shapes({"a": (3000, 2000), "b": (2000, 1, 1000)}) == {"a": (4, 3), "b": (3, 1, 2)}


def test_broadcasting_a_size_one_axis() -> None:
    translation = ep.translate("a * b", a=(3, 1), b=(3, 4))
    assert translation.subscript == "ij,ij->ij"
    assert translation.output_shape == (3, 4)


def test_messages_on_several_lines_give_the_line() -> None:
    with pytest.raises(ep.TranslateError, match=r"^np\.exp\(c\) at line 2, column 1: ") as caught:
        ep.translate("c = a @ b\nnp.exp(c)", a=(2, 3), b=(3,))
    assert caught.value.line == 2 and caught.value.column == 1
    assert caught.value.operation == "np.exp(c)"


def test_not_code() -> None:
    with pytest.raises(ep.TranslateError, match="no code"):
        ep.translate("   ")
    with pytest.raises(ep.TranslateError, match="must be a string"):
        ep.translate(3)  # type: ignore[arg-type]
    with pytest.raises(ep.TranslateError, match="must end with an expression"):
        ep.translate("c = a", a=(2,))
    with pytest.raises(ep.TranslateError, match="needs at least one operand"):
        ep.translate("np.einsum('->')")


def test_never_evaluates_the_code(tmp_path: Any) -> None:
    marker = tmp_path / "ran"
    with pytest.raises(ep.TranslateError):
        ep.translate(f"open({str(marker)!r}, 'w')")
    with pytest.raises(ep.TranslateError):
        ep.translate("__import__('os').system('true')")
    assert not marker.exists()


def test_canonical_letters_rule() -> None:
    assert canonical_letters([(7, 8), (8, 9)], (7, 9)) == {7: "i", 8: "j", 9: "k"}
    assert canonical_letters([(1, 7, 8), (1, 8, 9)], (1, 7, 9)) == {1: "b", 7: "i", 8: "j", 9: "k"}
    assert canonical_letters([(1, 7), (1, 7)], (1,)) == {1: "i", 7: "j"}  # elementwise: no batch


# --- hypothesis: random compositions of the supported operations -----------------------------------------
@st.composite
def programs(draw: st.DrawFn) -> tuple[str, dict[str, tuple[int, ...]]]:
    sizes = st.integers(2, 5)
    shapes: dict[str, tuple[int, ...]] = {}

    def operand(shape: tuple[int, ...]) -> str:
        name = f"x{len(shapes)}"
        shapes[name] = shape
        return name

    lines: list[str] = []
    first = tuple(draw(st.lists(sizes, min_size=1, max_size=3)))
    expr, shape = operand(first), first
    for _ in range(draw(st.integers(1, 4))):
        n = len(shape)
        choice = draw(
            st.sampled_from(
                [
                    "T",
                    "transpose",
                    "sum",
                    "mul",
                    "matmul",
                    "tensordot",
                    "outer",
                    "newaxis",
                    "swap",
                    "einsum",
                    "diag",
                    "reuse",
                ]
            )
        )
        if choice == "T":
            expr, shape = f"({expr}).T", shape[::-1]
        elif choice == "transpose" and n >= 2:
            order = draw(st.permutations(range(n)))
            expr, shape = f"np.transpose({expr}, {tuple(order)})", tuple(shape[k] for k in order)
        elif choice == "sum" and n >= 1:
            axis = draw(st.integers(-n, n - 1))
            expr, shape = f"({expr}).sum(axis={axis})", shape[: axis % n] + shape[axis % n + 1 :]
        elif choice == "mul":
            k = draw(st.integers(0, n))
            other = operand(shape[n - k :])
            expr = f"({expr}) * {other}" if draw(st.booleans()) else f"np.multiply({other}, {expr})"
        elif choice == "matmul" and n >= 1:
            extra = draw(sizes)
            other = operand((shape[-1], extra))
            expr, shape = f"({expr}) @ {other}", (*shape[:-1], extra)
        elif choice == "tensordot" and n >= 1:
            extra = draw(sizes)
            other = operand((extra, shape[0]))
            expr, shape = f"np.tensordot({expr}, {other}, axes=([0], [1]))", (*shape[1:], extra)
        elif choice == "outer" and n == 1:
            other = operand((draw(sizes),))
            expr, shape = f"np.outer({expr}, {other})", (shape[0], shapes[other][0])
        elif choice == "newaxis" and n <= 3:
            other = operand((draw(sizes),))
            expr, shape = f"({expr})[..., None] * {other}", (*shape, shapes[other][0])
        elif choice == "swap" and n >= 2:
            i, j = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
            swapped = list(shape)
            swapped[i], swapped[j] = swapped[j], swapped[i]
            expr, shape = f"np.swapaxes({expr}, {i}, {j})", tuple(swapped)
        elif choice == "einsum" and 1 <= n <= 3:
            letters = "abc"[:n]
            other = operand((shape[-1],))
            expr, shape = f"np.einsum('{letters},{letters[-1]}->{letters[:-1]}', {expr}, {other})", shape[:-1]
        elif choice == "reuse" and n >= 1:
            # a variable used twice: its summed axes must get fresh letters the second time
            name = f"v{len(lines)}"
            lines.append(f"{name} = {expr}")
            expr = f"{name} * {name}"
        elif choice == "diag" and n >= 1:
            other = operand((shape[0], shape[0]))
            expr = f"np.diagonal({other}) * np.moveaxis({expr}, 0, -1)"
            shape = (*shape[1:], shape[0])
    return "\n".join([*lines, expr]), shapes


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_random_compositions_translate_and_verify(program: tuple[str, dict[str, tuple[int, ...]]]) -> None:
    code, shapes = program
    try:
        translation = ep.translate(code, **shapes)
    except ep.TranslateError as exc:
        # a long chain of reuses can exceed the verification budget: refusing is the documented answer
        assume("too many to verify" not in str(exc))
        raise
    assert translation.verified
    rng = np.random.default_rng(7)
    arrays = {name: rng.standard_normal(shape) for name, shape in shapes.items()}
    expected = reference(code, arrays)
    got = np.einsum(translation.subscript, *(arrays[name] for name in translation.operands))
    assert got.shape == np.shape(expected)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9)
    assert re.fullmatch(r"[a-zA-Z,]*->[a-zA-Z]*", translation.subscript)


# --- the lesson, the puzzles that state their target as code -------------------------------------------
def lesson_translations() -> list[tuple[str, dict[str, tuple[int, ...]], str]]:
    from einsum_puzzles.curriculum import section
    from einsum_puzzles.shapes import parse_shape

    text = section("from-numpy").lesson
    block = text.split("```python\n", 1)[1].split("```", 1)[0]
    rows = []
    for line in block.strip().splitlines():
        code, comment = line.split("#", 1)
        shapes_text, subscript = comment.split("->", 1)
        shapes = {n: parse_shape(s) for n, s in (part.split("=") for part in shapes_text.split())}
        rows.append((code.strip(), shapes, subscript.strip()))
    return rows


def test_the_lessons_translations_are_what_translate_says() -> None:
    rows = lesson_translations()
    assert len(rows) >= 5
    for code, shapes, subscript in rows:
        assert ep.translate(code, **shapes).subscript == subscript, code


@pytest.mark.parametrize(
    ("number", "code"),
    [
        (26, "np.tensordot(a, b, axes=([1], [0]))"),
        (27, "np.tensordot(a, b, axes=([0], [1])).transpose(1, 0, 2)"),
        (28, "np.tensordot(a, b, axes=([1], [0])).sum(axis=(1, 2)).T"),
    ],
)
def test_puzzles_stated_as_code_are_solved_by_their_translation(number: int, code: str) -> None:
    puzzle = ep.puzzle(number)
    assert code in puzzle.prompt
    shapes = dict(zip(puzzle.input_names, puzzle.argument_shapes()))
    translation = ep.translate(code, **shapes)
    assert ep.check(number, translation.subscript).correct


# --- faces: command line, notebook magic, web ------------------------------------------------------------
def test_cli_translate(capsys: pytest.CaptureFixture[str]) -> None:
    from einsum_puzzles.cli import main

    assert main(["translate", "np.sum(a * b, axis=0)", "a=2x5", "b=2x5"]) == 0
    out = capsys.readouterr().out
    assert 'np.einsum("ij,ij->j", a, b)' in out and "verified" in out
    assert main(["translate", "c = a @ b\\nc.T", "a=2x3", "b=3x4", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["subscript"] == "ij,jk->ki" and data["explanation"]["operation"]
    assert main(["translate", "a @ b", "a=2x3", "b=3x4", "--explain"]) == 0
    assert "As loops" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["np.sum(a + b, axis=0)", "a=2x5", "b=2x5"], "a + b at column 8: einsum only multiplies and sums"),
        (["a @ b", "a=2y5", "b=5"], "cannot read the shape '2y5'"),
        (["a @ b", "a2x5"], "write each operand as NAME=SHAPE"),
        (["a @ b", "a=2x3", "b=missing.npy"], "missing.npy: no such file"),
    ],
)
def test_cli_translate_refusals(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    from einsum_puzzles.cli import main

    assert main(["translate", *args]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and "Traceback" not in captured.err


def test_cli_translate_subprocess_with_npy(tmp_path: Any) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    np.save(tmp_path / "a.npy", np.ones((2, 3), dtype=np.int8))
    script = Path(sys.executable).with_name("einsum-puzzles")
    env = dict(os.environ, NO_COLOR="1")
    done = subprocess.run(
        [str(script), "translate", "a.sum()", f"a={tmp_path / 'a.npy'}"], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    assert 'np.einsum("ij->", a, dtype=np.int64)' in done.stdout and "\033[" not in done.stdout
    bad = subprocess.run([str(script), "translate", "a - a", "a=2"], capture_output=True, text=True, env=env)
    assert bad.returncode == 2 and bad.stderr.startswith("error: a - a at column 1")


def test_notebook_magic(capsys: pytest.CaptureFixture[str]) -> None:
    from einsum_puzzles.jupyter import load_ipython_extension, translate_magic

    namespace = {"a": np.ones((2, 3)), "b": np.ones((3, 4)), "np": np}
    assert translate_magic("a @ b", namespace=namespace).subscript == "ij,jk->ik"
    assert translate_magic("a @ b.T -- a=2x3 b=4x3").subscript == "ij,kj->ik"
    assert translate_magic("a=2x3 b=3x4", cell="c = a @ b\nc.T").subscript == "ij,jk->ki"
    assert translate_magic("a + b", namespace=namespace) is None
    assert "only multiplies and sums" in capsys.readouterr().out
    assert translate_magic("a @ b -- a=2y3") is None
    assert "cannot read the shape" in capsys.readouterr().out
    html = translate_magic("a @ b", namespace=namespace)._repr_html_()
    assert "np.einsum(&quot;ij,jk-&gt;ik&quot;, a, b)" in html

    class Shell:
        user_ns = namespace

        def __init__(self) -> None:
            self.magics: dict[str, Any] = {}

        def register_magic_function(self, function: Any, magic_kind: str, magic_name: str) -> None:
            self.magics[magic_name] = function

    shell = Shell()
    load_ipython_extension(shell)
    assert shell.magics["einsum_translate"]("np.sum(a, axis=0)").subscript == "ij->j"


@pytest.fixture
def client(tmp_path: Any) -> Any:
    from fastapi.testclient import TestClient

    from einsum_puzzles.web import create_app

    with TestClient(create_app(tmp_path / "web.sqlite3")) as test_client:
        yield test_client


def test_api_translate(client: Any) -> None:
    ok = client.post("/api/translate", json={"code": "a @ b", "operands": {"a": [2, 3], "b": [3, 4]}})
    assert ok.status_code == 200
    data = ok.json()
    assert data["call"] == 'np.einsum("ij,jk->ik", a, b)' and data["verified"] is True
    assert data["operation"] == "matrix product" and 'class="ep-explain"' in data["html"]
    assert data["explain_url"] == "/explain?s=ij%2Cjk-%3Eik&shapes=2x3%2C3x4&names=a%2Cb"
    assert client.get(data["explain_url"]).status_code == 200
    refused = client.post("/api/translate", json={"code": "a + b", "operands": {"a": [2], "b": [2]}})
    assert refused.status_code == 422
    assert refused.json() == {
        "error": "translate",
        "message": "a + b at column 1: einsum only multiplies and sums",
        "operation": "a + b",
        "line": 1,
        "column": 1,
    }
    too_big = client.post("/api/translate", json={"code": "a", "operands": {"a": [100_000, 100_000]}})
    assert too_big.status_code == 422 and too_big.json()["limit"] == "operands"
    long_code = client.post("/api/translate", json={"code": "a*" * 2000 + "a", "operands": {}})
    assert long_code.status_code == 422
    bad_name = client.post("/api/translate", json={"code": "a", "operands": {"not a name": [2]}})
    assert bad_name.status_code == 422


def test_translate_page(client: Any) -> None:
    empty = client.get("/translate")
    assert empty.status_code == 200 and 'id="translate-form"' in empty.text
    assert "<script>" not in empty.text and "style=" not in empty.text
    page = client.get("/translate", params={"code": "np.sum(a * b, axis=0)", "operands": "a=2x5 b=2x5"})
    assert page.status_code == 200
    assert "np.einsum(&#34;ij,ij-&gt;j&#34;, a, b)" in page.text or "np.einsum(&quot;ij,ij-&gt;j&quot;" in page.text
    assert 'class="ep-explain"' in page.text
    refused = client.get("/translate", params={"code": "a + b", "operands": "a=2 b=2"})
    assert "a + b at column 1: einsum only multiplies and sums" in refused.text
    unreadable = client.get("/translate", params={"code": "a", "operands": "a=2y"})
    assert "cannot read the shape" in unreadable.text
    assert client.get("/static/translate.js").status_code == 200


def test_docs_examples_run() -> None:
    import doctest
    from pathlib import Path

    text = (Path(__file__).parent.parent / "docs" / "find.md").read_text(encoding="utf-8")
    blocks = [part.split("```", 1)[0] for part in text.split("```python\n")[1:]]
    assert len(blocks) >= 2
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    # one session: later blocks use what earlier ones imported
    runner.run(doctest.DocTestParser().get_doctest("\n".join(blocks), {}, "docs/find.md", None, 0))
    assert runner.summarize(verbose=False).failed == 0


TOKENS = [
    "a",
    "b",
    "np.",
    "sum",
    "T",
    "(",
    ")",
    "[",
    "]",
    "*",
    "@",
    "+",
    ",",
    ":",
    "None",
    "...",
    "0",
    "-1",
    "=",
    "axis",
    "\n",
    " ",
    "einsum",
    "'ij->'",
    "transpose",
    "dot",
    "x",
    ".",
    "keepdims",
    "True",
    "lambda",
    "**",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=25).map("".join))
def test_any_text_is_translated_or_refused_with_a_translate_error(code: str) -> None:
    try:
        translation = ep.translate(code, a=(2, 3), b=(3, 2))
    except ep.TranslateError as error:
        assert str(error)
    else:
        assert translation.verified


def test_deep_or_exploding_code_is_refused() -> None:
    with pytest.raises(ep.TranslateError, match="nests more than 100 operations"):
        ep.translate("a*" * 999 + "a", a=(2,))
    with pytest.raises(ep.TranslateError, match="numpy takes at most 32"):
        ep.translate("c = a * a\n" + "c = c * c\n" * 10 + "c", a=(2,))
    outer = "a[:, None, None, None] * b[None, :, None, None] * c[None, None, :, None] * d[None, None, None, :]"
    big = ep.translate(outer, a=(10**6,), b=(10**6 - 1,), c=(10**6 - 2,), d=(10**6 - 3,))
    assert big.subscript == "i,j,k,l->ijkl"  # verified on sizes 2, 3, 4, 5 (same pattern)


def test_magic_in_a_real_notebook(tmp_path: Any) -> None:
    import nbformat
    from nbclient import NotebookClient

    cells = [
        "import numpy as np\na = np.ones((2, 3))\nb = np.ones((3, 4))",
        "%load_ext einsum_puzzles",
        "%einsum_translate a @ b",
        "%%einsum_translate x=2x3 y=3x4\nz = x @ y\nz.T",
        "%einsum_translate a + b",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    shown = []
    for cell in notebook.cells:
        assert all(output.output_type != "error" for output in cell.outputs), cell.outputs
        shown.append(
            "\n".join(
                output.get("text", "")
                + output.get("data", {}).get("text/html", "")
                + output.get("data", {}).get("text/plain", "")
                for output in cell.outputs
            )
        )
    assert 'np.einsum("ij,jk->ik", a, b)' in shown[2] and "ep-explain" in shown[2]
    assert 'np.einsum("ij,jk->ki", x, y)' in shown[3]
    assert "a + b at column 1: einsum only multiplies and sums" in shown[4]
