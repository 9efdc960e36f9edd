"""A puzzle that passes x twice, in Chromium: the note says what x_2 is, next to the picture that uses it."""

from __future__ import annotations

from pathlib import Path

from .test_browser import page, pytestmark, server, shots

__all__ = ["page", "pytestmark", "server", "shots"]


def test_puzzle_page_says_what_x_2_is(page: object, shots: Path) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: console.append(str(error)))
    page.goto("/puzzles/35")
    note = page.locator("#argument-note")
    expect(note).to_have_text(
        "In the pictures and messages below, x_2 is the second argument: the same array x, passed again."
    )
    expect(page.locator("label[for=answer]")).to_have_text("Your subscript, used as np.einsum(ANSWER, x, x)")
    page.locator("#answer").press_sequentially("ijk,ijk->i", delay=60)
    expect(page.locator("#preview")).to_contain_text("x_2")
    page.click("#check-button")
    expect(page.locator("#verdict-title")).to_contain_text("Wrong shape")
    assert page.locator("text=passed again").count() == 1  # said once on the page
    page.screenshot(path=shots / "puzzle-repeated-check-1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    expect(note).to_be_visible()
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths
    page.screenshot(path=shots / "puzzle-repeated-check-390.png", full_page=True)
    assert console == []
