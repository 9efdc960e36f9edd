"""The quiz in a real browser (Debian's Chromium through Playwright) at desktop and phone widths: an answer
it cannot read is explained next to its question while the others are graded, and at 390 px no subscript
breaks across lines and nothing is wider than the screen."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from einsum_puzzles.curriculum import shape_questions
from tests.webserver import served

CHROMIUM = os.environ.get("EINSUM_PUZZLES_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"no browser at {CHROMIUM}: 'make test' installs Debian's chromium as root"
)

TOO_WIDE = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5).map(e => e.outerHTML.slice(0, 80))"""
SPLIT = """() => [...document.querySelectorAll('code.subscript')]
    .filter(e => e.getClientRects().length > 1).map(e => e.textContent)"""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    env = dict(os.environ, EINSUM_PUZZLES_HOME=str(tmp_path))
    env.pop("DATABASE_URL", None)
    with served(env) as base:
        yield base


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_quiz_page_at_desktop_and_phone_width(server: str, tmp_path: Path, width: int, height: int) -> None:
    from playwright.sync_api import expect, sync_playwright

    first, second, third = shape_questions()[:3]
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(base_url=server, viewport={"width": width, "height": height})
        page.set_default_timeout(15000)
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto("/quiz")
        page.fill(f"#{first.id}", " x ".join(map(str, first.answer)) or "()")
        page.fill(f"#{second.id}", "two by four")
        page.fill(f"#{third.id}", "[" + ", ".join(str(n + 1) for n in third.answer) + "]" if third.answer else "7")
        page.get_by_role("button", name="Check my answers").click()
        expect(page.locator(f"#{first.id}-result")).to_have_text(f"Right: {first.why}.")
        expect(page.locator(f"#{second.id}-result")).to_contain_text("Not graded: could not read 'two by four'")
        expect(page.locator(f"#{third.id}-result")).to_contain_text(f"The answer is {third.answer}")
        assert page.locator("code.subscript").count() > 40
        assert page.evaluate(SPLIT) == []
        assert page.evaluate(TOO_WIDE) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(tmp_path / f"quiz-{width}.png"), full_page=True)
        browser.close()
    assert errors == []
