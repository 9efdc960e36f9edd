"""Shared for the browser tests: the app served by ``einsum-puzzles serve`` on a free port (progress in a
temporary folder), Debian's Chromium through Playwright, and a screenshots folder printed at the start."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.webserver import served

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


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("web-home")
    with served(dict(os.environ, EINSUM_PUZZLES_HOME=str(home))) as base:
        yield base


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
