"""``serve``'s start-up probe: it finds the usable libraries, then freezes what is loaded out of the GC's way."""

from __future__ import annotations

import gc
from pathlib import Path

from einsum_puzzles import backends
from einsum_puzzles.web.app import backend_choices, probe_backends


def test_probe_finds_the_libraries_and_freezes_the_heap() -> None:
    try:
        probe_backends()
        assert gc.get_freeze_count() > 0
        names = {status.name for status in backends.statuses() if status.usable}
        assert "numpy" in names
        assert {choice["name"] for choice in backend_choices() if choice["available"]} == names
    finally:
        gc.unfreeze()


def test_healthz_says_probing_while_the_probe_runs(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from einsum_puzzles.web import create_app
    from einsum_puzzles.web.app import PROBING

    client = TestClient(create_app(tmp_path / "progress.sqlite3"))
    assert client.get("/healthz").json() == {"status": "ok", "backends": "ready"}
    PROBING.set()
    try:
        assert client.get("/healthz").json() == {"status": "ok", "backends": "probing"}
    finally:
        PROBING.clear()
