"""The Find the einsum page in Chromium: live translation as one types, refusals, the page without JavaScript."""

from __future__ import annotations

from pathlib import Path

from .test_browser import ARGS, CHROMIUM, page, pytestmark, server, shots

__all__ = ["page", "pytestmark", "server", "shots"]


def test_translates_as_one_types(page: object, shots: Path) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto("/translate")
    page.fill("#operands", "a=2x3 b=3x4x5")
    page.fill("#code", "np.tensordot(a, b, axes=([1], [0])).sum(axis=1).T")
    expect(page.locator("#translation-call")).to_have_text('np.einsum("ij,jkl->li", a, b)')
    expect(page.locator("#translate-result .ep-explain")).to_be_visible()
    assert "operands=a%3D2x3" in page.url  # the address can be shared
    page.screenshot(path=shots / "translate.png", full_page=True)
    page.click("#translation-explain")
    expect(page.locator("#operation")).to_be_visible()
    page.go_back()
    expect(page.locator("#translation-call")).to_have_text('np.einsum("ij,jkl->li", a, b)')
    page.fill("#code", "np.sum(a + b, axis=0)")
    expect(page.locator("#translate-error")).to_contain_text("a + b at column 8: einsum only multiplies and sums")
    page.fill("#operands", "a=2y3")
    expect(page.locator("#translate-error")).to_contain_text("cannot read the shape")
    assert errors == []


def test_works_without_javascript(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(
            base_url=server, java_script_enabled=False, viewport={"width": 390, "height": 844}
        )
        page = context.new_page()
        page.goto("/translate")
        page.fill("#code", "a @ b")
        page.fill("#operands", "a=2x3 b=3x4")
        page.click("#translate-button")
        expect(page.locator("#translation-call")).to_have_text('np.einsum("ij,jk->ik", a, b)')
        context.close()
        browser.close()


def test_typing_key_by_key_logs_no_console_error(page: object, shots: Path) -> None:
    """Each keystroke asks the preview route; an unfinished expression is an answer, not an HTTP error."""
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: console.append(str(error)))
    statuses: list[int] = []
    page.on("response", lambda response: statuses.append(response.status) if "/api/" in response.url else None)
    page.goto("/translate")
    page.locator("#code").press_sequentially("np.sum(a @ b", delay=250)  # waits out the 200 ms pause each key
    expect(page.locator("#translate-unfinished")).to_have_text(
        "Not finished yet: “np.sum(a @ b” — its ( at column 7 is still open."
    )
    expect(page.locator("#translate-error")).to_have_count(0)
    page.locator("#code").press_sequentially(", axis=0)", delay=250)
    expect(page.locator("#translate-error")).to_contain_text(
        "a's shape is missing; add it under Operand shapes with its sizes, such as a=2x3"
    )
    page.locator("#operands").press_sequentially("a=2x3 b", delay=250)
    expect(page.locator("#translate-error")).to_contain_text("cannot read 'b': write each operand as NAME=SHAPE")
    page.locator("#operands").press_sequentially("=3", delay=250)
    expect(page.locator("#translation-call")).to_have_text('np.einsum("ij,j->", a, b)')
    page.fill("#operands", "b=3")
    expect(page.locator("#translate-error")).to_contain_text(
        "a's shape is missing (shapes were given for b only); add it under Operand shapes with its sizes, such as a=2x3"
    )
    page.screenshot(path=shots / "translate-missing-shape.png", full_page=True)
    assert len(statuses) >= 15 and set(statuses) == {200}, statuses
    assert console == []


def test_one_array_passed_twice_shows_one_set_of_values(page: object, shots: Path) -> None:
    """``x * x``: the picture draws x and x_2 with the same numbers and out is their square; the explainer link
    keeps the names; an unused shape is noted; half-typed code is a quiet "Not finished yet" line."""
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    for width, height in ((1280, 800), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/translate")
        page.fill("#operands", "x=4 b=4")
        page.fill("#code", "x * x")
        expect(page.locator("#translation-call")).to_have_text('np.einsum("i,i->i", x, x)')
        expect(page.locator("#translation-names")).to_contain_text("x_2 is the second argument: the same array x")
        expect(page.locator("#translation-unused")).to_have_text("b is given a shape, but the einsum does not use it.")
        cells = page.locator(".translation-picture svg")
        first = cells.locator('[data-operand="0"] text').all_text_contents()
        second = cells.locator('[data-operand="1"] text').all_text_contents()
        out = cells.locator(".ep-o text").all_text_contents()
        assert len(first) == 4 and first == second, (first, second)
        assert out == [str(int(v) ** 2) for v in first]
        page.screenshot(path=shots / f"translate-square-{width}.png", full_page=True)
        page.fill("#code", "np.sum(x")
        expect(page.locator("#translate-unfinished")).to_have_text(
            "Not finished yet: “np.sum(x” — its ( at column 7 is still open."
        )
        expect(page.locator("#translate-error")).to_have_count(0)
        page.screenshot(path=shots / f"translate-unfinished-{width}.png")
    page.fill("#operands", "x=4")
    page.fill("#code", "x * x")
    expect(page.locator("#translation-call")).to_have_text('np.einsum("i,i->i", x, x)')
    page.click("#translation-explain")
    expect(page.locator("#explain-names")).to_have_text("x_2 is the second argument: the same array x, passed again.")
    explained = page.locator("#explanation svg")
    assert (
        explained.locator('[data-operand="0"] text').all_text_contents()
        == explained.locator('[data-operand="1"] text').all_text_contents()
    )
    page.screenshot(path=shots / "explain-names-390.png", full_page=True)
    assert errors == []
