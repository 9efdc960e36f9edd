"""The web app in a real browser (Debian's Chromium driven by Playwright), as a learner uses it.

Screenshots go to a temporary folder (printed at the end of the run) for inspection.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import ARGS, CHROMIUM, HAVE_BROWSER, SKIP_REASON, page, server, shots

# other browser test modules import these from here
__all__ = ["ARGS", "CHROMIUM", "page", "pytestmark", "server", "shots"]

pytestmark = pytest.mark.skipif(not HAVE_BROWSER, reason=SKIP_REASON)


def test_a_learner_solves_puzzle_21(page: object, shots: Path) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/")
    expect(page.get_by_role("heading", name="Learn einsum, one puzzle at a time")).to_be_visible()
    page.click("#puzzle-link-21")
    expect(page.locator("#puzzle-title")).to_contain_text("Puzzle 21: Matrix product")
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)

    answer = page.locator("#answer")
    answer.fill("ij,jx->ik")
    expect(page.locator("#preview")).to_contain_text("Not valid yet: output label 'k'")
    expect(page.locator("#preview")).not_to_contain_text("(output)")  # words, not kind names
    answer.fill("ij,jk->ki")
    expect(page.locator("#preview-summary")).to_contain_text("output shape (4, 3)")
    expect(page.locator("#preview .ep-explain")).to_be_visible()
    page.screenshot(path=shots / "flow-preview-1280.png", full_page=True)

    # a wrong answer: the verdict appears right under the input, nothing reloads, the answer stays
    page.click("#check-button")
    expect(page.locator("#verdict")).to_contain_text("Right values, wrong axis order")
    expect(page.locator("#verdict-message")).to_contain_text("->ik")
    assert navigations == []
    expect(answer).to_have_value("ij,jk->ki")
    expect(answer).to_be_focused()
    input_box, verdict_box = answer.bounding_box(), page.locator("#verdict").bounding_box()
    assert input_box and verdict_box and 0 <= verdict_box["y"] - (input_box["y"] + input_box["height"]) < 40
    assert page.locator(".ep-explain").count() == 1  # the learner's subscript is explained once
    page.screenshot(path=shots / "flow-order-verdict-1280.png", full_page=True)

    # a hint, then the solution: the answer and the verdict are still there
    page.click("#hint-button")
    expect(page.locator("#hints")).to_contain_text("Hint 1/3")
    expect(answer).to_have_value("ij,jk->ki")
    expect(page.locator("#verdict")).to_contain_text("Right values, wrong axis order")
    page.click("#solution-button")
    expect(page.locator("#solution")).to_contain_text("ij,jk->ik")
    expect(answer).to_have_value("ij,jk->ki")
    expect(page.locator("#verdict")).to_contain_text("Right values, wrong axis order")
    assert navigations == []

    # choosing an output cell lights up the input cells of its sum and writes the sum out
    answer.fill("ij,jk->ik")
    expect(page.locator("#preview-summary")).to_contain_text("output shape (3, 4)")
    cell = page.locator("#preview .ep-o").nth(6)  # out[1,2]
    cell.focus()
    sums = page.locator("#preview .ep-sum.ep-s6")
    expect(sums).to_be_visible()
    expect(sums).to_have_text("out[1,2] = 2·1 + 3·9 = 29")
    lit = page.locator("#preview .ep-f6 rect")
    assert lit.count() == 4  # a[1,0], a[1,1], b[0,2], b[1,2]
    fills = lit.evaluate_all("rects => rects.map(r => getComputedStyle(r).fill)")
    assert set(fills) == {"rgb(255, 211, 61)"}, fills
    unlit = page.locator("#preview .ep-grids .ep-cell:not(.ep-f6):not(.ep-o) rect").first
    assert unlit.evaluate("r => getComputedStyle(r).fill") == "rgb(255, 255, 255)"
    page.screenshot(path=shots / "flow-picture-focus-1280.png", full_page=True)

    page.click("#check-button")
    expect(page.locator("#verdict")).to_contain_text("Correct")
    expect(page.locator("#solved-mark")).to_be_visible()
    expect(page.locator("#solved-count")).to_have_text("1")
    page.screenshot(path=shots / "flow-solved-1280.png", full_page=True)
    page.goto("/")
    expect(page.locator("#progress-count")).to_contain_text("1 solved")
    expect(page.locator("#continue-link")).to_contain_text("Continue: puzzle 1")


def test_without_javascript_the_forms_still_work(server: str, browser: object) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    context = browser.new_context(base_url=server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/puzzles/21")
    page.fill("#answer", "ij,jk->ki")
    page.click("#check-button")
    expect(page.locator("#verdict")).to_contain_text("Right values, wrong axis order")
    expect(page.locator("#answer")).to_have_value("ij,jk->ki")
    expect(page.locator("#preview .ep-explain")).to_have_count(1)
    page.click("#hint-button")
    expect(page.locator("#hints")).to_contain_text("Hint 1/3")
    page.click("#solution-button")
    expect(page.locator("#solution")).to_contain_text("ij,jk->ik")
    context.close()


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
    """A whole solve with the keyboard alone: type, Enter, Tab to a hint, Enter, fix the answer, Enter."""
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/puzzles/5")
    expect(page.locator("#answer")).to_be_focused()  # autofocus: type straight away
    page.keyboard.type("i->i")
    page.keyboard.press("Enter")
    expect(page.locator("#verdict")).to_contain_text("Wrong shape")
    expect(page.locator("#answer")).to_be_focused()
    for _ in range(60):  # Tab to the hint button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == "hint-button":
            break
    page.keyboard.press("Enter")
    expect(page.locator("#hints")).to_contain_text("Hint 1/2")
    for _ in range(60):  # Shift+Tab back to the answer
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == "answer":
            break
    page.keyboard.press("Control+A")
    page.keyboard.type("i->")
    page.keyboard.press("Enter")
    expect(page.locator("#verdict")).to_contain_text("Correct")
    page.keyboard.press("Tab")  # next: the output cell of the picture, then on to the next puzzle
    page.screenshot(path=shots / "flow-keyboard-1280.png", full_page=True)


def test_no_console_errors_and_csp_blocks_nothing(page: object) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto("/puzzles/21")
    page.locator("#answer").fill("ij,jk->ik")
    page.wait_for_selector("#preview-summary")
    page.locator("#answer").fill("ij,j")  # invalid while typing: data, not a failed request
    page.wait_for_selector("#preview .preview-invalid")
    page.goto("/cheatsheet")
    page.fill("#q", "trace")
    assert page.locator("tbody tr:not([hidden])").count() >= 1
    assert errors == []


def test_the_fix_is_shown_in_place_on_request(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/puzzles/21")
    page.locator("#answer").fill("ij,kl->ik")
    page.click("#check-button")
    expect(page.locator("#fix-button")).to_be_visible()
    assert "ij,jl->il" not in page.locator("#verdict").inner_text()
    page.click("#fix-button")
    expect(page.locator("#fix")).to_contain_text("Fix: ij,jl->il")
    expect(page.locator("#answer")).to_have_value("ij,kl->ik")


def test_a_syntax_error_verdict_keeps_its_caret_under_the_subscript(page: object, shots: Path) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    for width, height in ((1280, 800), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/puzzles/21")
        page.locator("#answer").fill("ij->jk->ik")
        page.click("#check-button")
        caret = page.locator("#verdict-message pre.caret")
        expect(caret).to_have_text("ij->jk->ik\n      ^")
        expect(page.locator("#verdict-message")).to_contain_text("To fix it: replace 'ij->jk' with 'ij,jk'.")
        # the caret sits under the second arrow: monospace, same left edge as the subscript line
        assert page.evaluate("getComputedStyle(document.querySelector('pre.caret')).whiteSpace") == "pre"
        page.screenshot(path=shots / f"caret-verdict-{width}.png", full_page=True)
