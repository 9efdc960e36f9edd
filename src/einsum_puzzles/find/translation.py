"""numpy code -> one einsum: ``translate("np.tensordot(a, b, axes=([1], [0])).T", a=(2, 3), b=(3, 4))``.

The code is parsed with ``ast`` and traced symbolically (``symbolic.py``); nothing is ``eval``-ed. The
einsum found is then checked: the code is interpreted with numpy (the same walker, only the supported
operations) on random operands of the given shapes and dtypes, and compared with ``np.einsum`` on
the same operands: shape, dtype and values. A translation that does not agree is never returned.
"""

from __future__ import annotations

import math
import string
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import MissingShape, TranslateError
from .symbolic import Phantom, SymbolicBackend
from .walker import NumpyBackend, Walker, parse_code

if TYPE_CHECKING:
    from ..explainer import Explanation

Shape = tuple[int, ...]
BATCH_LETTERS = "bcdefgh"
LETTERS = "ijklmnopqrstuvwxyz" + "abcdefgh" + string.ascii_uppercase
MAX_VERIFY_WORK = 2_000_000
"""Above this many multiply-adds, verification runs on smaller sizes with the same pattern."""
MAX_SMALL_WORK = 5_000_000
"""Past this even on the smaller sizes, the code is too large to verify, and is refused."""
MAX_ELEMENTS = 10_000_000


