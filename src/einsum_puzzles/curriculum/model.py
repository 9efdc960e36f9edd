"""The content model: sections, puzzles, questions, cheatsheet entries. Content is data.

A subscript puzzle names the dimensions of its operands (``operands=(("a", "ij"), ("b", "jk"))``
with ``sizes={"i": 3, "j": 2, "k": 4}``): the shown example uses those sizes and fixed values; a
fresh draw (``inputs(rng)``) gives every dimension a new size, different from the others, and new
values. ``expected`` computes the target with plain numpy, never einsum.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..argnames import repeat_note
from ..draws import Draws

if TYPE_CHECKING:
    from .quiz import Question, ShapeQuestion

PuzzleKind = Literal["subscript", "code"]
Rng = Any
"""A source of random numbers: a ``Draws`` or a ``numpy.random.Generator`` (same methods)."""
FRESH_SIZES = range(2, 8)
MAX_FRESH_ELEMENTS = 20_000


@dataclass(frozen=True)
class Puzzle:
    id: int
    section: str
    title: str
    prompt: str
    operands: tuple[tuple[str, str], ...]
    """Each operand's name and its dimension names, one letter per axis (``("a", "ij")``)."""
    sizes: Mapping[str, int]
    """The size of every dimension in the example shown to the learner."""
    expected_fn: Callable[..., Any]
    solutions: tuple[str, ...]
    hints: tuple[str, ...]
    kind: PuzzleKind = "subscript"
    note: str = ""
    """A short lesson note shown with the puzzle (Markdown), for puzzles past the seed."""
    seed_puzzle: bool = True
    """True for puzzles 1-32, which keep the seed notebook's numbering and meaning."""
    function_name: str = ""
    """Code puzzles: the function the learner defines."""
    starter: str = ""
    """Code puzzles: the template the learner starts from."""
    integer_values: bool = True
    """Shown values are small integers (easy to read); code puzzles use floats."""
    make_inputs: Callable[[Rng, Mapping[str, int]], tuple[Any, ...]] | None = None
    """Code puzzles: build the inputs from sizes (e.g. a causal mask) instead of random operands."""
    fixed_sizes: frozenset[str] = field(default_factory=frozenset)
    """Dimensions whose size stays as shown in fresh draws (none for most puzzles)."""
    implicit_only: bool = False
    """The puzzle's rule: the answer must have no arrow (implicit output)."""
    arguments: tuple[int, ...] = ()
    """Subscript puzzles that pass an input more than once: the input behind each einsum argument
    (``(0, 0)`` means ``np.einsum(answer, x, x)``). Empty: each input once, in order."""
    vary_rank: tuple[int, ...] = ()
    """Inputs whose number of leading axes changes in fresh draws (one fewer or one more than shown,
    the same change for all of them): an answer must use '...' to cover them."""

    # The derived properties below are computed once per puzzle (content is constant): the grader reads
    # them several times for every answer. functools.cached_property stores into the instance's
    # __dict__ directly, which a frozen dataclass allows.
    @cached_property
    def argument_indices(self) -> tuple[int, ...]:
        return self.arguments or tuple(range(len(self.operands)))

    def einsum_arguments(self, inputs: Sequence[Any]) -> tuple[Any, ...]:
        """The arrays to pass to einsum after the learner's subscript, in order."""
        return tuple(inputs[i] for i in self.argument_indices)

    @cached_property
    def argument_names(self) -> tuple[str, ...]:
        """A distinct name per einsum argument: an input passed twice is ``x`` then ``x_2``."""
        names: list[str] = []
        for index in self.argument_indices:
            base = self.input_names[index]
            count = sum(1 for i in self.argument_indices[: len(names)] if i == index)
            names.append(base if count == 0 else f"{base}_{count + 1}")
        return tuple(names)

    def argument_note(self, *texts: str) -> str:
        """What the made-up names of an input passed again stand for: ``"x_2 is the second argument: the
        same array x, passed again."`` For the names that ``texts`` mention (every one when no text is
        given); "" when there is none to explain."""
        return repeat_note([self.input_names[i] for i in self.argument_indices], *texts)

    @property
    def call(self) -> str:
        """How the answer is used: ``np.einsum(ANSWER, a, b)``."""
        names = ", ".join(self.input_names[i] for i in self.argument_indices)
        return f"np.einsum(ANSWER, {names})"

    def argument_shapes(self, sizes: Mapping[str, int] | None = None) -> tuple[tuple[int, ...], ...]:
        if sizes is None:
            return self._shown_argument_shapes
        shapes = self.shapes(sizes)
        return tuple(shapes[i] for i in self.argument_indices)

    @cached_property
    def _shown_argument_shapes(self) -> tuple[tuple[int, ...], ...]:
        shapes = self.shapes()
        return tuple(shapes[i] for i in self.argument_indices)

    @cached_property
    def input_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.operands)

    @property
    def dims(self) -> tuple[str, ...]:
        """Every dimension name, in order of first appearance."""
        return tuple(dict.fromkeys(dim for _, dims in self.operands for dim in dims))

    def shapes(self, sizes: Mapping[str, int] | None = None) -> tuple[tuple[int, ...], ...]:
        sizes = self.sizes if sizes is None else sizes
        return tuple(tuple(sizes[dim] for dim in dims) for _, dims in self.operands)

    def fresh_sizes(self, rng: Rng) -> dict[str, int]:
        """New sizes: a different size for every dimension, small enough to check quickly."""
        dims = [dim for dim in self.dims if dim not in self.fixed_sizes]
        pool = list(range(FRESH_SIZES.start, FRESH_SIZES.start + max(len(FRESH_SIZES), len(dims))))
        for _ in range(100):
            chosen = rng.choice(pool, size=len(dims), replace=False)
            sizes = dict(self.sizes) | {dim: int(size) for dim, size in zip(dims, chosen)}
            if all(math.prod(shape) <= MAX_FRESH_ELEMENTS for shape in self.shapes(sizes)):
                return sizes
        return dict(self.sizes)

    def inputs(self, rng: Rng | None = None) -> tuple[Any, ...]:
        """The shown example (``rng=None``, always the same) or a fresh draw of sizes and values."""
        if rng is None:
            example_rng = Draws(f"einsum-puzzles/{self.id}")
            return self._build(example_rng, dict(self.sizes), integers=self.integer_values)
        built = self._build(rng, self.fresh_sizes(rng), integers=False)
        if not self.vary_rank:
            return built
        arrays = list(built)
        if int(rng.integers(0, 2)) == 0:
            for index in self.vary_rank:
                arrays[index] = np.ascontiguousarray(arrays[index][0])
        else:
            extra = int(rng.choice(list(FRESH_SIZES), size=1)[0])
            for index in self.vary_rank:
                shape = (extra, *np.shape(arrays[index]))
                arrays[index] = rng.standard_normal(shape)
        return tuple(arrays)

    def _build(self, rng: Rng, sizes: dict[str, int], integers: bool) -> tuple[Any, ...]:
        if self.make_inputs is not None:
            return self.make_inputs(rng, sizes)
        arrays: list[Any] = []
        for shape in self.shapes(sizes):
            if integers:
                arrays.append(rng.integers(1, 10, size=shape))
            else:
                arrays.append(rng.standard_normal(shape))
        return tuple(arrays)

    def expected(self, *inputs: Any) -> Any:
        return self.expected_fn(*inputs)

    def to_dict(self) -> dict[str, Any]:
        """The puzzle as plain data (the CLI's ``show --json`` and the web API share it)."""
        return {
            "id": self.id,
            "section": self.section,
            "title": self.title,
            "prompt": self.prompt,
            "kind": self.kind,
            "note": self.note,
            "inputs": [
                {
                    "name": name,
                    "shape": list(np.shape(a)),
                    "values": np.asarray(a).tolist() if np.size(a) <= 64 else None,
                }
                for name, a in zip(self.input_names, self.inputs())
            ],
            "call": self.call if self.kind == "subscript" else None,
            "arguments": list(self.argument_names),
            "target_shape": list(self.target_shape),
            "hints": len(self.hints),
            "function_name": self.function_name or None,
            "starter": self.starter or None,
        }

    @property
    def target_shape(self) -> tuple[int, ...]:
        return tuple(np.shape(self.expected(*self.inputs())))


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    lesson: str
    """Markdown. A fenced ```einsum block holds a worked example (``SUBSCRIPT SHAPE ...``) that the
    interfaces replace with the explainer's rendering."""
    puzzles: tuple[Puzzle, ...] = ()
    questions: tuple[Question, ...] = ()
    shape_questions: tuple[ShapeQuestion, ...] = ()
    """Both filled in by ``curriculum.sections()`` from ``quiz.py``."""


def worked_examples(markdown: str) -> list[tuple[str, tuple[tuple[int, ...], ...]]]:
    """The ```einsum blocks of a lesson: ``[(subscript, shapes)]``."""
    examples = []
    lines = markdown.splitlines()
    inside = False
    for line in lines:
        stripped = line.strip()
        if stripped == "```einsum":
            inside = True
            continue
        if inside and stripped.startswith("```"):
            inside = False
            continue
        if inside and stripped:
            examples.append(parse_example(stripped))
    return examples


def parse_example(line: str) -> tuple[str, tuple[tuple[int, ...], ...]]:
    """``'ij,jk->ik 2x3 3x4'`` -> ``('ij,jk->ik', ((2, 3), (3, 4)))``; ``scalar`` is a 0-d shape."""
    subscript, *shapes = line.split()
    parsed = tuple(() if shape == "scalar" else tuple(int(s) for s in shape.split("x")) for shape in shapes)
    return subscript, parsed


def shape_text(shapes: Sequence[tuple[int, ...]]) -> str:
    return " ".join("x".join(map(str, shape)) or "scalar" for shape in shapes)
