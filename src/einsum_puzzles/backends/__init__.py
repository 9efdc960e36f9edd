"""The libraries that can evaluate an einsum: numpy (always), torch, jax, tinygrad and mlx (optional).

Each backend has the same small interface: ``available()`` (installed? without importing it),
``version()``, ``einsum(subscript, *numpy_arrays) -> numpy array``, and its known differences from
numpy as data (``DIFFERENCES``), each with a probe that runs it, so the table is tested against the
installed library. Nothing imports a library until it is used.

An installed library can still be unable to run here (tinygrad's CPU device compiles with clang):
``status(name)`` runs one small einsum the first time it is asked and says why it failed and what to
do about it. ``get(name)`` refuses such a library with that message, so an interface reports it as
"cannot run here", never as the learner's mistake.

    from einsum_puzzles.backends import get, installed
    get("torch").einsum("ij,jk->ik", a, b)
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import shutil
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
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
class Status:
    """Whether a backend can run here, and if not, why and what to do."""

    name: str
    installed: bool
    usable: bool
    version: str
    reason: str | None = None
    """Why it cannot run (None when it can)."""
    fix: str | None = None
    """What to do about it (None when it can run)."""

    def message(self) -> str:
        """One sentence for an interface: ``tinygrad cannot run here: REASON. FIX.``"""
        if self.usable:
            return f"{self.name} {self.version} can run here"
        return f"{self.name} cannot run here: {self.reason}. {self.fix}."

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "installed": self.installed,
            "available": self.usable,
            "version": self.version,
            "reason": self.reason,
            "fix": self.fix,
        }


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
    requirement: str = ""
    """What pip installs for it (the ``extra`` of pyproject.toml), e.g. ``torch==2.13.0``."""
    diagnose: Callable[[BaseException], tuple[str, str] | None] | None = None
    """Turns the library's failure on the probe into (reason, fix) when the cause is known."""

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
        return f"pip install '{self.requirement or self.distribution}'"

    def einsum(self, subscript: str, *arrays: Any) -> Any:
        """Run the library's einsum on numpy inputs; return a numpy array (or numpy scalar)."""
        if not self.available():
            raise BackendUnavailable(f"{self.name} is not installed: {self.install_hint()}")
        if self.prepare is not None:
            self.prepare()
        return self.run(subscript, *arrays)

    def probe(self) -> Status:
        """Run one small einsum with the library (this imports it) and say whether it works here."""
        if not self.available():
            return Status(
                self.name, False, False, "not installed", "it is not installed", f"Install it: {self.install_hint()}"
            )
        version = self.version()
        rng = np.random.default_rng(0)
        a, b = rng.standard_normal((2, 3)), rng.standard_normal((3, 4))
        try:
            got = np.asarray(self.einsum("ij,jk->ik", a, b))
        except Exception as error:  # any failure of the library here means it cannot run on this machine
            known = self.diagnose(error) if self.diagnose is not None else None
            said = _first_line(error)
            if known is not None:
                reason, fix = known
                return Status(self.name, True, False, version, f"{reason} ({self.name} said: {said})", fix)
            return Status(
                self.name,
                True,
                False,
                version,
                f"{self.name} {version} failed on a small matrix product ({said})",
                f"Reinstall it ({self.install_hint()}), or choose another backend",
            )
        if got.shape != (2, 4) or not np.allclose(got, a @ b, rtol=1e-4, atol=1e-5):
            return Status(
                self.name,
                True,
                False,
                version,
                f"{self.name} {version} gives a wrong result for a small matrix product",
                f"Reinstall it ({self.install_hint()}), or choose another backend",
            )
        return Status(self.name, True, True, version)

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


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:200]}" if text else type(error).__name__


def _tinygrad_diagnose(error: BaseException) -> tuple[str, str] | None:
    # tinygrad's CPU device compiles every kernel with clang; without it no device opens.
    if shutil.which("clang") is None:
        return (
            "its CPU device needs the clang compiler, and there is no clang on PATH",
            "Install clang (Debian/Ubuntu: apt-get install clang) or choose another backend",
        )
    return None


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


def _tinygrad_here(subscript: str, *arrays: Any) -> Any:
    from tinygrad import Tensor

    return Tensor.einsum(subscript, *(Tensor(np.array(a)) for a in arrays)).numpy()


_TINYGRAD_THREAD: ThreadPoolExecutor | None = None
_TINYGRAD_LOCK = threading.Lock()


def _tinygrad(subscript: str, *arrays: Any) -> Any:
    # tinygrad keeps one SQLite connection for its kernel cache, usable only from the thread that opened it,
    # and is not thread-safe: every call runs on one thread of its own (the web app grades in a thread pool).
    global _TINYGRAD_THREAD
    with _TINYGRAD_LOCK:
        if _TINYGRAD_THREAD is None:
            _TINYGRAD_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tinygrad")
    return _TINYGRAD_THREAD.submit(_tinygrad_here, subscript, *arrays).result()


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
    "numpy": Backend("numpy", "numpy", "numpy", "numpy", _numpy, requirement="numpy"),
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
        requirement="torch==2.13.0",
    ),
    "jax": Backend(
        "jax", "jax", "jax", "jax", _jax, (DROPPED_ELLIPSIS,), prepare=_jax_prepare, requirement="jax[cpu]>=0.4.30"
    ),
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
        requirement="tinygrad>=0.10",
        diagnose=_tinygrad_diagnose,
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
        requirement="mlx[cpu]>=0.20",
    ),
}


_STATUS: dict[str, Status] = {}
_STATUS_LOCK = threading.Lock()


def status(name: str) -> Status:
    """Whether backend ``name`` can run here (probed once per process; numpy always can)."""
    found = _STATUS.get(name)
    if found is not None:
        return found
    backend = BACKENDS.get(name)
    if backend is None:
        raise BackendUnavailable(f"unknown backend {name!r}; choose one of {', '.join(NAMES)}")
    if name == "numpy":
        return Status("numpy", True, True, backend.version())
    with _STATUS_LOCK:  # one probe at a time: the web app's threads may ask together
        found = _STATUS.get(name)
        if found is None:
            found = _STATUS[name] = backend.probe()
    return found


def statuses() -> list[Status]:
    """Every backend's status, in the order of NAMES (imports each installed library once)."""
    return [status(name) for name in NAMES]


def get(name: str) -> Backend:
    """The backend called ``name``; a clear error when it is unknown, not installed or cannot run here."""
    backend = BACKENDS.get(name)
    if backend is None:
        raise BackendUnavailable(f"unknown backend {name!r}; choose one of {', '.join(NAMES)}")
    if not backend.available():
        raise BackendUnavailable(f"the {name} backend is not installed: {backend.install_hint()}")
    found = status(name)
    if not found.usable:
        raise BackendUnavailable(found.message())
    return backend


def installed() -> list[str]:
    """The backends whose library is installed (whether or not it can run: see ``usable``)."""
    return [name for name in NAMES if BACKENDS[name].available()]


def usable() -> list[str]:
    """The backends that can run here."""
    return [name for name in installed() if status(name).usable]


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
