"""Every page works: a recursive same-origin crawl in Chromium from ``/`` (plus every puzzle, the
explainer with several inputs and the API docs). On each page: a 2xx/3xx status, no console error, no
serious or critical axe-core violation, and at 390x844 nothing wider than the viewport. A screenshot of
every page type at 1280x800 and 390x844 goes to the folder printed at the start."""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest

from einsum_puzzles import puzzles

from .conftest import HAVE_BROWSER, SKIP_REASON

pytestmark = pytest.mark.skipif(not HAVE_BROWSER, reason=SKIP_REASON)

EXPLAIN = [
    "/explain",
    "/explain?s=ij%2Cjk-%3Eik&shapes=2x3%2C3x4",
    "/explain?s=ii-%3E&shapes=3x3",
    "/explain?s=bij%2Cbjk-%3Ebik&shapes=2x2x3%2C2x3x2",
    "/explain?s=...ij%2C...jk-%3E...ik&shapes=5x1x2x3%2C7x3x4",
    "/explain?s=abcd%2Ccdef%2Cefgh%2Cghij-%3Eabij&shapes=2x3x9x9%2C9x9x9x9%2C9x9x2x2%2C2x2x4x4",
    "/explain?s=ij%2Cjx-%3Eik&shapes=2x3%2C3x4",  # invalid: the page says why
]
SKIP_PREFIXES = ("/static/", "/docs-assets/", "/assets/", "/api/", "/openapi.json")


def page_type(path: str) -> str | None:
    """The screenshot name for the first page of each type (None: this type is already pictured)."""
    if path == "/":
        return "home"
    if re.fullmatch(r"/puzzles/\d+", path):
        number = int(path.rsplit("/", 1)[1])
        return {1: "puzzle-first", 21: "puzzle-subscript", 31: "puzzle-code", 35: "puzzle-repeated"}.get(number)
    if path.startswith("/explain"):
        return {"/explain": "explain-empty", EXPLAIN[3]: "explain-picture", EXPLAIN[5]: "explain-network"}.get(path)
    return {"/cheatsheet": "cheatsheet", "/quiz": "quiz", "/docs": "docs"}.get(path)


def serious(violations: list[dict[str, Any]]) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
        if v.get("impact") in ("serious", "critical")
    ]


def test_crawl_every_page(page: Any, server: str, shots: Path) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    queue = deque(["/", *(f"/puzzles/{p.id}" for p in puzzles()), *EXPLAIN, "/cheatsheet", "/quiz", "/docs"])
    seen: set[str] = set()
    problems: list[str] = []
    origin = urlsplit(server).netloc
    while queue:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        errors.clear()
        page.set_viewport_size({"width": 1280, "height": 800})
        response = page.goto(path)
        assert response is not None, path
        if not 200 <= response.status < 400:
            problems.append(f"{path}: status {response.status}")
            continue
        if path == "/docs":
            page.wait_for_selector(".swagger-ui .opblock", timeout=15000)
        name = page_type(path)
        if name:
            page.screenshot(path=shots / f"{name}-1280.png", full_page=True)
        problems += [f"{path}: {v}" for v in serious(axe.run(page).response["violations"])]
        page.set_viewport_size({"width": 390, "height": 844})
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if widths[0] > widths[1]:
            problems.append(f"{path}: {widths[0]} px wide at a 390 px viewport")
        if name:
            page.screenshot(path=shots / f"{name}-390.png", full_page=True)
        problems += [f"{path}: {e}" for e in errors]
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            url, _ = urldefrag(href)
            parts = urlsplit(url)
            if parts.netloc != origin or parts.path.startswith(SKIP_PREFIXES):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen:
                queue.append(target)
    assert {"/", "/cheatsheet", "/quiz", "/docs", "/puzzles/1"} <= seen
    assert not problems, "\n".join(problems)


def test_docs_work_offline_under_their_own_csp(page: Any) -> None:
    """Swagger UI is served by this app: a request anywhere else is blocked, and the page still works."""
    outside: list[str] = []

    def route(r: Any) -> None:
        if urlsplit(r.request.url).hostname != "127.0.0.1":
            outside.append(r.request.url)
            r.abort()
        else:
            r.continue_()

    page.route("**/*", route)
    response = page.goto("/docs")
    assert response is not None and response.status == 200
    csp = " ".join(v for k, v in response.headers.items() if k.lower() == "content-security-policy")
    assert "unsafe-inline" not in csp and "swagger-ui-bundle.js" in csp
    page.get_by_text("/api/check").first.wait_for()
    assert outside == []
