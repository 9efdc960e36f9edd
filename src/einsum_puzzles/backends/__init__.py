"""The libraries that can evaluate an einsum: numpy (always), torch, jax, tinygrad and mlx (optional).

Each backend has the same small interface: ``available()`` (installed? without importing it),
``version()``, ``einsum(subscript, *numpy_arrays) -> numpy array``, and its known differences from
numpy as data (``DIFFERENCES``), each with a probe that runs it, so the table is tested against the
installed library. Nothing imports a library until it is used.

    from einsum_puzzles.backends import get, installed
    get("torch").einsum("ij,jk->ik", a, b)
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..contraction import Contraction

NAMES = ("numpy", "torch", "jax", "tinygrad", "mlx")


class BackendUnavailable(LookupError):
    """An unknown backend name, or one whose library is not installed; the message says what to do."""


@dataclass(frozen=True)
class Difference:
    """One way a library's einsum differs from numpy's (``np.einsum`` with ``optimize=False``)."""

    id: str
    summary: str
    subscript: str
    shapes: tuple[tuple[int, ...], ...]
    dtype: str = "float64"
    """The operands' dtype; ``"int32,float32"`` gives each operand its own."""
    numpy_raises: bool = False
    """numpy refuses this call (the library does something instead)."""
    library_raises: bool = False
    """The library refuses a call numpy accepts."""
    wrong_values: bool = False
    """The library returns a result that differs from numpy's."""
    applies: Callable[[Contraction], bool] | None = None
    """Whether a (valid) contraction is of the kind this difference affects: the explainer's notes."""

    def operands(self) -> list[Any]:
        rng = np.random.default_rng(0)
        dtypes = self.dtype.split(",") if "," in self.dtype else [self.dtype] * len(self.shapes)
        return [rng.integers(1, 5, size=s).astype(d) for s, d in zip(self.shapes, dtypes)]


@dataclass(frozen=True)
class Backend:
    name: str
    module: str
    """The import name that tells whether the library is installed."""
    distribution: str
    extra: str
    run: Callable[..., Any]
    differences: tuple[Difference, ...] = ()
    prepare: Callable[[], None] | None = None
    raw_run: Callable[..., Any] | None = None
    """The library's einsum without our adaptations (for probing differences); ``run`` by default."""

    def raw(self, subscript: str, *arrays: Any) -> Any:
        if self.prepare is not None:
            self.prepare()
        return (self.raw_run or self.run)(subscript, *arrays)

    def available(self) -> bool:
        return importlib.util.find_spec(self.module) is not None

    def version(self) -> str:
        try:
            return importlib.metadata.version(self.distribution)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    def install_hint(self) -> str:
        return f"pip install 'einsum-puzzles[{self.extra}]'"

    def einsum(self, subscript: str, *arrays: Any) -> Any:
        """Run the library's einsum on numpy inputs; return a numpy array (or numpy scalar)."""
        if not self.available():
            raise BackendUnavailable(f"{self.name} is not installed: {self.install_hint()}")
        if self.prepare is not None:
            self.prepare()
        return self.run(subscript, *arrays)

    def observe(self, difference: Difference) -> bool:
        """Whether the installed library still shows ``difference`` (called on the raw library)."""
        operands = difference.operands()
        try:
            expected = np.einsum(difference.subscript, *operands)
            numpy_raised = False
        except ValueError:
            expected, numpy_raised = None, True
        try:
            got = np.asarray(self.raw(difference.subscript, *operands))
            library_raised = False
        except Exception:  # any refusal by the library counts as "raises"
            got, library_raised = None, True
        if difference.numpy_raises:
            return numpy_raised and not library_raised
        if difference.library_raises:
            return library_raised and not numpy_raised
        if difference.wrong_values:
            if library_raised or numpy_raised or got is None:
                return False
            return got.shape != np.shape(expected) or not np.allclose(got, expected)
        return False


def _numpy(subscript: str, *arrays: Any) -> Any:
    return np.einsum(subscript, *arrays)


def _torch(subscript: str, *arrays: Any) -> Any:
    import torch

    tensors = [torch.as_tensor(np.array(a)) for a in arrays]
    return torch.einsum(subscript, *tensors).numpy()


_JAX_READY = False


def _jax_prepare() -> None:
    global _JAX_READY
    if not _JAX_READY:
        import jax

        jax.config.update("jax_enable_x64", True)  # else int64/float64 silently become 32-bit
        jax.config.update("jax_platforms", "cpu")
        _JAX_READY = True


def _jax(subscript: str, *arrays: Any) -> Any:
    import jax.numpy as jnp

    return np.asarray(jnp.einsum(subscript, *arrays))


def _tinygrad(subscript: str, *arrays: Any) -> Any:
    from tinygrad import Tensor

    return Tensor.einsum(subscript, *(Tensor(np.array(a)) for a in arrays)).numpy()


def _mlx_raw(subscript: str, *arrays: Any) -> Any:
    import mlx.core as mx

    return np.array(mx.einsum(subscript, *(mx.array(np.array(a)) for a in arrays)))


