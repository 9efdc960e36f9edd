"""Shared for the browser tests: the app served by ``einsum-puzzles serve`` on a free port (progress in a
temporary folder), Debian's Chromium through Playwright, and a screenshots folder printed at the start."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("EINSUM_PUZZLES_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HAVE_BROWSER = Path(CHROMIUM).exists()
SKIP_REASON = f"no browser at {CHROMIUM}: 'make test' installs Debian's chromium as root"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("web-home")
    port = free_port()
    script = shutil.which("einsum-puzzles", path=str(Path(sys.executable).parent))
    assert script is not None
    env = dict(os.environ, EINSUM_PUZZLES_HOME=str(home))
    process = subprocess.Popen([script, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def shots() -> Path:
    """Screenshots of every page type, at 1280x800 and 390x844 (kept after the run to look at)."""
    folder = Path(os.environ.get("EINSUM_PUZZLES_SHOTS", "/tmp/einsum-puzzles-screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {folder}")
    return folder


@pytest.fixture
def browser() -> Iterator[Any]:
    """A Chromium per test (a test may start its own Playwright: only one can run at a time)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(server: str, browser: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()
