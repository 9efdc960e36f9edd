"""Subscript + operand shapes -> ``Contraction``: every label's size and role, the output shape.

All of numpy's shape rules live here (``np.einsum`` with the default ``optimize=False``):

* one operand per term (numpy allows at most 63 operands);
* a term without ``...`` names every axis of its operand; with ``...`` it names at most that many;
* a label repeated inside one term takes a diagonal: its sizes there must be equal, exactly;
* a label shared by several operands must have one size, except that size 1 broadcasts;
* the dimensions covered by ``...`` line up from the right across operands and broadcast the same way;
* every output label occurs in an input and only once in the output;
* an explicit output must keep ``...`` when the ellipsis covers at least one dimension;
* at most 64 distinct dimensions in all (labels plus ellipsis dimensions).

Ellipsis dimensions get names of their own (``"...0"``, ``"...1"``, ... from the left) so that the
rest of the product can treat them as labels.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from .errors import EinsumError
from .subscript import Subscript, Term, parse

MAX_OPERANDS = 63
MAX_DIMS = 64

Shape = tuple[int, ...]


def ellipsis_label(index: int) -> str:
    """The name given to the ``index``-th dimension (from the left) covered by the ellipsis."""
    return f"...{index}"


def is_ellipsis_label(label: str) -> bool:
    return label.startswith("...")


@dataclass(frozen=True)
class Operand:
    """One input: its term, its shape and the label of each of its axes (ellipsis dimensions named)."""

    index: int
    term: Term
    shape: Shape
    axis_labels: tuple[str, ...]

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def ellipsis_shape(self) -> Shape:
        """The sizes of the axes this operand's ``...`` covers (empty when it covers none)."""
        return tuple(size for size, label in zip(self.shape, self.axis_labels) if is_ellipsis_label(label))

    def sizes_of(self, label: str) -> tuple[int, ...]:
        return tuple(size for size, name in zip(self.shape, self.axis_labels) if name == label)


@dataclass(frozen=True)
class Role:
    """What happens to one label (or one ellipsis dimension) in a contraction."""

    label: str
    size: int
    operands: tuple[int, ...]
    """The operands that have an axis with this label, in order."""
    output_axis: int | None
    """Where the label sits in the output, None when it is summed away."""
    diagonal: tuple[int, ...] = ()
    """Operands in which the label is repeated (a diagonal is taken there)."""
    broadcast: tuple[int, ...] = ()
    """Operands in which the label has size 1 while its size is not 1: those operands are stretched."""
    ellipsis: bool = False
    """True for a dimension covered by ``...``."""

    @property
    def kept(self) -> bool:
        return self.output_axis is not None

    @property
    def summed(self) -> bool:
        return self.output_axis is None

    @property
    def shared(self) -> bool:
        """The label joins several operands (they are multiplied along it)."""
        return len(self.operands) > 1


@dataclass(frozen=True)
class Contraction:
    """A subscript bound to operand shapes: label sizes, roles and the output shape."""

    subscript: Subscript
    operands: tuple[Operand, ...]
    sizes: Mapping[str, int]
    roles: Mapping[str, Role]
    output_labels: tuple[str, ...]
    output_shape: Shape
    ellipsis_labels: tuple[str, ...]

    @property
    def shapes(self) -> tuple[Shape, ...]:
        return tuple(operand.shape for operand in self.operands)

    @property
    def labels(self) -> tuple[str, ...]:
        """Every label and ellipsis dimension, output ones first (in output order), then summed ones."""
        return tuple(self.roles)

    @property
    def summed_labels(self) -> tuple[str, ...]:
        return tuple(label for label, role in self.roles.items() if role.summed)

    @property
    def ellipsis_shape(self) -> Shape:
        return tuple(self.sizes[label] for label in self.ellipsis_labels)

    def __hash__(self) -> int:
        return hash((self.subscript.text, self.shapes))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Contraction):
            return NotImplemented
        return (self.subscript.text, self.shapes) == (other.subscript.text, other.shapes)


