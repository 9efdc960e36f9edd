"""``einsum-puzzles serve`` started for a test on a free loopback port, ready when /healthz answers."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from tests.postgres import free_port

CLI = str(Path(sys.executable).with_name("einsum-puzzles"))


@contextmanager
def served(env: Mapping[str, str], timeout: float = 30) -> Iterator[str]:
    """Serve with ``env`` (its EINSUM_PUZZLES_HOME holds the progress); yields the base address."""
    port = free_port()
    process = subprocess.Popen([CLI, "serve", "--port", str(port)], env=dict(env), stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
