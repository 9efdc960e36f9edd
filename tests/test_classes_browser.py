"""Classes in a real browser (Debian's Chromium through Playwright): a teacher signs in and creates a
class, a learner joins it in another browser context and solves a puzzle, the teacher's page shows it."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.webserver import CLI, served

CHROMIUM = os.environ.get("EINSUM_PUZZLES_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
PASSWORD = "a long teacher password"

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"no browser at {CHROMIUM}: 'make test' installs Debian's chromium as root"
)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    env = dict(os.environ, EINSUM_PUZZLES_HOME=str(tmp_path))
    env.pop("DATABASE_URL", None)
    added = subprocess.run(
        [CLI, "teacher", "add", "ada@school.example", "--password-stdin"],
        input=PASSWORD + "\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert added.returncode == 0, added.stderr
    with served(env) as base:
        yield base


def test_teacher_sees_a_learner_solve(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import ConsoleMessage, expect, sync_playwright

    shots = tmp_path / "screenshots"
    shots.mkdir()
    errors: list[str] = []

    def console(message: ConsoleMessage) -> None:
        # the wrong password's 401 is expected; anything else is a fault
        if message.type == "error" and "status of 401" not in message.text:
            errors.append(message.text)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        teacher_context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 800})
        teacher = teacher_context.new_page()
        teacher.set_default_timeout(15000)
        teacher.on("console", console)
        teacher.goto("/teacher")
        teacher.fill("#email", "ada@school.example")
        teacher.fill("#password", "not the password")
        teacher.click("button[type=submit]")
        expect(teacher.get_by_role("alert")).to_contain_text("Wrong email or password")
        teacher.fill("#password", PASSWORD)
        teacher.click("button[type=submit]")
        expect(teacher.get_by_role("heading", name="Your classes")).to_be_visible()
        teacher.fill("#class-name", "Linear algebra")
        teacher.get_by_role("button", name="Create class").click()
        expect(teacher.get_by_role("heading", name="Linear algebra")).to_be_visible()
        code = teacher.locator("#join-code").inner_text().strip()
        assert re.fullmatch(r"[A-Z0-9]{8}", code)

        learner_context = browser.new_context(base_url=server, viewport={"width": 390, "height": 844})
        learner = learner_context.new_page()
        learner.set_default_timeout(15000)
        learner.on("console", console)
        learner.goto(f"/class?code={code}")
        learner.fill("#name", "Grace")
        learner.get_by_role("button", name="Join").click()
        expect(learner.locator("main")).to_contain_text("You are in Linear algebra as Grace")
        learner.screenshot(path=shots / "learner-joined.png", full_page=True)
        learner.goto("/puzzles/21")
        learner.locator("input[name=answer]").fill("ij,jk->ki")
        learner.locator("input[name=answer]").press("Enter")
        learner.wait_for_load_state()
        learner.goto("/puzzles/21")
        learner.locator("input[name=answer]").fill("ij,jk->ik")
        learner.locator("input[name=answer]").press("Enter")
        learner.wait_for_load_state()
        expect(learner.locator("main")).to_contain_text("Correct")

        teacher.reload()
        expect(teacher.locator("#puzzle-stats")).to_contain_text("#21")
        expect(teacher.locator("svg.chart")).to_contain_text("1/1 solved, 2 attempts")
        expect(teacher.locator("#learners")).to_contain_text("Grace")
        teacher.screenshot(path=shots / "teacher-class.png", full_page=True)
        teacher.set_viewport_size({"width": 390, "height": 844})
        teacher.screenshot(path=shots / "teacher-class-phone.png", full_page=True)
        teacher.get_by_role("link", name="Grace").click()
        expect(teacher.locator("#timeline")).to_contain_text("✓ correct")
        expect(teacher.locator("#timeline")).to_contain_text("ij,jk->ki")
        learner_context.close()
        teacher_context.close()
        browser.close()
    print(f"\nscreenshots: {shots}")
    assert errors == []
