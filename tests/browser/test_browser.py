"""The web app in a real browser (Debian's Chromium driven by Playwright), as a learner uses it.

Screenshots go to a temporary folder (printed at the end of the run) for inspection.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import HAVE_BROWSER, SKIP_REASON

pytestmark = pytest.mark.skipif(not HAVE_BROWSER, reason=SKIP_REASON)


def test_a_learner_solves_puzzle_21(page: object, shots: Path) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/")
    expect(page.get_by_role("heading", name="Learn einsum, one puzzle at a time")).to_be_visible()
    page.screenshot(path=shots / "home.png", full_page=True)
    page.click("#puzzle-link-21")
    expect(page.locator("#puzzle-title")).to_contain_text("Puzzle 21: Matrix product")

    answer = page.locator("#answer")
    answer.fill("ij,jx->ik")
    expect(page.locator("#preview")).to_contain_text("Not valid yet (output)")
    answer.fill("ij,jk->ki")
    expect(page.locator("#preview-summary")).to_contain_text("output shape (4, 3)")
    expect(page.locator("#preview .ep-explain")).to_be_visible()
    page.screenshot(path=shots / "preview.png", full_page=True)

    page.click("#check-button")
    expect(page.locator("#verdict")).to_contain_text("Right values, wrong axis order")
    expect(page.locator("#verdict-message")).to_contain_text("->ik")
    page.screenshot(path=shots / "order-verdict.png", full_page=True)

    page.click("#hint-button")
    expect(page.locator("#hints")).to_contain_text("Hint 1/3")

    page.locator("#answer").fill("ij,jk->ik")
    page.click("#check-button")
    expect(page.locator("#verdict")).to_contain_text("Correct")
    expect(page.locator("#solved-mark")).to_be_visible()
    page.screenshot(path=shots / "solved.png", full_page=True)
    page.goto("/")
    expect(page.locator("#progress-count")).to_contain_text("1 solved")


def test_the_explainer_draws_a_three_operand_einsum(page: object, shots: Path) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/explain")
    page.fill("#s", "ij,jk,kl->il")
    page.fill("#shapes", "2x3, 3x4, 4x5")
    page.click("#explain-button")
    expect(page.locator("#diagram")).to_contain_text("c.shape = (4, 5)")
    expect(page.locator("#explanation")).to_contain_text("chain of matrix products")
    assert "s=ij%2Cjk%2Ckl-%3Eil" in page.url or "s=ij,jk,kl-%3Eil" in page.url
    page.screenshot(path=shots / "explainer.png", full_page=True)
    shared = page.url
    page.goto("/")
    page.goto(shared)
    expect(page.locator("#diagram")).to_contain_text("output: (2, 5)")


def test_keyboard_only(page: object, shots: Path) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/puzzles/5")
    expect(page.locator("#answer")).to_be_focused()  # autofocus: type straight away
    page.keyboard.type("i->i")
    page.keyboard.press("Enter")
    expect(page.locator("#verdict")).to_contain_text("Wrong shape")
    for _ in range(40):  # Tab to the hint button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == "hint-button":
            break
    page.keyboard.press("Enter")
    expect(page.locator("#hints")).to_contain_text("Hint 1/2")
    page.locator("#answer").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("i->")
    page.keyboard.press("Enter")
    expect(page.locator("#verdict")).to_contain_text("Correct")
    page.screenshot(path=shots / "keyboard.png", full_page=True)


def test_no_console_errors_and_csp_blocks_nothing(page: object) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto("/puzzles/21")
    page.locator("#answer").fill("ij,jk->ik")
    page.wait_for_selector("#preview-summary")
    page.goto("/cheatsheet")
    page.fill("#q", "trace")
    assert page.locator("tbody tr:not([hidden])").count() >= 1
    assert errors == []
