"""The public API contract of product.md, and the README's examples run as written."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import numpy as np

import einsum_puzzles as ep

ROOT = Path(__file__).resolve().parents[1]


def test_contract_names_exist() -> None:
    for name in ("EinsumError", "parse", "bind", "einsum", "explain", "puzzles", "puzzle", "check"):
        assert hasattr(ep, name), name
    assert issubclass(ep.EinsumError, ValueError)
    verdict = ep.check(21, "ij,jk->ik")
    assert verdict.correct is True and verdict.kind == "correct" and isinstance(verdict.message, str)
    p = ep.puzzle(31)
    assert (p.function_name, p.input_names) == ("head", ("x", "w_q", "w_k", "w_v", "mask"))
    x, w_q, _, _, mask = p.inputs()
    assert x.ndim == 3 and w_q.shape == (x.shape[2], w_q.shape[1]) and mask.shape == (x.shape[1],) * 2
    fresh = p.inputs(np.random.default_rng(0))  # a numpy Generator works as well as our own draws
    assert p.expected(*fresh).shape[:2] == fresh[0].shape[:2]


def test_no_public_name_is_shadowed_by_a_submodule() -> None:
    """Importing a submodule sets it as an attribute of its package: a function of the same name would vanish."""
    packages = [
        ep,
        *(importlib.import_module(f"einsum_puzzles.{m.name}") for m in pkgutil.iter_modules(ep.__path__) if m.ispkg),
    ]
    for package in packages:
        submodules = {m.name for m in pkgutil.iter_modules(package.__path__)}
        public = set(getattr(package, "__all__", ()))
        assert not (submodules & public), (package.__name__, submodules & public)


def test_readme_python_examples_run() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert blocks
    scope: dict[str, object] = {}
    for block in blocks:  # in order, in one namespace, as a reader would type them
        exec(compile(block, "README.md", "exec"), scope)