@dataclass(frozen=True)
class Translation:
    """One einsum that computes what the code computes.

    ``subscript`` uses canonical letters; ``operands`` are the names to pass, in order (a name used
    twice in the code appears twice); ``call`` is the whole call; ``verified`` says that the code and
    the einsum agreed (shape, dtype, values) on random operands; ``dtype`` is the ``dtype=`` argument
    the call needs to match numpy's result type (``np.sum`` of int8 gives int64), else None.
    """

    code: str
    subscript: str
    operands: tuple[str, ...]
    shapes: tuple[Shape, ...]
    output_shape: Shape
    verified: bool
    dtype: str | None = None
    trials: int = field(default=0, compare=False)

    @property
    def call(self) -> str:
        arguments = [f'"{self.subscript}"', *self.operands]
        if self.dtype is not None:
            arguments.append(f"dtype=np.{self.dtype}")
        return f"np.einsum({', '.join(arguments)})"

    @property
    def names(self) -> tuple[str, ...]:
        """A distinct name per einsum argument (an operand passed twice is ``a`` then ``a_2``)."""
        names: list[str] = []
        for index, name in enumerate(self.operands):
            count = self.operands[:index].count(name)
            names.append(name if count == 0 else f"{name}_{count + 1}")
        return tuple(names)

    def names_note(self) -> str:
        """What a made-up name stands for (``v_2 is the second argument: the same array v, passed again.``)."""
        from ..argnames import repeat_note

        if tuple(self.explanation.names) != self.names:  # the explainer fell back to its own names
            return ""
        return repeat_note(self.operands)

    @cached_property
    def explanation(self) -> Explanation:
        """The explainer on the translated einsum, with the operands' names."""
        from ..argnames import shared_examples
        from ..explainer import explain

        # An array passed twice (x * x) is drawn with the same values in both places.
        operands = shared_examples(self.operands, self.shapes) or list(self.shapes)
        try:
            return explain(self.subscript, *operands, names=self.names)
        except ValueError:  # a name the explainer reserves (out, np...): fall back to a, b, c
            return explain(self.subscript, *operands)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "subscript": self.subscript,
            "operands": list(self.operands),
            "shapes": [list(shape) for shape in self.shapes],
            "output_shape": list(self.output_shape),
            "call": self.call,
            "dtype": self.dtype,
            "verified": self.verified,
        }

    def __str__(self) -> str:
        return self.call

    def _repr_html_(self) -> str:
        """In Jupyter: the call, what was verified, and the explainer's picture of the einsum."""
        from html import escape

        svg = getattr(self.explanation, "svg", None)
        picture = svg if isinstance(svg, str) else ""
        return (
            f"<p><code>{escape(self.call)}</code></p>"
            "<p>Verified: the code and this einsum agree on random operands of these shapes "
            "(shape, dtype and values).</p>"
            + (f"<p>{escape(self.names_note())}</p>" if self.names_note() else "")
            + picture
            + self.explanation.html()
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        note = f"\n{self.names_note()}" if self.names_note() else ""
        printer.text(f"{self.call}{note}\n\n{self.explanation.diagram}")


def translate(code: str, /, **operands: Any) -> Translation:
    """The one einsum that computes ``code`` (a numpy expression, or assignments then an expression).

    Each keyword names an operand the code uses and gives its shape (a tuple, or text such as
    ``"2x3"``) or an array (whose dtype is then kept). Raises ``TranslateError`` (a ``ValueError``)
    naming the operation and its position when the code is not one einsum.
    """
    shapes, dtypes = _operands(operands)
    source = _normalise(code)
    tree = parse_code(source)
    complex_names = frozenset(name for name, dtype in dtypes.items() if dtype.kind == "c")
    backend = SymbolicBackend(shapes, complex_names)
    walker = Walker(source, backend)
    try:
        result = walker.run(tree)
    except MissingShape as missing:
        raise missing.reworded(given=tuple(shapes)) from None
    for axis in result.axes:
        if isinstance(axis, Phantom):
            where = axis.node if axis.node is not None else tree.body[-1]
            raise walker.error(
                where,
                "this makes a size-1 axis that stays in the result, and einsum cannot create axes "
                "(squeeze it, or let it broadcast against an operand's axis)",
            )
    terms = [(name, tuple(backend.find(label) for label in labels)) for name, labels in result.factors]
    output = tuple(backend.find(label) for label in result.axes if not isinstance(label, Phantom))
    if not terms:
        raise TranslateError("the code uses no operand")
    letters = canonical_letters([labels for _, labels in terms], output)
    subscript = ",".join("".join(letters[label] for label in labels) for _, labels in terms)
    subscript += "->" + "".join(letters[label] for label in output)
    names = tuple(name for name, _ in terms)
    einsum_shapes = tuple(shapes[name] for name in names)
    output_shape = tuple(backend.size(label) for label in output)
    dtype, trials = _verify(source, tree, subscript, names, shapes, dtypes, backend.created)
    return Translation(
        code=source,
        subscript=subscript,
        operands=names,
        shapes=einsum_shapes,
        output_shape=output_shape,
        verified=True,
        dtype=dtype,
        trials=trials,
    )


def _normalise(code: str) -> str:
    if not isinstance(code, str):
        raise TranslateError(f"the code must be a string, not {type(code).__name__}")
    lines = [line.rstrip() for line in code.replace("\r\n", "\n").split("\n")]
    return textwrap.dedent("\n".join(lines)).strip("\n")


def _operands(operands: Mapping[str, Any]) -> tuple[dict[str, Shape], dict[str, np.dtype[Any]]]:
    shapes: dict[str, Shape] = {}
    dtypes: dict[str, np.dtype[Any]] = {}
    for name, value in operands.items():
        if name in ("np", "numpy"):
            raise TranslateError(f"{name} is numpy in the code; give the operand another name")
        if isinstance(value, str):
            from ..shapes import ShapeSyntaxError, parse_shape

            try:
                shapes[name], dtypes[name] = parse_shape(value), np.dtype(np.float64)
            except ShapeSyntaxError as error:
                raise TranslateError(f"operand {name}: {error}") from None
        elif isinstance(value, (tuple, list)) and all(
            isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in value
        ):
            shapes[name], dtypes[name] = tuple(int(s) for s in value), np.dtype(np.float64)
        else:
            array = value if hasattr(value, "shape") and hasattr(value, "dtype") else np.asarray(value)
            shapes[name] = tuple(int(s) for s in array.shape)
            try:
                dtypes[name] = np.dtype(array.dtype)
            except TypeError:
                raise TranslateError(f"operand {name}: its dtype {array.dtype} is not a numpy dtype") from None
        if any(size < 0 for size in shapes[name]):
            raise TranslateError(f"operand {name}: sizes must be 0 or more, got {shapes[name]}")
        if math.prod(shapes[name]) > MAX_ELEMENTS:
            raise TranslateError(f"operand {name}: more than {MAX_ELEMENTS} elements; give a smaller shape")
        if dtypes[name].kind not in "biufc":
            raise TranslateError(f"operand {name}: einsum needs numbers, not {dtypes[name]}")
    return shapes, dtypes


def canonical_letters(terms: Sequence[tuple[int, ...]], output: tuple[int, ...]) -> dict[int, str]:
    """Letters a person would choose: i, j, k... in order of first appearance; leading batch labels
    (first in every term and in the output, next to labels that not every term has, when some term or
    the output has 3 or more axes) get b, c, d..."""
    order = list(dict.fromkeys(label for term in terms for label in term))
    if len(order) > len(LETTERS):
        raise TranslateError(f"this needs {len(order)} labels; einsum has only 52 letters")
    batch: list[int] = []
    if len(terms) >= 2 and max(len(output), *(len(term) for term in terms)) >= 3:
        k = 0
        while (
            k < len(output) and k < len(BATCH_LETTERS) and all(len(term) > k and term[k] == output[k] for term in terms)
        ):
            k += 1
        batch = list(output[:k])
        if all(all(label in term for term in terms) for label in order):
            batch = []  # elementwise work: no label stands apart
    letters: dict[int, str] = {label: BATCH_LETTERS[n] for n, label in enumerate(batch)}
    pool = iter(letter for letter in LETTERS if letter not in letters.values())
    for label in order:
        if label not in letters:
            letters[label] = next(pool)
    return letters


def _random(rng: np.random.Generator, shape: Shape, dtype: np.dtype[Any], wide: bool = False) -> Any:
    """Random values of this dtype: small integers, or (``wide``) integers over the dtype's whole range,
    so that a product that wraps around in the code must wrap around in the einsum too."""
    if dtype.kind == "b":
        return rng.random(shape) < 0.5
    if dtype.kind in "iu" and wide:
        info = np.iinfo(dtype)
        return rng.integers(int(info.min), int(info.max), size=shape, dtype=dtype, endpoint=True)
    if dtype.kind == "u":
        return rng.integers(0, 4, size=shape).astype(dtype)
    if dtype.kind == "i":
        return rng.integers(-3, 4, size=shape).astype(dtype)
    if dtype.kind == "c":
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def small_shapes(shapes: Mapping[str, Shape]) -> dict[str, Shape]:
    """The same pattern of sizes (which are equal, which are 0 or 1) with every size at most a few."""
    smaller = _size_map(shapes)
    return {name: tuple(smaller.get(size, size) for size in shape) for name, shape in shapes.items()}


def _size_map(shapes: Mapping[str, Shape]) -> dict[int, int]:
    distinct = sorted({size for shape in shapes.values() for size in shape if size > 1})
    return {size: 2 + n for n, size in enumerate(distinct)}


def agree(got: Any, expected: Any) -> bool:
    """Same shape and values (exactly for integers and booleans, to rounding for floats)."""
    got, expected = np.asarray(got), np.asarray(expected)
    if got.shape != expected.shape:
        return False
    if expected.dtype.kind in "biu" and got.dtype.kind in "biu":
        return bool(np.array_equal(got, expected))
    eps = max(float(np.finfo(got.dtype).eps) if got.dtype.kind in "fc" else 0.0, 2.3e-16)
    rtol = min(1e-2, max(1e-9, 100 * eps))  # float64 1e-9, float32 1.2e-5, float16 1e-2
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    return bool(np.allclose(got, expected, rtol=rtol, atol=rtol * max(scale, 1.0)))


def _verify(
    source: str,
    tree: Any,
    subscript: str,
    names: tuple[str, ...],
    shapes: Mapping[str, Shape],
    dtypes: Mapping[str, np.dtype[Any]],
    label_sizes: Sequence[int],
    trials: int = 3,
) -> tuple[str | None, int]:
    """Run the code (interpreted with numpy) and the einsum on random operands; the ``dtype=`` argument
    the einsum needs, if any. Raises TranslateError when they disagree.

    ``label_sizes`` are the sizes of every axis the trace labelled (each operand use's axes): their
    product bounds the work of the einsum and the size of every array the code makes on the way."""
    work = math.prod(max(size, 1) for size in label_sizes)
    test_shapes = dict(shapes)
    if work > MAX_VERIFY_WORK:
        test_shapes = small_shapes(shapes)
        smaller = _size_map(shapes)
        if math.prod(max(smaller.get(size, size), 1) for size in label_sizes) > MAX_SMALL_WORK:
            raise TranslateError(
                f"this code uses {len(label_sizes)} axes in all: too many to verify on random arrays; "
                "translate a smaller piece of it"
            )
    rng = np.random.default_rng(20240917)
    needed: str | None = None
    for trial in range(trials):
        full_range = trial == trials - 1 and trial > 0
        arrays = {name: _random(rng, test_shapes[name], dtypes[name], full_range) for name in test_shapes}
        expected = _run(source, tree, arrays)
        operands = [arrays[name] for name in names]
        try:
            got = np.einsum(subscript, *operands)
            if np.result_type(got) != np.result_type(expected):
                needed = np.dtype(np.result_type(expected)).name
                got = np.einsum(subscript, *operands, dtype=np.dtype(needed))
        except (ValueError, TypeError) as error:
            raise TranslateError(f"no single einsum computes this: np.einsum refuses {subscript!r} ({error})") from None
        same = np.result_type(got) == np.result_type(expected)
        if any(
            array.dtype.kind in "fc" and array.dtype.itemsize < 8 * (1 + (array.dtype.kind == "c"))
            for array in arrays.values()
        ):
            # float16/float32 round too coarsely to tell einsums apart: compare the values in double precision
            double = {
                name: array.astype(np.complex128 if array.dtype.kind == "c" else np.float64)
                if array.dtype.kind in "fc"
                else array
                for name, array in arrays.items()
            }
            same = same and agree(np.einsum(subscript, *(double[name] for name in names)), _run(source, tree, double))
        else:
            same = same and agree(got, expected)
        if not same and full_range and needed is not None:
            raise TranslateError(
                f"on {', '.join(sorted({str(array.dtype) for array in arrays.values()}))} operands numpy wraps "
                f"around in one step of this code and widens to {needed} in another; no single einsum does both: "
                f"convert the operands to {needed} first"
            )
        if not same:
            raise TranslateError(
                f"no single einsum was found that gives the same result as this code on these operands "
                f"({subscript!r} differs from it on random inputs)"
            )
    return needed, trials


def _run(source: str, tree: Any, arrays: dict[str, Any]) -> Any:
    """The code interpreted with numpy on these arrays (only the supported operations, never eval)."""
    try:
        result = Walker(source, NumpyBackend(arrays)).run(tree)
    except TranslateError:
        raise
    except Exception as error:  # numpy itself refuses the code on these shapes
        raise TranslateError(f"numpy cannot run this code on these shapes: {error}") from None
    return result if isinstance(result, np.generic) else np.asarray(result)