def _mlx(subscript: str, *arrays: Any) -> Any:
    import mlx.core as mx

    # mlx contracts only floating-point arrays ("Only inexact types are supported"): give it float
    # copies of integer operands, as a learner using mlx would have to.
    converted = [np.asarray(a, dtype=np.float32) if np.asarray(a).dtype.kind in "biu" else np.array(a) for a in arrays]
    return np.array(mx.einsum(subscript, *(mx.array(a) for a in converted)))


def _diagonal_kept_with_others(c: Contraction) -> bool:
    return any(role.diagonal for role in c.roles.values()) and len(c.output_labels) >= 2


def _size_one_stretched(c: Contraction) -> bool:
    return any(role.broadcast and not role.ellipsis for role in c.roles.values())


def _ellipsis_broadcast(c: Contraction) -> bool:
    covered = {op.ellipsis_shape for op in c.operands if op.term.has_ellipsis}
    return len(covered) > 1


def _contracts(c: Contraction) -> bool:
    return len(c.operands) > 1 and any(role.summed for role in c.roles.values())


BOOL_SUMS = Difference(
    "bool-sums-count",
    "sums booleans as a count where numpy's einsum keeps bool and gives logical or",
    "i->",
    ((3,),),
    dtype="bool",
    wrong_values=True,
)

DROPPED_ELLIPSIS = Difference(
    "sums-dropped-ellipsis",
    "sums over the dimensions of an ellipsis left out of the output, where numpy (optimize=False) raises",
    "...i->i",
    ((2, 3),),
    numpy_raises=True,
)

BACKENDS: dict[str, Backend] = {
    "numpy": Backend("numpy", "numpy", "numpy", "numpy", _numpy),
    "torch": Backend(
        "torch",
        "torch",
        "torch",
        "torch",
        _torch,
        (
            DROPPED_ELLIPSIS,
            BOOL_SUMS,
            Difference(
                "mixed-dtypes",
                "refuses to contract operands of different dtypes (int32 with float32), which numpy promotes",
                "i,i->",
                ((3,), (3,)),
                dtype="int32,float32",
                library_raises=True,
            ),
        ),
    ),
    "jax": Backend("jax", "jax", "jax", "jax", _jax, (DROPPED_ELLIPSIS,), prepare=_jax_prepare),
    "tinygrad": Backend(
        "tinygrad",
        "tinygrad",
        "tinygrad",
        "tinygrad",
        _tinygrad,
        (
            DROPPED_ELLIPSIS,
            BOOL_SUMS,
            Difference(
                "unchecked-diagonal",
                "takes a diagonal without checking that the repeated sizes match",
                "ii->i",
                ((2, 3),),
                numpy_raises=True,
            ),
            Difference(
                "no-ellipsis-broadcast",
                "does not broadcast the dimensions under '...' across operands",
                "...ij,...jk->...ik",
                ((5, 1, 2, 3), (7, 3, 4)),
                library_raises=True,
                applies=_ellipsis_broadcast,
            ),
            Difference(
                "diagonal-axis-order",
                "puts the output axes in the wrong order when a repeated (diagonal) label is involved",
                "iij->ij",
                ((3, 3, 4),),
                wrong_values=True,
                applies=_diagonal_kept_with_others,
            ),
            Difference(
                "no-size-1-broadcast",
                "does not stretch a size-1 label to the size it has in another operand",
                "ij,jk->ik",
                ((2, 1), (3, 4)),
                library_raises=True,
                applies=_size_one_stretched,
            ),
        ),
    ),
    "mlx": Backend(
        "mlx",
        "mlx",
        "mlx",
        "mlx",
        _mlx,
        (
            DROPPED_ELLIPSIS,
            BOOL_SUMS,
            Difference(
                "no-integer-contraction",
                "refuses integer contractions ('Only inexact types are supported')",
                "ij,jk->ik",
                ((2, 3), (3, 4)),
                dtype="int64",
                library_raises=True,
                applies=_contracts,
            ),
        ),
        raw_run=_mlx_raw,
    ),
}


def get(name: str) -> Backend:
    """The backend called ``name``; a clear error when it is unknown or not installed."""
    backend = BACKENDS.get(name)
    if backend is None:
        raise BackendUnavailable(f"unknown backend {name!r}; choose one of {', '.join(NAMES)}")
    if not backend.available():
        raise BackendUnavailable(f"the {name} backend is not installed: {backend.install_hint()}")
    return backend


def installed() -> list[str]:
    return [name for name in NAMES if BACKENDS[name].available()]


def notes_for(contraction: Contraction) -> list[str]:
    """What the other libraries do differently with this (valid) contraction, from the same data."""
    found = []
    for name in NAMES:
        for difference in BACKENDS[name].differences:
            if difference.applies is not None and difference.applies(contraction):
                found.append(f"{name} {difference.summary}")
    return found


def notes(name: str) -> list[str]:
    """The known differences of a backend, as sentences (used by the explainer and the CLI)."""
    backend = BACKENDS.get(name)
    return [f"{name} {d.summary}" for d in backend.differences] if backend else []