def bind(subscript: str | bytes | Subscript, *shapes: Iterable[int]) -> Contraction:
    """Bind a subscript to operand shapes; raise ``EinsumError`` exactly when ``np.einsum`` would."""
    parsed = subscript if isinstance(subscript, Subscript) else parse(subscript)
    return _bind(parsed, tuple(_as_shape(shape, index) for index, shape in enumerate(shapes)))


def _as_shape(shape: Iterable[int], index: int) -> Shape:
    if type(shape) is tuple and all(type(size) is int and size >= 0 for size in shape):
        return shape  # already a shape (the common case: the grader passes the puzzle's shapes)
    if isinstance(shape, (str, bytes)) or not isinstance(shape, Iterable):
        raise TypeError(f"shape of operand {index} must be a tuple of ints such as (3, 2), not {shape!r}")
    sizes: list[int] = []
    for size in shape:
        try:
            value = operator.index(size)
        except TypeError:
            raise TypeError(f"shape of operand {index} must contain ints, not {size!r}") from None
        if value < 0:
            raise EinsumError(f"shape of operand {index} has the negative size {value}; sizes are 0 or more", "size")
        sizes.append(value)
    return tuple(sizes)


@lru_cache(maxsize=4096)
def _bind(sub: Subscript, shapes: tuple[Shape, ...]) -> Contraction:
    text = sub.text
    _check_operand_count(sub, shapes)
    for index, (term, shape) in enumerate(zip(sub.inputs, shapes)):
        _check_rank(term, shape, index, text)
    _check_output_labels(sub)

    n_ellipsis = max(
        (len(shape) - len(term.labels) for term, shape in zip(sub.inputs, shapes) if term.has_ellipsis),
        default=0,
    )
    ellipsis_labels = tuple(ellipsis_label(i) for i in range(n_ellipsis))
    operands = tuple(
        Operand(index, term, shape, _axis_labels(term, shape, ellipsis_labels))
        for index, (term, shape) in enumerate(zip(sub.inputs, shapes))
    )
    if sub.explicit and not sub.output.has_ellipsis and n_ellipsis:
        covering = next(op for op in operands if len(op.ellipsis_shape) == n_ellipsis)
        raise EinsumError(
            f"the output drops the ellipsis, but '...' in operand {covering.index} covers "
            f"{_dims(n_ellipsis)} of sizes {covering.ellipsis_shape}: write '...' in the output "
            "to keep them (numpy's einsum with the default optimize=False does not sum over ellipsis "
            "dimensions; with optimize=True it does)",
            "output",
            position=sub.output.start,
            subscript=text,
        )
    output_labels = _output_labels(sub.output, ellipsis_labels)
    all_labels = list(dict.fromkeys(label for op in operands for label in op.axis_labels))
    if len(set(all_labels) | set(output_labels)) > MAX_DIMS:
        raise EinsumError(
            f"this einsum has {len(all_labels)} distinct dimensions (labels plus ellipsis dimensions); "
            f"numpy allows at most {MAX_DIMS}",
            "rank",
        )

    by_label = [_sizes_by_label(op) for op in operands]
    sizes = _label_sizes(operands, by_label, all_labels, text)
    order = list(output_labels) + [label for label in all_labels if label not in output_labels]
    out_at = {label: axis for axis, label in enumerate(output_labels)}
    roles: dict[str, Role] = {}
    for label in order:
        using = tuple(op.index for op in operands if label in by_label[op.index])
        size = sizes[label]
        roles[label] = _role(
            label,
            size,
            using,
            out_at.get(label),
            tuple(i for i in using if len(by_label[i][label]) > 1),
            tuple(i for i in using if size != 1 and by_label[i][label][0] == 1),
        )
    return Contraction(
        subscript=sub,
        operands=operands,
        sizes=MappingProxyType({label: sizes[label] for label in order}),
        roles=MappingProxyType(roles),
        output_labels=output_labels,
        output_shape=tuple(sizes[label] for label in output_labels),
        ellipsis_labels=ellipsis_labels,
    )


