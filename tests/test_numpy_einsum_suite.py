"""numpy's own einsum tests, run with ``np.einsum`` replaced by ``ep.einsum`` for every call.

The test file is the one installed with numpy (``numpy/_core/tests/test_einsum.py``), imported from
the numpy package: nothing is copied. During each of its tests ``numpy.einsum`` is a counting wrapper
over ``ep.einsum``; a test that does not reach ``ep.einsum`` at least once fails, so none passes by
testing numpy instead of us. ``np.einsum_path`` stays numpy's (we do not replace numpy's path
optimizer). The excluded tests are listed in ``EXCLUDED`` with the reason; they are all tests of
numpy internals, and a test below checks that the list names tests that exist.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import einsum_puzzles as ep

_NUMPY_EINSUM = np.einsum
_NUMPY_TEST_FILE = Path(np.__file__).parent / "_core" / "tests" / "test_einsum.py"


def _load_numpy_tests() -> ModuleType:
    if not _NUMPY_TEST_FILE.is_file():
        raise ImportError(
            f"numpy's einsum tests are not installed at {_NUMPY_TEST_FILE}: install numpy from its wheel "
            "(pip install numpy), which ships them"
        )
    name = "_numpy_test_einsum"
    spec = importlib.util.spec_from_file_location(name, _NUMPY_TEST_FILE)
    if spec is None or spec.loader is None:  # pragma: no cover - numpy always ships the file
        raise ImportError(f"cannot load {_NUMPY_TEST_FILE}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


numpy_tests = _load_numpy_tests()

EXCLUDED: dict[str, str] = {
    "TestEinsum.test_einsum_sorting_behavior": (
        "checks the labels np.einsum_path prints for the sublist form; it never calls np.einsum"
    ),
    "TestEinsumPath.test_memory_contraints": "checks np.einsum_path's chosen path (numpy's optimizer) only",
    "TestEinsumPath.test_long_paths": "checks np.einsum_path's chosen path (numpy's optimizer) only",
    "TestEinsumPath.test_edge_paths": "checks np.einsum_path's chosen path (numpy's optimizer) only",
}
"""numpy test -> why it is not run against ep.einsum. Only tests of numpy internals belong here."""


class _Counter:
    def __init__(self) -> None:
        self.calls = 0

    def einsum(self, *operands: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return ep.einsum(*operands, **kwargs)


@pytest.fixture(autouse=True)
def routed(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Counter]:
    """``np.einsum`` is ``ep.einsum`` for the whole test; the test must call it."""
    counter = _Counter()
    monkeypatch.setattr(np, "einsum", counter.einsum)
    yield counter
    assert counter.calls > 0, "this numpy test never reached ep.einsum"


class TestEinsum(numpy_tests.TestEinsum):  # type: ignore[misc,name-defined]
    test_einsum_sorting_behavior = None

    # numpy parametrizes this test with the function objects bound at import time; name them instead
    # so that "einsum" means the patched np.einsum. The einsum_path variant tests numpy's einsum_path,
    # but its last check calls np.einsum, so it runs too.
    @pytest.mark.parametrize("do_opt", [True, False])
    @pytest.mark.parametrize("function", ["einsum", "einsum_path"])
    def test_einsum_errors(self, do_opt: bool, function: str) -> None:
        super().test_einsum_errors(do_opt, getattr(np, function))


class TestEinsumPath(numpy_tests.TestEinsumPath):  # type: ignore[misc,name-defined]
    test_memory_contraints = None
    test_long_paths = None
    test_edge_paths = None


test_overlap: Callable[[], None] = numpy_tests.test_overlap
test_einsum_chunking_precision: Callable[[], None] = numpy_tests.test_einsum_chunking_precision


def test_every_numpy_test_is_run_or_excluded_with_a_reason(routed: _Counter) -> None:
    routed.calls += 1  # this test checks the list, not einsum
    ours = sys.modules[__name__]
    for name, value in vars(numpy_tests).items():
        if name.startswith("test_") and callable(value):
            assert getattr(ours, name, None) is value, f"numpy's {name} is not collected here"
        if name.startswith("Test") and isinstance(value, type):
            mine = getattr(ours, name)
            for attribute in dir(value):
                if attribute.startswith("test_"):
                    key = f"{name}.{attribute}"
                    collected = getattr(mine, attribute) is not None
                    assert collected != (key in EXCLUDED), f"{key}: run it or list it in EXCLUDED"
    for key in EXCLUDED:
        cls, attribute = key.split(".")
        assert hasattr(getattr(numpy_tests, cls), attribute), f"EXCLUDED names {key}, which numpy does not have"


def test_the_wrapper_reaches_ep_einsum(routed: _Counter, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[Any, ...]] = []
    original = ep.einsum

    def spy(*operands: Any, **kwargs: Any) -> Any:
        seen.append(operands)
        return original(*operands, **kwargs)

    monkeypatch.setattr(ep, "einsum", spy)
    assert np.einsum is not _NUMPY_EINSUM
    assert np.einsum("i,i", [1, 2], [3, 4]) == 11
    assert len(seen) == 1