@lru_cache(maxsize=8192)
def _role(
    label: str,
    size: int,
    operands: tuple[int, ...],
    output_axis: int | None,
    diagonal: tuple[int, ...],
    broadcast: tuple[int, ...],
) -> Role:
    """One Role per distinct value (a Role is immutable; building a frozen dataclass costs microseconds, and
    the same roles recur from one subscript to the next)."""
    return Role(label, size, operands, output_axis, diagonal, broadcast, is_ellipsis_label(label))


def _check_operand_count(sub: Subscript, shapes: tuple[Shape, ...]) -> None:
    n_terms, n_ops = len(sub.inputs), len(shapes)
    if n_ops == 0:
        raise EinsumError("einsum needs at least one operand: give one array (or shape) per term", "operand_count")
    if n_ops > MAX_OPERANDS:
        raise EinsumError(
            f"{n_ops} operands were given; numpy's einsum accepts at most {MAX_OPERANDS}", "operand_count"
        )
    if n_terms == n_ops:
        return
    terms = "term" if n_terms == 1 else "terms"
    given = "operand was" if n_ops == 1 else "operands were"
    if n_terms > n_ops:
        extra = sub.inputs[n_ops]
        raise EinsumError(
            f"the subscript has {n_terms} input {terms} but only {n_ops} {given} given: "
            f"term {n_ops} ({_quote(extra)}) has no operand; give one operand per comma-separated term",
            "operand_count",
            position=extra.start - 1,
            subscript=sub.text,
        )
    end = sub.inputs[-1].end
    raise EinsumError(
        f"the subscript has {n_terms} input {terms} but {n_ops} {given} given: "
        f"{_extra_operands(n_terms, n_ops)}; add a term (after a ',') for each extra operand, or pass fewer operands",
        "operand_count",
        position=end if end < len(sub.text) else None,
        subscript=sub.text if end < len(sub.text) else None,
    )


def _extra_operands(n_terms: int, n_ops: int) -> str:
    if n_ops - n_terms == 1:
        return f"operand {n_terms} has no term"
    return f"operands {n_terms} to {n_ops - 1} have no term"


def _check_rank(term: Term, shape: Shape, index: int, text: str) -> None:
    n_labels, ndim = len(term.labels), len(shape)
    if n_labels > ndim:
        raise EinsumError(
            f"term {index} ({_quote(term)}) has {n_labels} labels but operand {index} has "
            f"{_dims(ndim)} (shape {shape}): write one label per axis",
            "rank",
            position=term.positions[ndim],
            subscript=text,
        )
    if n_labels < ndim and not term.has_ellipsis:
        raise EinsumError(
            f"term {index} ({_quote(term)}) has {n_labels} label{'s' if n_labels != 1 else ''} but "
            f"operand {index} has {_dims(ndim)} (shape {shape}): write one label per axis, "
            "or '...' to stand for the extra axes",
            "rank",
            position=term.end if term.end > term.start else term.start,
            subscript=text,
        )
    if ndim > MAX_DIMS:
        raise EinsumError(f"operand {index} has {ndim} dimensions; numpy allows at most {MAX_DIMS}", "rank")


def _check_output_labels(sub: Subscript) -> None:
    if not sub.explicit:
        return
    out = sub.output
    seen: set[str] = set()
    used = {label for term in sub.inputs for label in term.labels}
    for label, position in zip(out.labels, out.positions):
        if label in seen:
            raise EinsumError(
                f"output label '{label}' appears more than once; each output label names one axis "
                f"(to take a diagonal, repeat the label in an input instead)",
                "output",
                position=position,
                subscript=sub.text,
            )
        seen.add(label)
        if label not in used:
            raise EinsumError(
                f"output label '{label}' does not appear in any input term; every output label must "
                "name an axis of some operand",
                "output",
                position=position,
                subscript=sub.text,
            )


def _axis_labels(term: Term, shape: Shape, ellipsis_labels: tuple[str, ...]) -> tuple[str, ...]:
    if term.ellipsis is None:
        return term.labels
    covered = len(shape) - len(term.labels)
    middle = ellipsis_labels[len(ellipsis_labels) - covered :] if covered else ()
    return term.labels[: term.ellipsis] + middle + term.labels[term.ellipsis :]


def _output_labels(output: Term, ellipsis_labels: tuple[str, ...]) -> tuple[str, ...]:
    if output.ellipsis is None:
        return output.labels
    return output.labels[: output.ellipsis] + ellipsis_labels + output.labels[output.ellipsis :]


def _sizes_by_label(op: Operand) -> dict[str, list[int]]:
    """Each label of an operand and the sizes of its axes with that label, in axis order."""
    found: dict[str, list[int]] = {}
    for size, label in zip(op.shape, op.axis_labels):
        found.setdefault(label, []).append(size)
    return found


def _label_sizes(
    operands: Sequence[Operand], by_label: Sequence[dict[str, list[int]]], labels: list[str], text: str
) -> dict[str, int]:
    # Diagonals first, as numpy does: sizes inside one operand must match exactly.
    for op in operands:
        for label, found in by_label[op.index].items():
            if len(found) > 1 and len(set(found)) > 1:
                axes = [axis for axis, name in enumerate(op.axis_labels) if name == label]
                raise EinsumError(
                    f"label '{label}' is repeated in term {op.index} ({_quote(op.term)}) to take a diagonal, "
                    f"but operand {op.index} has sizes {found[0]} and {_other(found)} on axes "
                    f"{axes[0]} and {_other_axis(axes, found)} (shape {op.shape}); a diagonal needs equal sizes",
                    "size",
                    position=_label_position(op.term, label, 1),
                    subscript=text,
                )
    sizes: dict[str, int] = {}
    first: dict[str, int] = {}
    for label in labels:
        for op in operands:
            have = by_label[op.index].get(label)
            if not have:
                continue
            size = have[0]
            if label not in sizes or sizes[label] == 1:
                if label not in sizes or size != 1:
                    sizes[label], first[label] = size, op.index
                continue
            if size != 1 and size != sizes[label]:
                raise _size_mismatch(label, operands[first[label]], sizes[label], op, size, text)
    return sizes


def _size_mismatch(label: str, first: Operand, first_size: int, op: Operand, size: int, text: str) -> EinsumError:
    if is_ellipsis_label(label):
        return EinsumError(
            f"the dimensions covered by '...' do not broadcast: operand {first.index} has "
            f"{first.ellipsis_shape} and operand {op.index} has {op.ellipsis_shape} under the ellipsis; "
            "aligned from the right, each pair of sizes must be equal or one of them 1",
            "size",
            position=op.term.ellipsis_position,
            subscript=text,
        )
    return EinsumError(
        f"label '{label}' has size {first_size} in operand {first.index} (shape {first.shape}) but size "
        f"{size} in operand {op.index} (shape {op.shape}); a shared label needs the same size everywhere "
        "(or size 1, which broadcasts)",
        "size",
        position=_label_position(op.term, label, 0),
        subscript=text,
    )


def _label_position(term: Term, label: str, occurrence: int) -> int | None:
    hits = [pos for name, pos in zip(term.labels, term.positions) if name == label]
    return hits[occurrence] if len(hits) > occurrence else None


def _other(found: Sequence[int]) -> int:
    return next(size for size in found if size != found[0])


def _other_axis(axes: list[int], found: Sequence[int]) -> int:
    return next(axis for axis, size in zip(axes, found) if size != found[0])


def _quote(term: Term) -> str:
    text = term.text()
    return f"'{text}'" if text else "an empty term, for a 0-d operand"


def _dims(n: int) -> str:
    return f"{n} dimension{'s' if n != 1 else ''}"
